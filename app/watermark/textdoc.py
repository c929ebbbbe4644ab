"""Plain-text and Markdown documents: character marks, canaries, and the visible mark: a
footer appended after "--", or (positions "header" and "diagonal") the same lines opening the
document before "--". The protective order's legend, when the document has one, is the
mark's first line. Text slots are found in the original and read by alignment, so where the
mark sits does not move them."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from crypto.fingerprint import code_bits

from . import canary
from .footer import bates_of, footer_lines
from .model import Canary, MarkSpec
from .prepared import Prepared
from .reading import BitReading, Reading, guarded
from .text import (
    TEXT_LABEL,
    FoldedText,
    Slot,
    TextEvidence,
    apply_bits,
    find_slots,
    read_slots,
    slots_nbytes,
)


def original_text(prep: Prepared) -> str:
    """The decoded original, kept with it (decoded once, not per download or trace)."""
    return prep.derive("text.str", lambda: prep.original.decode("utf-8"), sys.getsizeof)


def _slots(prep: Prepared) -> tuple[Slot, ...]:
    return prep.derive("text.slots", lambda: find_slots(original_text(prep)), slots_nbytes)


def _folded(prep: Prepared) -> FoldedText:
    return prep.derive("text.folded", lambda: FoldedText.of(original_text(prep)),
                       lambda f: f.nbytes)


def text_slots(prep: Prepared, canaries: Sequence[Canary]) -> tuple[Slot, ...]:
    slots = _slots(prep)
    if not canaries:
        return slots
    skip = canary.covered(original_text(prep), canaries)
    return tuple(s for s in slots if s.pos not in skip)


def embed_text_document(prep: Prepared, mark: MarkSpec) -> str:
    original = original_text(prep)
    text = original
    if "text" in mark.channels:
        slots = text_slots(prep, mark.canaries)
        text = apply_bits(text, slots, code_bits(mark.download_code, TEXT_LABEL, len(slots)))
    if "canary" in mark.channels and mark.canaries:
        text = canary.apply(text, original, mark.canaries, mark.download_code)
    line1, line2 = footer_lines(mark)
    stamp = bates_of(mark, 0)
    block = (f"{mark.order_legend}\n" if mark.order_legend else "") + f"{line1}\n{line2}\n" \
        + (f"{stamp}\n" if stamp else "")
    if mark.position == "footer":
        return text.rstrip("\n") + "\n\n--\n" + block
    # A header (and, in plain text, the diagonal too: text has no angle) opens the document.
    return block + "--\n\n" + text.lstrip("\n")


def read_text(evidence: str, prep: Prepared, canaries: Sequence[Canary] = ()) -> Reading:
    """Decode text evidence against an original text (whose slots define the text layer).
    The footer tag is read from `tag_texts` by the scorer; each layer here fails alone."""
    r = Reading(tag_texts=[evidence])
    guarded(r, "text", lambda: _text_layer(evidence, prep, canaries))
    if canaries:
        guarded(r, "canary", lambda: _canary_layer(evidence, prep, canaries))
    return r


def _text_layer(evidence: str, prep: Prepared, canaries: Sequence[Canary]) -> Reading:
    return _slot_bits(evidence, _folded(prep), text_slots(prep, canaries))


def _slot_bits(evidence: str | TextEvidence, folded: FoldedText, slots: Sequence[Slot]
               ) -> Reading:
    r = Reading()
    values = read_slots(folded, slots, evidence)
    r.bits["text"] = BitReading(TEXT_LABEL, values)
    if any(v == 1 for v in values):
        r.found.add("text")
    return r


def read_text_slots(evidence: TextEvidence, folded: FoldedText, slots: Sequence[Slot]
                    ) -> Reading:
    """``read_text`` without canaries, from a stored text layer (see textlayer.py)."""
    r = Reading(tag_texts=[evidence.text])
    guarded(r, "text", lambda: _slot_bits(evidence, folded, slots))
    return r


def _canary_layer(evidence: str, prep: Prepared, canaries: Sequence[Canary]) -> Reading:
    r = Reading()
    original = original_text(prep)
    vals = canary.decode(original, canaries, evidence)
    r.bits["canary"] = BitReading(
        canary.CANARY_LABEL, vals, canary.null_probability(original, canaries), symbols=True
    )
    if any(v not in (None, 0) for v in vals):
        r.found.add("canary")
    return r
