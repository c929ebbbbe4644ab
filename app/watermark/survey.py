"""What a piece of evidence says by itself, before any original is read: its text (to find the
originals it may come from), the tags it carries and the layers any comparison would find.

    survey(evidence, ocr) -> Survey

A trace reads this once and compares the evidence only with the originals it points to; a
comparison with any other original would read the same tags and report the same
evidence-level layers (``found``), which is why the caller may add ``found`` to its verdict
without comparing. Pure: evidence in, plain values out. Evidence that is not readable as what
it claims to be surveys as empty; a failure elsewhere raises, and the caller then compares
with every original as before (a survey never hides an error).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crypto.fingerprint import TAG_DIGITS

from .footer import tag_strings
from .model import Evidence
from .reading import Unreadable


@dataclass(frozen=True)
class Survey:
    text: str  # the evidence's words: pasted text, a PDF's text layer, OCR of page images
    tags: frozenset[str]  # tag-shaped digit strings (footer, metadata): downloads to look up
    found: frozenset[str]  # layers found whatever the original (a tag's shape, metadata)
    # Hidden layers name downloads directly (a PDF's metadata tag beside its footer): the
    # detector reads nothing else from such a file, so only their versions need comparing.
    identifying: bool = False
    ocr_read: bool = False  # the text came from OCR (page images, or a PDF without text)


def _tag_shaped(texts: list[str]) -> bool:
    return any("tag" in t.lower() and tag_strings(t) for t in texts)


def _tags(texts: list[str]) -> frozenset[str]:
    return frozenset(s for t in texts for s in tag_strings(t, TAG_DIGITS))


def _of_texts(texts: list[str], ocr_read: bool = False) -> Survey:
    return Survey("\n".join(texts), _tags(texts),
                  frozenset({"footer"}) if _tag_shaped(texts) else frozenset(),
                  ocr_read=ocr_read)


def _pdf(evidence: bytes) -> Survey:
    from .pdf import _extract, _footer_texts, _metadata_tags, _open_evidence
    from .pdftemplate import PAGE_SEP

    try:
        pdf = _open_evidence(evidence)
    except Unreadable:
        return Survey("", frozenset(), frozenset())
    with pdf:
        meta, footers = _metadata_tags(pdf), _footer_texts(pdf)
        identifying = bool(meta) and bool(footers)  # read_pdf_file stops there
        texts = [] if identifying else _extract(pdf)
    text = PAGE_SEP.join(texts)
    tag_texts = footers + ([text] if texts else [])
    found = ({"metadata"} if meta else set()) | (
        {"footer"} if meta or _tag_shaped(tag_texts) else set())
    return Survey(text, _tags(tag_texts) | frozenset(meta), frozenset(found), identifying)


def survey(evidence: Evidence, ocr: Callable[[bytes], str] | None = None) -> Survey:
    """``ocr`` reads page images (and is then asked again, memoised, by the detector); without
    it, page images survey as empty."""
    if isinstance(evidence, str):
        return _of_texts([evidence])
    if isinstance(evidence, bytes):
        return _pdf(evidence)
    if ocr is None:
        return Survey("", frozenset(), frozenset())
    return _of_texts([ocr(page) for page in evidence], ocr_read=True)

