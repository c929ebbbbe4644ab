"""What a decoder read from one piece of evidence, before any candidate is considered.

Keeping this candidate-free is what makes the null hypothesis hold: everything here is a
function of the evidence and the stored original only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction


@dataclass
class BitReading:
    """Decoded slots of one layer: 0/1 (or an m-ary symbol); None = erased."""

    label: str
    values: list[int | None]
    p_null: Fraction = Fraction(1, 2)
    symbols: bool = False  # values are m-ary symbols from code_symbols, not code_bits

    @property
    def read(self) -> int:
        return sum(v is not None for v in self.values)


@dataclass
class Reading:
    tag_texts: list[str] = field(default_factory=list)  # footer text / OCR text to scan
    metadata_tags: list[str] = field(default_factory=list)
    bits: dict[str, BitReading] = field(default_factory=dict)
    found: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def merge(self, other: Reading) -> None:
        self.tag_texts += other.tag_texts
        self.metadata_tags += other.metadata_tags
        for layer, br in other.bits.items():
            mine = self.bits.get(layer)
            if mine is None:
                self.bits[layer] = br
            else:  # two readings of the same slots: keep agreeing values only
                mine.values = [
                    a if b is None or a == b else (b if a is None else None)
                    for a, b in zip(mine.values, br.values, strict=True)
                ]
        self.found |= other.found
        self.notes += other.notes
