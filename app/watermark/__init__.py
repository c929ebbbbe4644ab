"""Per-download watermarking and leak attribution (pure code: bytes and keys in, bytes out).

    prepare(original, media_type) -> Prepared
    embed(prepared, media_type, mark) -> marked copy
    embed_into(prepared, media_type, mark, out) -> marked copy written to a file (PDFs)
    detect(evidence, prepared, media_type, candidates) -> Detection
    text_layer(prepared, media_type) -> TextLayer        (stored; see textlayer.py)
    detect_text(text, layer, candidates) -> Detection    (= detect for text evidence)
    survey(evidence, ocr) -> Survey                      (what evidence says by itself)

Layers: a visible footer with an all-digit authentication tag (always on), and the invisible
channels named in MarkSpec.channels: "text" (character variants in the text layer), "canary"
(author-approved wordings), "metadata" (PDF Info/XMP), "geometry" (sub-point word shifts in
PDFs) and "image" (keyed luminance pattern in PNG/JPEG uploads). Detection is informed: it reads
the evidence against the stored original and accuses only under a 1e-6 union bound.

Everything derived from an original alone is kept in its `Prepared` (see prepared.py), never in
a process-wide cache: pass the same Prepared to every call about one original to reuse that
work, and drop it to drop the plaintext and all that was derived from it. Raw bytes are
accepted too and prepared for that one call. A PDF too large to hold in memory is prepared
from a file (`Prepared.of_file`) and marked with `embed_into`, file to file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import BinaryIO

from crypto.fingerprint import DEFAULT_FP_TARGET, authentication_tag

from .detect import score
from .footer import format_tag, scan_tags, tag_strings
from .model import (
    CHANNELS,
    LAYERS,
    LEGEND_POSITIONS,
    LEGENDS,
    MEDIA_TYPES,
    Canary,
    Candidate,
    CandidateResult,
    Detection,
    Evidence,
    Issue,
    MarkSpec,
)
from .prepared import Prepared, prepare
from .reading import Reading, guarded
from .survey import Survey, survey
from .text import TextEvidence
from .textlayer import TextLayer, detect_text, text_layer

__all__ = [
    "CHANNELS",
    "LAYERS",
    "LEGEND_POSITIONS",
    "LEGENDS",
    "MEDIA_TYPES",
    "Canary",
    "Candidate",
    "CandidateResult",
    "Detection",
    "Evidence",
    "Issue",
    "MarkSpec",
    "Prepared",
    "Survey",
    "TextEvidence",
    "TextLayer",
    "authentication_tag",
    "detect",
    "detect_text",
    "embed",
    "embed_into",
    "format_tag",
    "prepare",
    "scan_tags",
    "survey",
    "tag_strings",
    "text_layer",
]

OcrFn = Callable[[bytes], str]


IssueSink = Callable[[Issue], None]


def embed(original: bytes | Prepared, media_type: str, mark: MarkSpec, *,
          on_issue: IssueSink | None = None) -> bytes:
    """The recipient's copy of `original`, marked for one download. `on_issue` hears of every
    fallback taken (a PDF marked through the slower pikepdf path because its splice template
    could not be built); the copy is marked either way, and a failure to mark raises."""
    prep = prepare(original, media_type)
    if media_type in ("text/plain", "text/markdown"):
        from .textdoc import embed_text_document

        return embed_text_document(prep, mark).encode("utf-8")
    if media_type == "application/pdf":
        from .pdf import embed_pdf

        return embed_pdf(prep, mark, on_issue)
    if media_type in ("image/png", "image/jpeg"):
        from .image import embed_image

        return embed_image(prep, media_type, mark)
    raise ValueError(f"unsupported media type: {media_type}")


def embed_into(original: bytes | Prepared, media_type: str, mark: MarkSpec,
               out: BinaryIO) -> None:
    """The recipient's copy of a PDF written to `out` (a file) in memory bounded by its
    largest object rather than its size, from an original in memory or in a file. The marks
    are those `embed` makes; the copy is made through pikepdf, never the splice template
    (which holds the whole file). Text and images are marked in memory only (`embed`): their
    marks are computed over the whole document at once."""
    if media_type != "application/pdf":
        raise ValueError(f"only PDFs are marked into a file, not {media_type}")
    from .pdf import embed_pdf_into

    embed_pdf_into(prepare(original, media_type), mark, out)


def _read(
    evidence: Evidence,
    prep: Prepared,
    canaries: Sequence[Canary],
    ocr: OcrFn | None,
) -> Reading:
    media_type = prep.media_type
    if media_type in ("text/plain", "text/markdown"):
        from .textdoc import read_text

        if isinstance(evidence, str):
            return read_text(evidence, prep, canaries)
        r = Reading()
        if isinstance(evidence, bytes):
            r.notes.append("binary evidence for a text original: only tags are read")
        for page in _as_pages(evidence):
            if ocr is not None:  # read_text reports its own layers: what escapes is the OCR
                guarded(r, "ocr", partial(_read_ocr, ocr, page, prep, canaries))
        return r
    if media_type == "application/pdf":
        from .pdf import read_pdf_evidence

        return read_pdf_evidence(evidence, prep, canaries, ocr)
    if media_type in ("image/png", "image/jpeg"):
        from .image import read_image_evidence

        return read_image_evidence(evidence, prep, ocr)
    raise ValueError(f"unsupported media type: {media_type}")


def _read_ocr(ocr: OcrFn, page: bytes, prep: Prepared, canaries: Sequence[Canary]) -> Reading:
    from .textdoc import read_text

    return read_text(ocr(page), prep, canaries)


def _as_pages(evidence: Evidence) -> list[bytes]:
    if isinstance(evidence, list):
        return evidence
    if isinstance(evidence, bytes):
        return [evidence]
    return []


def detect(
    evidence: Evidence,
    original: bytes | Prepared,
    media_type: str,
    candidates: Sequence[Candidate],
    *,
    canaries: Sequence[Canary] = (),
    ocr: OcrFn | None = None,
    fp_target: float = DEFAULT_FP_TARGET,
) -> Detection:
    """Attribute `evidence` (text, a PDF/image file, or page images) to at most the candidates
    whose marks it carries, under a `fp_target` union bound over all candidates and layers.
    `ocr` (image bytes -> text) lets the footer tag be read from pixels; without it image
    evidence is read through the invisible layers only. A layer that fails is reported in
    `Detection.errors` and the others still count; a failure outside the layers (scoring)
    raises."""
    prep = prepare(original, media_type)
    reading = _read(evidence, prep, canaries, ocr)
    radices = _radices(prep, canaries)
    return score(reading, candidates, radices, fp_target)


def _radices(prep: Prepared, canaries: Sequence[Canary]) -> dict[str, list[int]]:
    if not canaries or prep.media_type not in ("text/plain", "text/markdown", "application/pdf"):
        return {}
    from . import canary

    if prep.media_type == "application/pdf":
        from .pdf import original_text

        text = original_text(prep)
    else:
        from .textdoc import original_text as decoded

        text = decoded(prep)
    return {"canary": [1 + len(c.alternatives) for _, c in canary.usable(text, canaries)]}
