"""What a trace means, in words a lawyer can put before a court.

Invariants:
- the words never overstate the statistics: a confidence is described by the band its
  bound falls in, and the bound itself is always printed beside the words;
- advice about weak evidence is given only when no recipient was named, and it describes
  the evidence (how many words, how many pixels), never the document it may come from;
- a verdict is never worded "no watermark" when the caller's view excluded what the
  evidence is a copy of: that is "you may not trace this document".
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

# A text excerpt shorter than this rarely carries enough marked words to name anyone
# (the benchmark's 20 % excerpts of a one-page letter run to about 80 words).
MIN_TEXT_WORDS = 60
# A full letter-size page at 150 dpi is 1275 x 1650 pixels; a grab much smaller than that
# has lost the fine marks. 150 dpi is what the advice asks for.
MIN_PAGE_PIXELS = 1_000_000

_BANDS = (
    (1e-12, "conclusive", "below one in a trillion"),
    (1e-9, "overwhelming", "below one in a billion"),
    (1e-6, "very strong", "below one in a million"),
)


def confidence_words(bound: float) -> str:
    """The strength of a match in words, from the union bound on a chance match."""
    for limit, strength, odds in _BANDS:
        if bound < limit:
            return f"{strength}: the chance that this match is a coincidence is {odds}"
    return f"strong: the chance that this match is a coincidence is at most {bound:.2g}"


VERDICT_WORDS = {
    "identified": "The copy was traced to the recipient named below.",
    "inconclusive": ("Watermark traces were found, but not enough to name anyone: a wrong "
                     "name is worse than none."),
    "no_watermark": "No watermark of a document you may trace was found in this copy.",
}
NOT_YOURS = ("You may not trace this document: it is a copy of a document of this room that "
             "you may read but that another party produced. The room admin, the auditor or "
             "the producing party's counsel may trace it.")


@dataclass(frozen=True)
class Advice:
    code: str
    text: str


TOO_SHORT = Advice("evidence_too_short", (
    f"The text is short. Paste at least {MIN_TEXT_WORDS} words, or better the whole page "
    "or file as it was found."))
TOO_COARSE = Advice("evidence_too_coarse", (
    "The image is small. Give a full page at 150 dpi or more (a scan or a photo of the "
    "whole page, not a thumbnail or a cropped grab)."))


def _pixels(image: bytes) -> int:
    from PIL import Image, UnidentifiedImageError  # imported where used: start-up does not pay

    try:
        with Image.open(BytesIO(image)) as im:
            return int(im.width) * int(im.height)
    except (UnidentifiedImageError, OSError, ValueError):
        return 0


def advice(kind: str, value: str | bytes | list[bytes]) -> list[Advice]:
    """What would make weak evidence stronger, judged from the evidence alone."""
    if kind == "text" and isinstance(value, str) and len(value.split()) < MIN_TEXT_WORDS:
        return [TOO_SHORT]
    if kind == "images":
        pages = [value] if isinstance(value, bytes) else list(value)
        if pages and max(_pixels(p) for p in pages if isinstance(p, bytes)) < MIN_PAGE_PIXELS:
            return [TOO_COARSE]
    return []
