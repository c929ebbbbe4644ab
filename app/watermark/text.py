"""Text-layer marks: per-download character variants at slots chosen from the ORIGINAL text.

Slots are fixed by the original alone (so the decoder finds them without the code); the variant
used at slot i is bit i of the download's codeword (0 = original character, 1 = variant).
Variants survive NFKC, removal of Unicode Cf characters, whitespace collapse, copy-paste and
PDF text extraction; only retyping/ASCII folding removes them (the footer tag covers that).

Never touched: capitalised words (names, parties), tokens with digits, currency or section
signs (amounts, dates, citations). Only lowercase words get look-alike letters; quotes,
apostrophes and intra-word hyphens get their typographic alternative.

Decoding is informed: the evidence is aligned to the original after folding both (NFKC, no
whitespace, no Cf, variants folded to their base), so excerpts and reflowed text locate
correctly. A slot absent from the evidence is an erasure, never an error.
"""

from __future__ import annotations

import bisect
import difflib
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING, NamedTuple

from .lines import read_tokens

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

TEXT_LABEL = "text/v1"

# Latin letter -> Cyrillic look-alike (each is left unchanged by NFKC).
HOMOGLYPHS = {
    "a": "\u0430", "c": "\u0441", "e": "\u0435", "o": "\u043e", "p": "\u0440",
    "x": "\u0445", "i": "\u0456", "s": "\u0455", "y": "\u0443", "j": "\u0458",
}
# Typographic alternatives (the base is whichever form the original uses).
TYPOGRAPHIC = {
    "\u2019": "'", "'": "\u2019", "\u201c": '"', "\u201d": '"', "-": "\u2010",
}
_FOLD = {v: k for k, v in HOMOGLYPHS.items()}
_FOLD.update({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2010": "-"})
_WORD = re.compile(r"^[a-z]+(?:['\u2019\-][a-z]+)*$")
_EDGE = "()[]{}<>,.;:!?\"'\u201c\u201d\u2018\u2019"
_FORBIDDEN = re.compile(r"[0-9$\u00a7\u20ac\u00a3%#@/]")


class Slot(NamedTuple):
    """One mark slot (a tuple: an original has thousands, built at every analysis)."""

    pos: int  # index into the original text
    base: str
    variant: str


def _homoglyph_positions(word: str, start: int) -> list[int]:
    cand = [k for k, ch in enumerate(word) if ch in HOMOGLYPHS]
    if not cand:
        return []
    want = min(len(cand), 1 + (len(word) >= 6) + (len(word) >= 10))
    picks = sorted({cand[int((j + 0.5) * len(cand) / want)] for j in range(want)})
    return [start + k for k in picks]


def _typographic_ok(text: str, i: int) -> bool:
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    if prev.isdigit() or nxt.isdigit():
        return False
    if text[i] == "-":
        return prev.islower() and nxt.islower()
    return True


_TYPOGRAPHIC_CHAR = re.compile("[" + re.escape("".join(TYPOGRAPHIC)) + "]")
_TOKEN = re.compile(r"\S+")


def find_slots(text: str) -> tuple[Slot, ...]:
    """All mark slots of an original text, in reading order. (Typographic characters are
    found in one pass over the text; a word's letter slots are worked out once per distinct
    word, locally: nothing of the text is cached beyond this call.)"""
    slots = [Slot(m.start(), m.group(), TYPOGRAPHIC[m.group()])
             for m in _TYPOGRAPHIC_CHAR.finditer(text) if _typographic_ok(text, m.start())]
    letters: dict[str, list[int]] = {}
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        if _FORBIDDEN.search(tok):
            continue
        core = tok.strip(_EDGE)
        if not core:
            continue
        offsets = letters.get(core)
        if offsets is None:
            offsets = letters[core] = (_homoglyph_positions(core, 0)
                                       if _WORD.match(core) else [])
        start = m.start() + tok.index(core)
        slots += [Slot(start + k, text[start + k], HOMOGLYPHS[text[start + k]])
                  for k in offsets]
    slots.sort(key=lambda s: s.pos)
    return tuple(slots)


def first_in_word(text: str, slots: Sequence[Slot]) -> tuple[bool, ...]:
    """Per slot, whether it is the first slot of its word (a whitespace-delimited token):
    the slots a sparse code may mark, so that a marked word differs in one character."""
    out: list[bool] = []
    word_start = -1
    for slot in slots:
        start = slot.pos
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        out.append(start != word_start)
        word_start = start
    return tuple(out)


def slots_nbytes(slots: Sequence[Slot]) -> int:
    """Approximate memory of a slot tuple (for the owner's byte budget)."""
    return 64 + 200 * len(slots)


def apply_bits(text: str, slots: Sequence[Slot], bits: Sequence[int]) -> str:
    chars = list(text)
    for slot, bit in zip(slots, bits, strict=False):
        if bit:
            chars[slot.pos] = slot.variant
    return "".join(chars)


@cache
def _plain_ascii() -> npt.NDArray[np.bool_]:
    """ASCII characters that fold to themselves: everything but whitespace (NFKC leaves
    ASCII alone, no ASCII character is a format character or a variant). Built on first
    use: numpy is imported where it is used."""
    import numpy as np

    return np.array([not chr(c).isspace() for c in range(128)], dtype=bool)


def _fold_char(ch: str) -> str:
    """What one character folds to (NFKC, whitespace and Cf removed, variants folded)."""
    norm = unicodedata.normalize("NFKC", ch) if ord(ch) > 127 else ch
    return "".join(_FOLD.get(c, c) for c in norm
                   if not (c.isspace() or unicodedata.category(c) == "Cf"))


def fold(text: str) -> tuple[str, list[int]]:
    """Canonical form for alignment: per-char NFKC, whitespace and Cf removed, variants folded.
    Returns the folded string and, per folded char, its index in `text`. Plain ASCII is
    kept or dropped in one vectorised pass; every other character is folded once per
    distinct character."""
    if not text:
        return "", []
    import numpy as np

    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    ascii_ = cps < 128
    keep = ascii_ & _plain_ascii()[np.where(ascii_, cps, 0)]
    positions = np.flatnonzero(keep)
    other = np.flatnonzero(~ascii_)
    if other.size:
        folded_as: dict[int, str] = {}
        extra_pos: list[int] = []
        extra_cps: list[int] = []
        for i in other.tolist():
            cp = int(cps[i])
            out = folded_as.get(cp)
            if out is None:
                out = folded_as[cp] = _fold_char(chr(cp))
            for c in out:
                extra_pos.append(i)
                extra_cps.append(ord(c))
        all_pos = np.concatenate([positions, np.array(extra_pos, dtype=np.int64)])
        all_cps = np.concatenate([cps[positions], np.array(extra_cps, dtype=np.uint32)])
        order = np.argsort(all_pos, kind="stable")
        positions, out_cps = all_pos[order], all_cps[order]
    else:
        out_cps = cps[positions]
    return out_cps.astype(np.uint32).tobytes().decode("utf-32-le"), positions.tolist()


def _shingles(folded: str, k: int = 8) -> frozenset[str]:
    return frozenset(folded[i : i + k] for i in range(0, max(0, len(folded) - k + 1)))


@dataclass(frozen=True)
class FoldedText:
    """An original text prepared for informed decoding: its folded form and the index in
    `text` of each folded character (its 8-character shingles are built on first use). A
    function of the original only, built once and kept with the original by the caller (see
    prepared.py)."""

    text: str
    folded: str
    index: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> FoldedText:
        folded, idx = fold(text)
        return cls(text, folded, tuple(idx))

    @cached_property
    def shingles(self) -> frozenset[str]:
        return _shingles(self.folded)

    @property
    def nbytes(self) -> int:
        """Approximate memory: two strings, one int object per index entry, and (whether
        built yet or not) one short string and a set slot per shingle."""
        strings = sys.getsizeof(self.text) + sys.getsizeof(self.folded)
        return strings + 36 * len(self.index) + 100 * len(self.folded)


@dataclass(frozen=True)
class TextEvidence:
    """Text evidence folded once, to be read against several originals."""

    text: str
    folded: str
    index: tuple[int, ...]

    @classmethod
    def of(cls, text: str | TextEvidence) -> TextEvidence:
        if isinstance(text, TextEvidence):
            return text
        folded, idx = fold(text)
        return cls(text, folded, tuple(idx))


SEARCH_LIMIT = 20_000_000  # above (shingles x original length), build the shingle set


def _overlap(original: FoldedText, fe: str) -> float:
    """Share of the evidence's 8-character shingles that occur in the original (looked up
    by substring search, or in the original's shingle set once that is cheaper)."""
    ev = {fe[i : i + 8] for i in range(0, max(0, len(fe) - 7), 4)}
    if not ev:
        return 0.0
    fo = original.folded
    if "shingles" in original.__dict__ or len(ev) * len(fo) > SEARCH_LIMIT:
        return len(ev & original.shingles) / len(ev)
    return sum(1 for piece in ev if piece in fo) / len(ev)


def text_overlap(original: FoldedText, evidence: str) -> float:
    """How much of the evidence text is shared with the original (0..1), after folding."""
    return _overlap(original, fold(evidence)[0])


# Anchored alignment: SEED-character pieces of the evidence, every SEED_STEP characters,
# that occur at most MAX_SEED_HITS times in the original anchor exact blocks; only the gaps
# between anchors (at most GAP characters) are aligned character by character (difflib).
SEED = 12
SEED_STEP = 6
MAX_SEED_HITS = 4
GAP = 256


def _seeds(fo: str, fe: str) -> list[tuple[int, int]]:
    """(evidence position, original position) of every usable seed."""
    out: list[tuple[int, int]] = []
    last = len(fe) - SEED
    starts = list(range(0, last + 1, SEED_STEP))
    if starts and starts[-1] != last:
        starts.append(last)
    for j in starts:
        piece = fe[j : j + SEED]
        hits: list[int] = []
        i = fo.find(piece)
        while i >= 0 and len(hits) <= MAX_SEED_HITS:
            hits.append(i)
            i = fo.find(piece, i + 1)
        if len(hits) <= MAX_SEED_HITS:  # a piece found everywhere anchors nothing
            out += [(j, i) for i in hits]
    return out


def _chain(seeds: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest chain of seeds increasing in both texts (patience sorting)."""
    order = sorted(seeds, key=lambda s: (s[0], -s[1]))
    tails: list[int] = []  # original position ending the best chain of each length
    tail_at: list[int] = []  # index in `order` of that seed
    back: list[int] = [-1] * len(order)
    for k, (_, i) in enumerate(order):
        n = bisect.bisect_left(tails, i)
        back[k] = tail_at[n - 1] if n else -1
        if n == len(tails):
            tails.append(i)
            tail_at.append(k)
        else:
            tails[n], tail_at[n] = i, k
    chain: list[tuple[int, int]] = []
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        chain.append(order[k])
        k = back[k]
    return chain[::-1]


def _anchor_blocks(chain: list[tuple[int, int]]) -> list[list[int]]:
    """Exact blocks [original position, evidence position, size] from the chained seeds:
    merged along a diagonal, trimmed where they overlap the block before."""
    blocks: list[list[int]] = []
    for j, i in chain:
        size = SEED
        if blocks:
            a, b, n = blocks[-1]
            if i - j == a - b and j <= b + n:  # the same diagonal, touching: one block
                blocks[-1][2] = max(n, j + SEED - b)
                continue
            cut = max(a + n - i, b + n - j, 0)
            if cut >= SEED:
                continue
            i, j, size = i + cut, j + cut, SEED - cut
        blocks.append([i, j, size])
    return blocks


def _extend(fo: str, fe: str, blocks: list[list[int]]) -> None:
    for k, blk in enumerate(blocks):
        a, b, n = blk
        lo_a = blocks[k - 1][0] + blocks[k - 1][2] if k else 0
        lo_b = blocks[k - 1][1] + blocks[k - 1][2] if k else 0
        while a > lo_a and b > lo_b and fo[a - 1] == fe[b - 1]:
            a, b, n = a - 1, b - 1, n + 1
        hi_a = blocks[k + 1][0] if k + 1 < len(blocks) else len(fo)
        hi_b = blocks[k + 1][1] if k + 1 < len(blocks) else len(fe)
        while a + n < hi_a and b + n < hi_b and fo[a + n] == fe[b + n]:
            n += 1
        blk[:] = [a, b, n]


def _gap_blocks(fo: str, fe: str, a0: int, a1: int, b0: int, b1: int
                ) -> list[tuple[int, int, int]]:
    if a1 <= a0 or b1 <= b0 or a1 - a0 > 2 * GAP or b1 - b0 > GAP:
        return []
    sm = difflib.SequenceMatcher(None, fo[a0:a1], fe[b0:b1], autojunk=False)
    return [(a0 + m.a, b0 + m.b, m.size) for m in sm.get_matching_blocks() if m.size >= 3]


def anchored_blocks(fo: str, fe: str) -> list[tuple[int, int, int]] | None:
    """Matching blocks (original position, evidence position, size) of the evidence in the
    original, aligned around anchors; None when no seed anchors anything."""
    chain = _chain(_seeds(fo, fe))
    if not chain:
        return None
    blocks = _anchor_blocks(chain)
    _extend(fo, fe, blocks)
    out: list[tuple[int, int, int]] = []
    first_a, first_b = blocks[0][0], blocks[0][1]
    out += _gap_blocks(fo, fe, max(0, first_a - first_b - SEED), first_a, 0, first_b)
    for k, (a, b, n) in enumerate(blocks):
        out.append((a, b, n))
        na, nb = (blocks[k + 1][0], blocks[k + 1][1]) if k + 1 < len(blocks) else (
            min(len(fo), a + n + (len(fe) - b - n) + SEED), len(fe))
        out += _gap_blocks(fo, fe, a + n, na, b + n, nb)
    return out


def align(original: FoldedText, evidence: str | TextEvidence) -> dict[int, int]:
    """Map original indices to evidence indices where the folded texts match."""
    fo, io = original.folded, original.index
    ev = TextEvidence.of(evidence)
    fe, ie = ev.folded, ev.index
    mapping: dict[int, int] = {}
    if not fe:
        return mapping
    at = fo.find(fe)
    if at >= 0 and fo.find(fe, at + 1) < 0:  # an exact, unique excerpt: no diff needed
        blocks: list[tuple[int, int, int]] | None = [(at, 0, len(fe))]
    elif _overlap(original, fe) < 0.2:  # another document: nothing to align
        return mapping
    else:
        blocks = anchored_blocks(fo, fe)
    if blocks is None:  # nothing anchored (a heavily garbled copy): the whole texts
        sm = difflib.SequenceMatcher(None, fo, fe, autojunk=False)
        blocks = [(b.a, b.b, b.size) for b in sm.get_matching_blocks() if b.size >= 3]
    for a, b, size in blocks:
        for k in range(size):
            mapping.setdefault(io[a + k], ie[b + k])
    return mapping


def read_slots(original: FoldedText, slots: Sequence[Slot], evidence: str | TextEvidence
               ) -> list[int | None]:
    """0/1 per slot as found in the evidence; None where the slot is absent or unreadable."""
    ev = TextEvidence.of(evidence)
    return _slot_values(ev.text, slots, align(original, ev))


def read_marks(original: FoldedText, slots: Sequence[Slot], ends: Sequence[int],
               starts: Sequence[int], evidence: str | TextEvidence
               ) -> tuple[list[int | None], list[int | None]]:
    """The character slots (as read_slots) and the line tokens (lines.py) at `ends` and
    `starts`, read through one alignment of the evidence."""
    ev = TextEvidence.of(evidence)
    mapping = align(original, ev)
    return (_slot_values(ev.text, slots, mapping),
            read_tokens(ev.text, mapping, ends, starts))


def _slot_values(text: str, slots: Sequence[Slot], mapping: dict[int, int]
                 ) -> list[int | None]:
    out: list[int | None] = []
    for slot in slots:
        j = mapping.get(slot.pos)
        if j is None:
            out.append(None)
            continue
        ch = text[j]
        ch = unicodedata.normalize("NFKC", ch) if ord(ch) > 127 else ch
        out.append(0 if ch == slot.base else 1 if ch == slot.variant else None)
    return out
