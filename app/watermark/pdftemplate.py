"""The original PDF, analysed once: page text, mark slots, and content-stream templates.

A template is the page's content stream split into fixed byte chunks and hooks: a text hook is a
glyph that may be shown with the marked font (same glyph, different ToUnicode), a geometry hook
is a TJ adjustment that shifts one word by +/-delta and back (along its line; down or up its
column in vertical writing, where a TJ number moves the pen along y), a line hook is the
invisible token of lines.py before a line's first glyph or after its last (a column's too:
the token font writes horizontally, so the token sits beside the column and the pen returns).
`fill` is the reference filling of one page for one download; downloads use the equivalent
byte mask of pdffill.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pikepdf

from .lines import RADIX, line_ends, line_starts
from .pdfcontent import Glyph, Show, join_text, open_original, walk
from .pdffonts import build_tounicode, font_info
from .prepared import Prepared
from .text import HOMOGLYPHS, TYPOGRAPHIC, Slot, find_slots, first_in_word, slots_nbytes

GEOMETRY_SHIFT_PT = 0.45
_VARIANTS = {**HOMOGLYPHS, **TYPOGRAPHIC}
PAGE_SEP = "\n\n"
LINE_FONT = "/SRln"  # the empty Type 3 font of the line tokens (pdfwriter.line_font)
LINE_GAP = 250  # thousandths of an em between a line's first or last glyph and its token
LINE_OFF = RADIX  # the choice of a line hook that shows no token


@dataclass(frozen=True)
class TextHook:
    """A glyph inside a string; marked, it is wrapped in `on` and `off`."""

    slot: int
    glyph: bytes  # "x": the glyph's bytes as written inside the string
    on: bytes  # ")] TJ /SRmF2 11 Tf [(": the string closed, the marked font, a new string
    off: bytes  # ")] TJ /F2 11 Tf [(": back to the page's font, the rest of the string


@dataclass(frozen=True)
class GeoHook:
    slot: int
    plus: bytes  # TJ number when the bit is 1 (the word moves right, or down its column)
    minus: bytes  # TJ number when the bit is 0


@dataclass(frozen=True)
class LineHook:
    slot: int
    prefix: bytes  # "] TJ /SRln 11 Tf [-250 ": to the token font, a space's width away
    suffix: bytes  # " 250] TJ /F2 11 Tf [": back to where the pen was, in the page's font
    # Shown instead when tokens are off, where the token opens ("[") or closes ("] TJ") the
    # show's array: a token at an array's edge leaves no empty array behind ("[] TJ").
    off: bytes = b""


Chunk = bytes | TextHook | GeoHook | LineHook
Sub = tuple[bytes, int, int]  # bytes kept when choice[key] == want (key -1: always)


def line_code(symbol: int) -> bytes:
    """The token font's code of a symbol (codes 1..RADIX)."""
    return b"<%02X>" % (symbol + 1)


@dataclass(frozen=True)
class WordBox:
    """A geometry slot: one word's box in page space (pt, origin bottom-left)."""

    page: int
    x0: float
    x1: float
    y: float  # baseline
    size: float


@dataclass(frozen=True)
class ColumnBox:
    """A geometry slot in vertical writing: one word down a column (pt, origin bottom-left).
    Its glyphs are centred on x (a vertical origin sits half a glyph's width right of the
    glyph's horizontal one); top is the first glyph's vertical origin, bottom the pen after
    the last glyph or that glyph's lowest ink (1.12 em below its origin with /DW2's
    default 880 position vector), whichever is lower."""

    page: int
    x: float
    top: float
    bottom: float
    size: float


