"""The text layer of an original as a value that can be stored: what reading text evidence
(a pasted excerpt, a copy's extracted or OCR'd text) against that original needs.

    text_layer(original, media_type) -> TextLayer      (once per original)
    TextLayer.encode() / TextLayer.decode(blob)         (the caller seals and stores it)
    detect_text(evidence, layer, candidates) -> Detection

Invariants and threats:
- a layer is a function of the original alone: its text as the text layer marks it (a PDF's
  pages joined as ``pdftemplate`` joins them) and the slots of that layer, never a download
  code or evidence, so one stored layer serves every trace of every download;
- ``detect_text`` builds exactly the Reading that ``detect`` builds for text evidence from the
  prepared original (the same tag texts, the same slots read through the same alignment, the
  same labels) and scores it the same way: the two agree result for result;
- the layer is plaintext of the document: whoever stores it seals it under the case key.
  ``decode`` checks the shape of what it reads, so a damaged or forged blob raises
  ``ValueError`` rather than reading marks at positions that do not exist.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from crypto.fingerprint import DEFAULT_FP_TARGET

from .detect import score
from .model import Candidate, Detection
from .prepared import Prepared, prepare
from .reading import Reading
from .text import FoldedText, Slot, TextEvidence

FORMAT = 1
TEXT_TYPES = ("text/plain", "text/markdown")
PDF_TYPE = "application/pdf"
MAX_SLOT_CHARS = 4


@dataclass(frozen=True)
class TextLayer:
    media_type: str
    text: str
    slots: tuple[Slot, ...]

    @property
    def words(self) -> int:
        return len(self.text.split())

    def to_json(self) -> dict[str, Any]:
        """A JSON value: slot positions as differences (they are sorted), bases and variants
        as lists of short strings."""
        positions = [s.pos for s in self.slots]
        deltas = [b - a for a, b in zip([0, *positions], positions, strict=False)]
        return {"format": FORMAT, "media_type": self.media_type, "text": self.text,
                "pos": deltas, "base": [s.base for s in self.slots],
                "variant": [s.variant for s in self.slots]}

    @classmethod
    def from_json(cls, value: object) -> TextLayer:
        if not isinstance(value, dict) or value.get("format") != FORMAT:
            raise ValueError("not a text layer")
        media_type, text = value.get("media_type"), value.get("text")
        deltas, bases, variants = value.get("pos"), value.get("base"), value.get("variant")
        if not (isinstance(media_type, str) and isinstance(text, str)
                and isinstance(deltas, list) and isinstance(bases, list)
                and isinstance(variants, list) and len(deltas) == len(bases) == len(variants)):
            raise ValueError("not a text layer")
        if not deltas:
            return cls(media_type, text, ())
        try:  # checked over the distinct values: a few characters, not one per slot
            chars_ok = all(_short(c) for c in set(bases) | set(variants))
        except TypeError:  # an unhashable value: not a character
            chars_ok = False
        if not (chars_ok and all(type(d) is int for d in deltas)
                and deltas[0] >= 0 and min(deltas[1:], default=1) >= 1):
            raise ValueError("not a text layer")
        positions = list(accumulate(deltas))
        if positions[-1] >= len(text):
            raise ValueError("not a text layer")
        return cls(media_type, text, tuple(map(Slot, positions, bases, variants)))

    def encode(self) -> bytes:
        return zlib.compress(json.dumps(self.to_json(), separators=(",", ":"),
                                        ensure_ascii=False).encode("utf-8"), 6)

    @classmethod
    def decode(cls, blob: bytes) -> TextLayer:
        try:
            value = json.loads(zlib.decompress(blob).decode("utf-8"))
        except (zlib.error, UnicodeDecodeError, json.JSONDecodeError):
            raise ValueError("not a text layer") from None
        return cls.from_json(value)


def _short(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_SLOT_CHARS


def text_layer(original: bytes | Prepared, media_type: str) -> TextLayer:
    """The text layer of an original (empty for images, which have none). Built from the
    same derivations downloads use, so a Prepared that was marked already costs nothing."""
    prep = prepare(original, media_type)
    if media_type in TEXT_TYPES:
        from .textdoc import original_text, text_slots

        return TextLayer(media_type, original_text(prep), text_slots(prep, ()))
    if media_type == PDF_TYPE:
        from .pdftemplate import analysis

        an = analysis(prep)
        return TextLayer(media_type, an.text, an.text_slots)
    return TextLayer(media_type, "", ())


def read_text_layer(evidence: str | TextEvidence, layer: TextLayer) -> Reading:
    """The Reading ``detect`` builds for text evidence against this original."""
    ev = TextEvidence.of(evidence)
    if layer.media_type in TEXT_TYPES:
        from .textdoc import read_text_slots

        return read_text_slots(ev, FoldedText.of(layer.text), layer.slots)
    if layer.media_type == PDF_TYPE:
        from .pdf import read_text_slots as read_pdf_slots

        return read_pdf_slots(ev, FoldedText.of(layer.text), layer.slots)
    return Reading(tag_texts=[ev.text])


def detect_text(evidence: str | TextEvidence, layer: TextLayer,
                candidates: Sequence[Candidate], *,
                fp_target: float = DEFAULT_FP_TARGET) -> Detection:
    """``detect`` for text evidence, from the stored layer instead of the original (no
    canaries: traces read none). Pass a ``TextEvidence`` to fold the evidence once for
    several layers."""
    return score(read_text_layer(evidence, layer), candidates, {}, fp_target)
