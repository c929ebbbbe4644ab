"""The designated documents a filing check compares a draft with, each as a shingle index.

Only documents the caller may see (``policy_documents.visible_documents``, the one scoping
helper) are returned, every stored version of each: a superseded version is as protected
as the current one. The index of a version (``app.kernel.shingles``) is derived from its
decrypted original and kept with it in the services' originals cache, so a case's
documents are read and indexed once and later checks only look windows up; it is never
written anywhere. Scanned PDF pages and image documents are read by OCR (tesseract).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.authz import policy_documents as pol
from app.context import CaseContext
from app.documents import repository as repo
from app.documents import storage
from app.documents.inspection import PDF, TEXT
from app.documents.reads import case_ene_facts, facts_of, viewer
from app.documents.tracing.ocr import make_ocr
from app.kernel.shingles import Indexed
from app.protective_orders import gate as order_gate
from app.runtime import Services
from app.watermark import Prepared

MIN_TEXT_WORDS = 12  # a PDF page with fewer words is read from its pixels
OCR_DPI = 300


@dataclass(frozen=True)
class FilingSource:
    document_id: uuid.UUID
    designation: str
    party_id: uuid.UUID
    index: Indexed


def _pdf_text(data: bytes, ocr: Callable[[bytes], str] | None) -> str:
    import io

    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    doc = pdfium.PdfDocument(data)
    pages = []
    try:
        for page in doc:
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            if len(text.split()) < MIN_TEXT_WORDS and ocr is not None:
                buf = io.BytesIO()
                page.render(scale=OCR_DPI / 72.0, grayscale=True).to_pil().save(buf, "PNG")
                text = ocr(buf.getvalue())
            pages.append(text)
            page.close()
    finally:
        doc.close()
    return "\n".join(pages)


def version_text(prep: Prepared, media_type: str, ocr: Callable[[bytes], str] | None) -> str:
    if media_type == TEXT:
        return prep.original.decode("utf-8")
    if media_type == PDF:
        return _pdf_text(prep.original, ocr)
    return ocr(prep.original) if ocr is not None else ""


def filing_sources(session: Session, ctx: CaseContext, svc: Services) -> list[FilingSource]:
    """Every version of every document the caller may see, with its index."""
    docs = repo.list_documents(session, ctx.case_id)
    ene = case_ene_facts(session, ctx.case_id)
    orders = {ctx.case_id: order_gate.order_facts(session, ctx.case_id)}
    shown = pol.visible_documents(viewer(ctx), docs,
                                  lambda d: facts_of(session, d, ene, orders))
    versions = repo.versions_of_documents(session, [d.id for d in shown])
    by_id = {d.id: d for d in shown}
    ocr = make_ocr(svc.settings.data_dir / "tmp")
    out = []
    for v in versions:
        prep = storage.open_prepared(svc.originals, svc.key_provider, svc.blob_store, v)
        index = prep.derive("filing.index",
                            lambda p=prep, m=v.media_type: Indexed.of_text(
                                version_text(p, m, ocr)),
                            lambda i: i.nbytes)
        doc = by_id[v.document_id]
        out.append(FilingSource(doc.id, doc.designation, doc.uploader_party_id, index))
    return out
