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

import difflib
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Slot:
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


def find_slots(text: str) -> tuple[Slot, ...]:
    """All mark slots of an original text, in reading order."""
    slots: list[Slot] = []
    for m in re.finditer(r"\S+", text):
        tok, start = m.group(0), m.start()
        for k, ch in enumerate(tok):
            if ch in TYPOGRAPHIC and _typographic_ok(text, start + k):
                slots.append(Slot(start + k, ch, TYPOGRAPHIC[ch]))
        if _FORBIDDEN.search(tok):
            continue
        core = tok.strip(_EDGE)
        if not core or not _WORD.match(core):
            continue
        for p in _homoglyph_positions(core, start + tok.index(core)):
            slots.append(Slot(p, text[p], HOMOGLYPHS[text[p]]))
    slots.sort(key=lambda s: s.pos)
    return tuple(slots)


def slots_nbytes(slots: Sequence[Slot]) -> int:
    """Approximate memory of a slot tuple (for the owner's byte budget)."""
    return 64 + 200 * len(slots)


def apply_bits(text: str, slots: Sequence[Slot], bits: Sequence[int]) -> str:
    chars = list(text)
    for slot, bit in zip(slots, bits, strict=False):
        if bit:
            chars[slot.pos] = slot.variant
    return "".join(chars)


def fold(text: str) -> tuple[str, list[int]]:
    """Canonical form for alignment: per-char NFKC, whitespace and Cf removed, variants folded.
    Returns the folded string and, per folded char, its index in `text`."""
    out: list[str] = []
    idx: list[int] = []
    for i, ch in enumerate(text):
        norm = unicodedata.normalize("NFKC", ch) if ord(ch) > 127 else ch
        for c in norm:
            if c.isspace() or unicodedata.category(c) == "Cf":
                continue
            out.append(_FOLD.get(c, c))
            idx.append(i)
    return "".join(out), idx


def _shingles(folded: str, k: int = 8) -> frozenset[str]:
    return frozenset(folded[i : i + k] for i in range(0, max(0, len(folded) - k + 1)))


@dataclass(frozen=True)
class FoldedText:
    """An original text prepared for informed decoding: its folded form, the index in `text`
    of each folded character, and the folded text's 8-character shingles. A function of the
    original only, built once and kept with the original by the caller (see prepared.py)."""

    text: str
    folded: str
    index: tuple[int, ...]
    shingles: frozenset[str]

    @classmethod
    def of(cls, text: str) -> FoldedText:
        folded, idx = fold(text)
        return cls(text, folded, tuple(idx), _shingles(folded))

    @property
    def nbytes(self) -> int:
        """Approximate memory: two strings, one int object per index entry, one short string
        and a set slot per shingle."""
        strings = sys.getsizeof(self.text) + sys.getsizeof(self.folded)
        return strings + 36 * len(self.index) + 100 * len(self.shingles)


def _overlap(original: FoldedText, fe: str) -> float:
    """Share of the evidence's 8-character shingles that occur in the original."""
    ev = {fe[i : i + 8] for i in range(0, max(0, len(fe) - 7), 4)}
    if not ev:
        return 0.0
    return len(ev & original.shingles) / len(ev)


def text_overlap(original: FoldedText, evidence: str) -> float:
    """How much of the evidence text is shared with the original (0..1), after folding."""
    return _overlap(original, fold(evidence)[0])


def align(original: FoldedText, evidence: str) -> dict[int, int]:
    """Map original indices to evidence indices where the folded texts match."""
    fo, io = original.folded, original.index
    fe, ie = fold(evidence)
    mapping: dict[int, int] = {}
    if not fe:
        return mapping
    at = fo.find(fe)
    if at >= 0 and fo.find(fe, at + 1) < 0:  # an exact, unique excerpt: no diff needed
        blocks = [(at, 0, len(fe))]
    elif _overlap(original, fe) < 0.2:  # another document: nothing to align (and difflib is slow)
        return mapping
    else:
        sm = difflib.SequenceMatcher(None, fo, fe, autojunk=False)
        blocks = [(b.a, b.b, b.size) for b in sm.get_matching_blocks() if b.size >= 3]
    for a, b, size in blocks:
        for k in range(size):
            mapping.setdefault(io[a + k], ie[b + k])
    return mapping


def read_slots(original: FoldedText, slots: Sequence[Slot], evidence: str
               ) -> list[int | None]:
    """0/1 per slot as found in the evidence; None where the slot is absent or unreadable."""
    mapping = align(original, evidence)
    out: list[int | None] = []
    for slot in slots:
        j = mapping.get(slot.pos)
        if j is None:
            out.append(None)
            continue
        ch = evidence[j]
        ch = unicodedata.normalize("NFKC", ch) if ord(ch) > 127 else ch
        out.append(0 if ch == slot.base else 1 if ch == slot.variant else None)
    return out
