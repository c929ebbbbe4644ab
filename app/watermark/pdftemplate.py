"""The original PDF, analysed once: page text, mark slots, and content-stream templates.

A template is the page's content stream split into fixed byte chunks and hooks: a text hook is a
glyph that may be shown with the marked font (same glyph, different ToUnicode), a geometry hook
is a TJ adjustment that shifts one word by +/-delta and back. `fill` is the reference filling of
one page for one download; downloads use the equivalent byte mask of pdffill.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import getitem
from typing import Any

import pikepdf

from .pdfcontent import Show, join_text, walk
from .pdffonts import build_tounicode, font_info
from .prepared import Prepared
from .text import HOMOGLYPHS, TYPOGRAPHIC, Slot, find_slots, slots_nbytes

GEOMETRY_SHIFT_PT = 0.45
_VARIANTS = {**HOMOGLYPHS, **TYPOGRAPHIC}
PAGE_SEP = "\n\n"


@dataclass(frozen=True)
class TextHook:
    slot: int
    literal: bytes  # "(x)" for the glyph
    marked: bytes  # "] TJ /SRmF2 11 Tf [(x)] TJ /F2 11 Tf [": same glyph, marked font


@dataclass(frozen=True)
class GeoHook:
    slot: int
    plus: bytes  # TJ number when the bit is 1
    minus: bytes  # TJ number when the bit is 0


Chunk = bytes | TextHook | GeoHook


@dataclass(frozen=True)
class WordBox:
    """A geometry slot: one word's box in page space (pt, origin bottom-left)."""

    page: int
    x0: float
    x1: float
    y: float  # baseline
    size: float


@dataclass
class PageTemplate:
    chunks: list[Chunk]
    marked_fonts: dict[str, bytes] = field(default_factory=dict)  # marked name -> CMap
    marked_of: dict[str, str] = field(default_factory=dict)  # marked name -> original name
    alts: list[tuple[bytes, bytes, bytes]] = field(default_factory=list)
    keys: list[int] = field(default_factory=list)  # index into text bits + geometry bits + [0]

    def index(self, n_text: int) -> None:
        """Flatten chunks into (choice 0, 1, 2) alternatives; 2 = channel disabled."""
        self.alts, self.keys = [], []
        for c in self.chunks:
            if isinstance(c, bytes):
                self.alts.append((c, c, c))
                self.keys.append(-1)
            elif isinstance(c, TextHook):
                self.alts.append((c.literal, c.marked, c.literal))
                self.keys.append(c.slot)
            else:
                self.alts.append((c.minus, c.plus, b""))
                self.keys.append(n_text + c.slot)


@dataclass
class Analysis:
    text: str
    page_text: list[str]
    page_offset: list[int]
    text_slots: tuple[Slot, ...]
    geo_slots: tuple[WordBox, ...]
    pages: list[PageTemplate]
    page_sizes: list[tuple[float, float]]


def _page_nbytes(pt: PageTemplate) -> int:
    """Chunk bytes plus per-object overhead; `alts` mostly re-reference the chunks' bytes."""
    size = 72 * len(pt.alts) + sum(len(c) for c in pt.marked_fonts.values())
    for c in pt.chunks:
        if isinstance(c, bytes):
            size += 33 + len(c)
        elif isinstance(c, TextHook):
            size += 150 + len(c.literal) + len(c.marked)
        else:
            size += 150 + len(c.plus) + len(c.minus)
    return size


def analysis_nbytes(an: Analysis) -> int:
    """Approximate memory of an Analysis (for the owner's byte budget)."""
    texts = sys.getsizeof(an.text) + sum(sys.getsizeof(t) for t in an.page_text)
    slots = slots_nbytes(an.text_slots) + 120 * len(an.geo_slots)
    return texts + slots + sum(_page_nbytes(pt) for pt in an.pages)


def literal(data: bytes) -> bytes:
    out = bytearray(b"(")
    for b in data:
        if b in (0x28, 0x29, 0x5C):
            out += b"\\" + bytes([b])
        elif 32 <= b < 127:
            out.append(b)
        else:
            out += b"\\%03o" % b
    return bytes(out + b")")


def _num(x: float) -> bytes:
    return (b"%.3f" % x).rstrip(b"0").rstrip(b".") or b"0"


def _words(show: Show) -> list[tuple[int, int]]:
    """(first, last) glyph indices of words with at least 3 glyphs."""
    out: list[tuple[int, int]] = []
    start = None
    for k, g in enumerate([*show.glyphs, None]):
        if g is not None and g.text and not g.text.isspace():
            start = k if start is None else start
            continue
        if start is not None and k - start >= 3:
            out.append((start, k - 1))
        start = None
    return out


def _marked_name(font: str) -> str:
    return "/SRm" + "".join(c for c in font[1:] if c.isalnum())


def _cmap_for(page: Any, font: str) -> bytes:
    fonts = page.obj.Resources.Font
    info = font_info(fonts[font])
    mapping = {c: u for c, u in info.unicode.items() if u and c < 256}
    for code, u in list(mapping.items()):
        if u in _VARIANTS:
            mapping[code] = _VARIANTS[u]
    return build_tounicode(mapping)


