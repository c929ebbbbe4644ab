"""Plain-text and Markdown documents: character marks, canaries, and an appended footer."""

from __future__ import annotations

from collections.abc import Sequence

from crypto.fingerprint import code_bits

from . import canary
from .footer import footer_lines
from .model import Canary, MarkSpec
from .reading import BitReading, Reading
from .text import TEXT_LABEL, Slot, apply_bits, cached_slots, read_slots


def text_slots(original: str, canaries: Sequence[Canary]) -> tuple[Slot, ...]:
    slots = cached_slots(original)
    if not canaries:
        return slots
    skip = canary.covered(original, canaries)
    return tuple(s for s in slots if s.pos not in skip)


def embed_text_document(original: str, mark: MarkSpec) -> str:
    text = original
    if "text" in mark.channels:
        slots = text_slots(original, mark.canaries)
        text = apply_bits(text, slots, code_bits(mark.download_code, TEXT_LABEL, len(slots)))
    if "canary" in mark.channels and mark.canaries:
        text = canary.apply(text, original, mark.canaries, mark.download_code)
    line1, line2 = footer_lines(mark)
    return text.rstrip("\n") + "\n\n--\n" + line1 + "\n" + line2 + "\n"


def read_text(evidence: str, original: str, canaries: Sequence[Canary] = ()) -> Reading:
    """Decode text evidence against an original text (whose slots define the text layer)."""
    r = Reading(tag_texts=[evidence])
    slots = text_slots(original, canaries)
    values = read_slots(original, slots, evidence)
    r.bits["text"] = BitReading(TEXT_LABEL, values)
    if any(v == 1 for v in values):
        r.found.add("text")
    if canaries:
        vals = canary.decode(original, canaries, evidence)
        r.bits["canary"] = BitReading(
            canary.CANARY_LABEL, vals, canary.null_probability(original, canaries), symbols=True
        )
        if any(v not in (None, 0) for v in vals):
            r.found.add("canary")
    return r