@dataclass
class PageTemplate:
    chunks: list[Chunk]
    marked_fonts: dict[str, bytes] = field(default_factory=dict)  # marked name -> CMap
    marked_of: dict[str, str] = field(default_factory=dict)  # marked name -> original name
    marked_codes: dict[str, set[int]] = field(default_factory=dict)  # marked name -> hook codes
    has_lines: bool = False  # shows line tokens (needs LINE_FONT when text is on)
    subs: list[Sub] = field(default_factory=list)

    def index(self, n_text: int, n_geo: int, n_lines: int) -> None:
        """Flatten chunks into sub-chunks, each kept when one choice has one value. The choice
        vector (see choices) is the text bits (0 or 2 with the channel off: the plain glyph),
        the geometry bits (2 = off),
        the line symbols (LINE_OFF = none) and a last entry that is 1 when line tokens are on.
        A marked glyph shares its literal with the plain one and a token its font switches
        with every other token, so only the differing bytes are alternatives."""
        flag = n_text + n_geo + n_lines
        self.subs = []
        for c in self.chunks:
            if isinstance(c, bytes):
                self.subs.append((c, -1, 0))
            elif isinstance(c, TextHook):
                self.subs += _text_subs(c)
            elif isinstance(c, GeoHook):
                key = n_text + c.slot
                self.subs += [(c.minus, key, 0), (c.plus, key, 1)]
            else:
                key = n_text + n_geo + c.slot
                self.subs.append((c.prefix, flag, 1))
                self.subs += [(line_code(s), key, s) for s in range(RADIX)]
                self.subs.append((c.suffix, flag, 1))
                if c.off:
                    self.subs.append((c.off, flag, 0))


def _text_subs(c: TextHook) -> list[Sub]:
    return [(c.on, c.slot, 1), (c.glyph, -1, 0), (c.off, c.slot, 1)]


@dataclass
class Analysis:
    text: str
    page_text: list[str]
    page_offset: list[int]
    text_slots: tuple[Slot, ...]
    geo_slots: tuple[WordBox | ColumnBox, ...]
    pages: list[PageTemplate]
    page_sizes: list[tuple[float, float]]
    line_slots: tuple[int, ...] = ()  # line_ends(text) + line_starts(text): a token at each
    n_line_ends: int = 0
    primary: tuple[bool, ...] = ()  # text.first_in_word: the slots a sparse code marks

    @property
    def line_ends(self) -> tuple[int, ...]:
        return self.line_slots[: self.n_line_ends]

    @property
    def line_starts(self) -> tuple[int, ...]:
        return self.line_slots[self.n_line_ends:]


def _page_nbytes(pt: PageTemplate) -> int:
    """Chunk bytes plus per-object overhead; `subs` mostly re-reference the chunks' bytes."""
    size = 72 * len(pt.subs) + sum(len(c) for c in pt.marked_fonts.values())
    for c in pt.chunks:
        if isinstance(c, bytes):
            size += 33 + len(c)
        elif isinstance(c, TextHook):
            size += 150 + len(c.glyph) + len(c.on) + len(c.off)
        elif isinstance(c, GeoHook):
            size += 150 + len(c.plus) + len(c.minus)
        else:
            size += 150 + len(c.prefix) + len(c.suffix)
    return size


def analysis_nbytes(an: Analysis) -> int:
    """Approximate memory of an Analysis (for the owner's byte budget)."""
    texts = sys.getsizeof(an.text) + sum(sys.getsizeof(t) for t in an.page_text)
    slots = slots_nbytes(an.text_slots) + 120 * len(an.geo_slots) + 40 * len(an.line_slots)
    return texts + slots + sum(_page_nbytes(pt) for pt in an.pages)


def literal(data: bytes) -> bytes:
    return b"(" + _escaped(data) + b")"


def _escaped(data: bytes) -> bytes:
    """`data` as written between a literal string's parentheses."""
    out = bytearray()
    for b in data:
        if b in (0x28, 0x29, 0x5C):
            out += b"\\" + bytes([b])
        elif 32 <= b < 127:
            out.append(b)
        else:
            out += b"\\%03o" % b
    return bytes(out)


def _num(x: float) -> bytes:
    return (b"%.3f" % x).rstrip(b"0").rstrip(b".") or b"0"


