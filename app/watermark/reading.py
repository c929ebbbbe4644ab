"""What a decoder read from one piece of evidence, before any candidate is considered.

Keeping this candidate-free is what makes the null hypothesis hold: everything here is a
function of the evidence and the stored original only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from .model import Issue


@dataclass
class BitReading:
    """Decoded slots of one layer: 0/1 (or an m-ary symbol); None = erased."""

    label: str
    values: list[int | None]
    p_null: Fraction = Fraction(1, 2)
    symbols: bool = False  # values are m-ary symbols from code_symbols, not code_bits
    tokens: int = 0  # the last `tokens` values are line-token bits (lines.py)
    primary: tuple[bool, ...] = ()  # per character slot: one a sparse code may mark
    # The mark schemes (model.MARK_SCHEMES) whose copies carry these slots; empty: every one.
    # A layer read twice, once per layout, is kept under "layer/variant" keys.
    schemes: tuple[int, ...] = ()

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
    errors: list[Issue] = field(default_factory=list)

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
        self.errors += other.errors


class Unreadable(Exception):  # noqa: N818 - an outcome, not a failure: see Issue
    """The evidence is not readable as what a layer takes it for (not a PDF, not an image).
    An expected outcome that reads no marks, never an Issue. Raised only where the EVIDENCE
    is parsed: a failure on the stored original is a genuine error."""


def guarded(r: Reading, stage: str, step: Callable[[], Reading]) -> None:
    """Merge the reading of `step` into `r`. Unreadable evidence leaves a note; any other
    exception leaves an Issue in `r.errors`, so a crashing layer is reported and cannot pass
    for "no watermark", while the other layers still count. Dropping a layer only loses
    evidence: the union bound covers every layer whether it was read or not."""
    try:
        got = step()
    except Unreadable:
        r.notes.append(f"{stage}: evidence not readable for this layer")
        return
    except Exception as e:  # noqa: BLE001 - reported in Detection.errors, never hidden
        r.errors.append(Issue.of(stage, e))
        return
    r.merge(got)