class _Builder:
    def __init__(self) -> None:
        self.text_hooks: dict[tuple[int, int, int], int] = {}  # (page, show, glyph) -> slot
        self.geo: list[WordBox] = []

    def show_chunks(self, page: int, si: int, show: Show, pt: PageTemplate) -> list[Chunk]:
        mname = _marked_name(show.font)
        size = _num(show.size)
        on = b"] TJ " + mname.encode() + b" " + size + b" Tf ["
        off = b"] TJ " + show.font.encode() + b" " + size + b" Tf ["
        starts, ends = {}, {}
        if 6 <= show.size * show.scale <= 30:
            for a, b in _words(show):
                slot = len(self.geo)
                g0, g1 = show.glyphs[a], show.glyphs[b]
                self.geo.append(WordBox(page, g0.x, g1.x + g1.adv, g0.y, show.size * show.scale))
                k = GEOMETRY_SHIFT_PT * 1000.0 / (show.size * show.scale)
                starts[a] = GeoHook(slot, _num(-k) + b" ", _num(k) + b" ")
                ends[b] = GeoHook(slot, _num(k) + b" ", _num(-k) + b" ")
        chunks: list[Chunk] = [b"["]
        run = bytearray()

        def flush() -> None:
            if run:
                chunks.append(literal(bytes(run)))
                run.clear()

        for gi, g in enumerate(show.glyphs):
            hooked = g.adj or gi in starts or (page, si, gi) in self.text_hooks or gi in ends
            if not hooked:
                run.append(g.code)
                continue
            flush()
            if g.adj:
                chunks.append(_num(g.adj) + b" ")
            if gi in starts:
                chunks.append(starts[gi])
            tslot = self.text_hooks.get((page, si, gi))
            lit = literal(bytes([g.code]))
            if tslot is None:
                run.append(g.code)
            else:
                chunks.append(TextHook(tslot, lit, on + lit + off))
                pt.marked_of[mname] = show.font
            if gi in ends:
                flush()
                chunks.append(ends[gi])
        flush()
        chunks.append(b"] TJ\n")
        return chunks


def _prefix(operator: str, operands: list[Any]) -> bytes:
    if operator == "'":
        return b"T*\n"
    if operator == '"':
        return _num(float(operands[0])) + b" Tw " + _num(float(operands[1])) + b" Tc T*\n"
    return b""


def _page_template(pdf_page: Any, ops: list[Any], shows: list[Show], page: int,
                   builder: _Builder) -> PageTemplate:
    pt = PageTemplate(chunks=[])
    by_op = {s.op_index: (si, s) for si, s in enumerate(shows)}
    pending: list[Any] = []
    for i, (operands, operator) in enumerate(ops):
        hit = by_op.get(i)
        if hit is None or not hit[1].simple:
            pending.append((operands, operator))
            continue
        if pending:
            pt.chunks.append(pikepdf.unparse_content_stream(pending) + b"\n")
            pending = []
        pt.chunks.append(_prefix(str(operator), list(operands)))
        pt.chunks += builder.show_chunks(page, hit[0], hit[1], pt)
    if pending:
        pt.chunks.append(pikepdf.unparse_content_stream(pending) + b"\n")
    for mname, font in pt.marked_of.items():
        pt.marked_fonts[mname] = _cmap_for(pdf_page, font)
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
    return prep.derive("pdf.analysis", lambda: analyse(prep.original), analysis_nbytes)


def analyse(original: bytes) -> Analysis:
    """Everything derived from the original alone (pure; uncached: see analysis())."""
    with pikepdf.open(io.BytesIO(original)) as pdf:
        parsed = [(p, pikepdf.parse_content_stream(p)) for p in pdf.pages]
        walked = [walk(p, ops) for p, ops in parsed]
        texts, wheres = zip(*(join_text(s) for s in walked), strict=True) if walked else ((), ())
        offsets, full = [], ""
        for t in texts:
            offsets.append(len(full))
            full += t + PAGE_SEP
        builder = _Builder()
        slots: list[Slot] = []
        for slot in find_slots(full):
            page = max(k for k, off in enumerate(offsets) if off <= slot.pos)
            w = wheres[page][slot.pos - offsets[page]]
            if w is None:
                continue
            show = walked[page][w[0]]
            if show.simple and len(show.glyphs[w[1]].text) == 1:
                builder.text_hooks[(page, w[0], w[1])] = len(slots)
                slots.append(slot)
        pages = [_page_template(p, ops, walked[k], k, builder)
                 for k, (p, ops) in enumerate(parsed)]
        for pt in pages:
            pt.index(len(slots))
        sizes = [(float(p.mediabox[2]), float(p.mediabox[3])) for p in pdf.pages]
    return Analysis(full, list(texts), offsets, tuple(slots), tuple(builder.geo), pages, sizes)


def choices(text_bits: Sequence[int], geo_bits: Sequence[int]) -> tuple[int, ...]:
    """One download's choice per hook key (see PageTemplate.index); the last entry is fixed."""
    return (*text_bits, *geo_bits, 0)


def fill(pt: PageTemplate, choice: tuple[int, ...]) -> bytes:
    """The page content for one download: a join over precomputed alternatives (the reference
    for pdffill.fill_bodies)."""
    return b"".join(map(getitem, pt.alts, map(choice.__getitem__, pt.keys)))