def _inner(data: bytes, hexa: bool) -> bytes:
    """`data` as written inside a PDF string: hex digits for the multi-byte codes of
    composite fonts, as producers write them; a literal's escaped bytes otherwise."""
    return data.hex().upper().encode() if hexa else _escaped(data)


def _exact(x: float) -> bytes:
    """A font size as written, to the precision producers use (Tf is repeated after every
    marked glyph: a rounded size would rescale the rest of the text)."""
    return (b"%.10f" % x).rstrip(b"0").rstrip(b".") or b"0"


def _geo_ok(show: Show) -> bool:
    return 6 <= show.size * show.scale <= 30


def _continues(pshow: Show, pg: Glyph, show: Show, g: Glyph, em: float) -> bool:
    if pshow.vertical or show.vertical:  # down the same column, from where pg left the pen
        return (pshow.vertical and show.vertical
                and abs(pshow.size * pshow.scale - show.size * show.scale) < 1e-6
                and abs(g.x - pg.x) < 0.01 * em and abs(pg.y - pg.adv - g.y) < 0.15 * em)
    return (not pshow.simple and not show.simple
            and abs(pshow.size * pshow.scale - show.size * show.scale) < 1e-6
            and abs(g.y - pg.y) < 0.01 * em and abs(g.x - (pg.x + pg.adv)) < 0.15 * em)


def _words(shows: Sequence[Show]) -> list[list[tuple[int, int, int]]]:
    """Words of at least 3 glyphs in reading order, as (show, first, last) glyph segments.

    Within one showing operator a word is a run of glyphs with text and no space (as it
    always was: the slots of originals marked before keep their numbers). In a composite
    font a word may also continue into the next operator (browsers show one glyph per Tj)
    when it starts on the same baseline where the previous glyph ended, at the same size
    (in vertical writing: in the same column, below it)."""
    out: list[list[tuple[int, int, int]]] = []
    word: list[tuple[int, int]] = []
    prev: tuple[int, Glyph] | None = None

    def close() -> None:
        if len(word) >= 3:
            segs: list[tuple[int, int, int]] = []
            for si, gi in word:
                if segs and segs[-1][0] == si and segs[-1][2] == gi - 1:
                    segs[-1] = (si, segs[-1][1], gi)
                else:
                    segs.append((si, gi, gi))
            out.append(segs)
        word.clear()

    for si, show in enumerate(shows):
        em = max(show.size * show.scale, 1.0)
        for gi, g in enumerate(show.glyphs):
            if not g.text or g.text.isspace() or not _geo_ok(show):
                close()
                prev = None
                continue
            if prev is not None and prev[0] != si and not _continues(shows[prev[0]], prev[1],
                                                                     show, g, em):
                close()
            word.append((si, gi))
            prev = (si, g)
    close()
    return out


def _marked_name(font: str) -> str:
    return "/SRm" + "".join(c for c in font[1:] if c.isalnum())


def _cmap_for(page: Any, font: str, codes: set[int]) -> bytes:
    """The marked copy's ToUnicode: each hook glyph's code mapped to its variant. The copy
    shows nothing but hook glyphs (one per marked slot), so only their codes are listed: a
    copy of the whole map made a 4 KB letter half again as large."""
    info = font_info(page.obj.Resources.Font[font])
    mapping = {c: _VARIANTS.get(u, u) for c in sorted(codes)
               if (u := info.unicode.get(c)) and (c < 256 or not info.simple)}
    return build_tounicode(mapping, info.codespace)


def _add_cmaps(pdf_pages: Sequence[Any], pages: Sequence[PageTemplate]) -> None:
    """Every page's marked copies' ToUnicode maps, over the hook codes of all pages that show
    the same font under the same name (mark_structure shares one copy among them)."""
    key_of: dict[tuple[int, str], tuple[Any, ...]] = {}
    union: dict[tuple[Any, ...], set[int]] = {}
    for k, pt in enumerate(pages):
        for mname, font in pt.marked_of.items():
            key = (*pdf_pages[k].obj.Resources.Font[font].objgen, mname)
            key_of[(k, mname)] = key
            union.setdefault(key, set()).update(pt.marked_codes.get(mname, ()))
    for k, pt in enumerate(pages):
        for mname, font in pt.marked_of.items():
            pt.marked_fonts[mname] = _cmap_for(pdf_pages[k], font, union[key_of[(k, mname)]])


Segment = dict[tuple[int, int], GeoHook]  # (show, glyph) -> hook


class _Builder:
    def __init__(self) -> None:
        self.text_hooks: dict[tuple[int, int, int], int] = {}  # (page, show, glyph) -> slot
        # (page, show, glyph) -> line slot, for the token after (ends) or before (starts)
        self.line_ends: dict[tuple[int, int, int], int] = {}
        self.line_starts: dict[tuple[int, int, int], int] = {}
        self.geo: list[WordBox | ColumnBox] = []
        self.segments: list[tuple[Segment, Segment]] = []  # per page: (starts, ends)

    def plan_words(self, pages: Sequence[Sequence[Show]]) -> None:
        """Geometry slots of every page: the words of horizontal shows first, page by page,
        in the numbering copies issued before vertical writing had slots read by; then the
        words of vertical shows, which such copies never shifted (they read as erasures)."""
        self.segments = [({}, {}) for _ in pages]
        words = [_words(shows) for shows in pages]
        for vertical in (False, True):
            for page, shows in enumerate(pages):
                for segs in words[page]:
                    if shows[segs[0][0]].vertical == vertical:
                        self._word(page, shows, segs)

    def _word(self, page: int, shows: Sequence[Show], segs: list[tuple[int, int, int]]
              ) -> None:
        """One word's slot: a shift before its first glyph and its reversal after its last
        glyph IN EACH SHOW it spans, so every show leaves the pen where the original left it
        and only the word's own glyphs move. A positive TJ number moves the next glyph left
        in horizontal writing and down in vertical writing: bit 1 moves the word right, or
        down its column."""
        starts, ends = self.segments[page]
        slot = len(self.geo)
        first, last = segs[0], segs[-1]
        show0 = shows[first[0]]
        g0 = show0.glyphs[first[1]]
        g1 = shows[last[0]].glyphs[last[2]]
        em = show0.size * show0.scale
        if show0.vertical:
            self.geo.append(ColumnBox(page, g0.x, g0.y, min(g1.y - g1.adv, g1.y - 1.12 * em),
                                      em))
        else:
            self.geo.append(WordBox(page, g0.x, g1.x + g1.adv, g0.y, em))
        sign = -1 if show0.vertical else 1
        for si, a, b in segs:
            # Whole thousandths of an em: within 3.4 % of the shift for text up to 30 pt,
            # and half the bytes of three decimals in every word's two numbers.
            k = sign * round(GEOMETRY_SHIFT_PT * 1000.0 / (shows[si].size * shows[si].scale))
            starts[(si, a)] = GeoHook(slot, _num(-k) + b" ", _num(k) + b" ")
            ends[(si, b)] = GeoHook(slot, _num(k) + b" ", _num(-k) + b" ")

    def show_chunks(self, page: int, si: int, show: Show, pt: PageTemplate,
                    starts: Segment, ends: Segment) -> list[Chunk]:
        mname = _marked_name(show.font)
        size = _exact(show.size)
        hexa = not show.simple
        opener, closer = (b"<", b">") if hexa else (b"(", b")")
        # A marked glyph closes the string it is in, is shown alone in the marked font and
        # opens the rest of the string again; unmarked, it is one more byte of that string.
        on = closer + b"] TJ " + mname.encode() + b" " + size + b" Tf [" + opener
        off = closer + b"] TJ " + show.font.encode() + b" " + size + b" Tf [" + opener
        chunks: list[Chunk] = [b"["]
        inner: list[Chunk] = []  # the open string's pieces
        run = bytearray()

        def cut() -> None:
            if run:
                inner.append(_inner(bytes(run), hexa))
                run.clear()

        def flush() -> None:
            cut()
            if inner:
                chunks.extend((opener, *inner, closer))
                inner.clear()

        for gi, g in enumerate(show.glyphs):
            start, end = starts.get((si, gi)), ends.get((si, gi))
            tslot = self.text_hooks.get((page, si, gi))
            at = (page, si, gi)
            # Only a number or a token before the glyph ends the string it is in.
            if g.adj or start or at in self.line_starts:
                flush()
            if g.adj:
                chunks.append(_num(g.adj) + b" ")
            if at in self.line_starts:
                opens = chunks == [b"["]
                hook = _line_hook(self.line_starts[at], show, size, before=True, edge=opens)
                chunks[:] = [hook] if opens else [*chunks, hook]
                pt.has_lines = True
            if start is not None:
                chunks.append(start)
            if tslot is None:
                run += g.raw
            else:
                cut()
                inner.append(TextHook(tslot, _inner(g.raw, hexa), on, off))
                pt.marked_of[mname] = show.font
                pt.marked_codes.setdefault(mname, set()).add(g.code)
            self._after(chunks, flush, at, end, show, size, pt)
        flush()
        last = chunks[-1]  # a line's end token right at the array's end closes the array
        if isinstance(last, LineHook) and not last.off and last.prefix.startswith(b"] TJ ") \
                and show.glyphs and (page, si, len(show.glyphs) - 1) in self.line_ends:
            chunks[-1] = _line_hook(last.slot, show, size, before=False, edge=True)
        else:
            chunks.append(b"] TJ\n")
        return chunks

    def _after(self, chunks: list[Chunk], flush: Callable[[], None], at: tuple[int, int, int],
               end: GeoHook | None, show: Show, size: bytes, pt: PageTemplate) -> None:
        """The hooks after a glyph: its word's shift reversed, the line's end token."""
        if end is not None:
            flush()
            chunks.append(end)
        if at in self.line_ends:
            flush()
            chunks.append(_line_hook(self.line_ends[at], show, size, before=False))
            pt.has_lines = True


def _line_hook(line: int, show: Show, size: bytes, before: bool, edge: bool = False
               ) -> LineHook:
    """A line's token: a space's width back (before its first glyph) or on (after its last),
    the empty glyph (it advances by the character spacing only), back by both, and the show's
    own font again: the pen ends where it was. At the `edge` of the show's array the token
    opens it (before) or closes it (after)."""
    gap = LINE_GAP if before else -LINE_GAP
    back = -gap + show.tc * 1000.0 / show.size
    to_token = LINE_FONT.encode() + b" " + size + b" Tf [" + _num(gap) + b" "
    back_to = b" " + _num(back) + b"] TJ " + show.font.encode() + b" " + size + b" Tf"
    if edge and before:
        return LineHook(line, to_token, back_to + b" [", off=b"[")
    if edge:
        return LineHook(line, b"] TJ " + to_token, back_to + b"\n", off=b"] TJ\n")
    return LineHook(line, b"] TJ " + to_token, back_to + b" [")


def _prefix(operator: str, operands: list[Any]) -> bytes:
    if operator == "'":
        return b"T*\n"
    if operator == '"':
        return _num(float(operands[0])) + b" Tw " + _num(float(operands[1])) + b" Tc T*\n"
    return b""


def _page_template(ops: list[Any], shows: list[Show], page: int,
                   builder: _Builder) -> PageTemplate:
    pt = PageTemplate(chunks=[])
    by_op = {s.op_index: (si, s) for si, s in enumerate(shows)}
    starts, ends = builder.segments[page]
    pending: list[Any] = []
    for i, (operands, operator) in enumerate(ops):
        hit = by_op.get(i)
        if hit is None:
            pending.append((operands, operator))
            continue
        if pending:
            pt.chunks.append(pikepdf.unparse_content_stream(pending) + b"\n")
            pending = []
        pt.chunks.append(_prefix(str(operator), list(operands)))
        pt.chunks += builder.show_chunks(page, hit[0], hit[1], pt, starts, ends)
    if pending:
        pt.chunks.append(pikepdf.unparse_content_stream(pending) + b"\n")
    pt.chunks = _merge(pt.chunks)
    return pt


def _merge(chunks: list[Chunk]) -> list[Chunk]:
    out: list[Chunk] = []
    for c in chunks:
        if isinstance(c, bytes) and out and isinstance(out[-1], bytes):
            out[-1] = out[-1] + c
        else:
            out.append(c)
    return out


def analysis(prep: Prepared) -> Analysis:
    """The analysis of a prepared PDF original, built on first use and kept with it."""
    return prep.derive("pdf.analysis", lambda: analyse(prep), analysis_nbytes)


def analyse(original: bytes | Prepared) -> Analysis:
    """Everything derived from the original alone (pure; uncached: see analysis())."""
    prep = original if isinstance(original, Prepared) else Prepared(original, "application/pdf")
    with open_original(prep) as pdf:
        parsed = [(p, pikepdf.parse_content_stream(p)) for p in pdf.pages]
        walked = [walk(p, ops) for p, ops in parsed]
        texts, wheres = zip(*(join_text(s) for s in walked), strict=True) if walked else ((), ())
        offsets, full = [], ""
        for t in texts:
            offsets.append(len(full))
            full += t + PAGE_SEP
        builder = _Builder()
        builder.plan_words(walked)
        slots: list[Slot] = []
        for slot in find_slots(full):
            page = max(k for k, off in enumerate(offsets) if off <= slot.pos)
            w = wheres[page][slot.pos - offsets[page]]
            if w is None:
                continue
            show = walked[page][w[0]]
            if len(show.glyphs[w[1]].text) == 1:
                builder.text_hooks[(page, w[0], w[1])] = len(slots)
                slots.append(slot)
        ends = line_ends(full)
        lines = ends + line_starts(full)
        for n, pos in enumerate(lines):
            page = max(k for k, off in enumerate(offsets) if off <= pos)
            w = wheres[page][pos - offsets[page]]
            if w is not None and _line_ok(walked[page][w[0]]):
                hooks = builder.line_ends if n < len(ends) else builder.line_starts
                hooks[(page, w[0], w[1])] = n
        pages = [_page_template(ops, walked[k], k, builder)
                 for k, (_, ops) in enumerate(parsed)]
        _add_cmaps(list(pdf.pages), pages)
        for pt in pages:
            pt.index(len(slots), len(builder.geo), len(lines))
        sizes = [(float(p.mediabox[2]), float(p.mediabox[3])) for p in pdf.pages]
    return Analysis(full, list(texts), offsets, tuple(slots), tuple(builder.geo), pages, sizes,
                    lines, len(ends), first_in_word(full, slots))


def _line_ok(show: Show) -> bool:
    """A token needs a show with a size (its gap is a TJ number in the token font, which
    writes horizontally: beside a column's first or last glyph, the pen back where it was)."""
    return show.size > 0


def choices(text_bits: Sequence[int], geo_bits: Sequence[int], line_symbols: Sequence[int],
            lines_on: bool) -> tuple[int, ...]:
    """One download's choice per hook key (see PageTemplate.index), then the fixed 0 that
    key -1 reads."""
    return (*text_bits, *geo_bits, *line_symbols, int(lines_on), 0)


def fill(pt: PageTemplate, choice: tuple[int, ...]) -> bytes:
    """The page content for one download: the sub-chunks its choices keep (the reference
    for pdffill.fill_bodies)."""
    return b"".join(data for data, key, want in pt.subs if choice[key] == want)
