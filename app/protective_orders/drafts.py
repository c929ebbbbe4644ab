"""A draft filing, read into pages of text: JSON ``{text}``, or multipart ``file`` parts (one
PDF, one DOCX, one UTF-8 text file, or one or more page images).

A draft is untrusted like any upload: its type is decided by content, PDFs and images are
first parsed by the limited worker process (``app.documents.inspection``) and only then
opened here. A DOCX is a ZIP: only ``word/document.xml`` is read, its declared and actual
sizes bounded (a ZIP bomb is refused with 413 ``draft_too_large``), and its text is taken
with a regular expression over the XML (no XML parser: no entity expansion, no external
entity). Pages without a text layer (a scanned exhibit, an attached page image) are
rendered and read by OCR (tesseract). The draft's text lives in memory for the request
only; nothing of it is stored, logged or audited.
"""

import hashlib
import html
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ConfigDict, Field
from starlette.requests import Request

from app.documents.multipart import FilePart, TextOrForm, read_text_or_form
from app.documents.service import inspect_file
from app.documents.tracing.ocr import make_ocr
from app.errors import AppError, Invalid, PayloadTooLarge
from app.kernel.schemas import Schema
from app.runtime import Services

MAX_PAGES = 50  # page images per request (a PDF's own pages are bounded by the worker)
MAX_DOCX_XML_BYTES = 32 * 1024 * 1024
OCR_DPI = 300  # tesseract reads best near 300 dpi, whatever the scan's own resolution
MIN_TEXT_WORDS = 12  # fewer words on a PDF page: it is (mostly) an image, so OCR it
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_DOCX_BODY = "word/document.xml"
_PAGE_BREAK = re.compile(rb'<w:br\b[^>]*w:type="page"[^>]*/>|<w:lastRenderedPageBreak\s*/>')
_PARA_END = re.compile(rb"</w:p>|<w:tab\b[^>]*/>|<w:br\b[^>]*/>")
_RUN_TEXT = re.compile(rb"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")
_TOKEN = re.compile(rb"<w:t(?:\s[^>]*)?>[^<]*</w:t>|</w:p>|<w:tab\b[^>]*/>|<w:br\b[^>]*/>|"
                    rb"<w:lastRenderedPageBreak\s*/>")


class DraftText(Schema):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2_000_000)


@dataclass(frozen=True)
class Page:
    number: int  # 1-based, as the draft counts its pages
    text: str
    ocr: bool  # read from pixels


@dataclass(frozen=True)
class Draft:
    pages: tuple[Page, ...]
    kind: str  # text | pdf | docx | images
    sha256: str


# What the request carried, before any parsing of file content.
RawDraft = TextOrForm


async def read_raw(request: Request, folder: Path, max_file_bytes: int) -> RawDraft:
    return await read_text_or_form(request, folder, max_file_bytes=max_file_bytes,
                                   max_files=MAX_PAGES, text_model=DraftText,
                                   what="the draft's text")


def _pages_of_text(text: str) -> tuple[Page, ...]:
    """Form feeds separate the pages of a text draft (as pdftotext writes them)."""
    return tuple(Page(n, t, False) for n, t in enumerate(text.split("\f"), start=1))


def docx_pages(data: bytes) -> tuple[Page, ...]:
    """The text of a DOCX's body, split at its page breaks (explicit or as last rendered)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            info = z.getinfo(_DOCX_BODY)
            if info.file_size > MAX_DOCX_XML_BYTES:
                raise PayloadTooLarge("The document's text is too large.",
                                      code="draft_too_large")
            with z.open(info) as fh:
                xml = fh.read(MAX_DOCX_XML_BYTES + 1)
    # zipfile answers a compression method it lacks with NotImplementedError, an encrypted
    # member with RuntimeError: both are a DOCX this cannot read, like a broken archive.
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, NotImplementedError,
            RuntimeError, ValueError):
        raise Invalid("The DOCX could not be read.", code="malformed_docx") from None
    if len(xml) > MAX_DOCX_XML_BYTES:
        raise PayloadTooLarge("The document's text is too large.", code="draft_too_large")
    pages: list[list[str]] = [[]]
    for m in _TOKEN.finditer(xml):
        tok = m.group(0)
        if _PAGE_BREAK.fullmatch(tok):
            if pages[-1]:
                pages.append([])
        elif _PARA_END.fullmatch(tok):
            pages[-1].append("\n")
        else:
            run = _RUN_TEXT.fullmatch(tok)
            if run is not None:
                pages[-1].append(html.unescape(run.group(1).decode("utf-8", "replace")))
    return tuple(Page(n, "".join(p), False) for n, p in enumerate(pages, start=1))


def _is_docx(part: FilePart) -> bool:
    if not part.head.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(part.path) as z:
            return _DOCX_BODY in z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def pdf_pages(data: bytes, ocr: Callable[[bytes], str] | None) -> tuple[Page, ...]:
    """Each page's text layer; a page with (almost) none is rendered and OCR'd."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        raise Invalid("The PDF could not be parsed.", code="malformed_pdf") from None
    out = []
    try:
        for n, page in enumerate(doc, start=1):
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            if len(text.split()) < MIN_TEXT_WORDS and ocr is not None:
                out.append(Page(n, ocr(_png(page)), True))
            else:
                out.append(Page(n, text, False))
            page.close()
    finally:
        doc.close()
    return tuple(out)


def _png(page: object) -> bytes:
    image = page.render(scale=OCR_DPI / 72.0, grayscale=True).to_pil()  # type: ignore[attr-defined]
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def to_draft(raw: RawDraft, ocr: Callable[[bytes], str] | None) -> Draft:
    """Read the draft. ``ocr`` reads a page image (None: no OCR engine on this server)."""
    if raw.text is not None:
        return Draft(_pages_of_text(raw.text), "text",
                     hashlib.sha256(raw.text.encode()).hexdigest())
    assert raw.form is not None
    files = raw.form.files_named("file")
    if not files or len(files) != len(raw.form.files):
        raise Invalid("Send the draft as file parts named file.", code="file_required")
    digest = hashlib.sha256("".join(f.sha256 for f in files).encode()).hexdigest()
    if len(files) == 1 and _is_docx(files[0]):
        return Draft(docx_pages(files[0].path.read_bytes()), "docx", files[0].sha256)
    kinds = [inspect_file(f.path, f.head, mode="evidence") for f in files]
    if len(files) == 1 and kinds[0] == "text/plain":
        return Draft(_pages_of_text(files[0].path.read_text("utf-8")), "text", digest)
    if len(files) == 1 and kinds[0] == "application/pdf":
        return Draft(pdf_pages(files[0].path.read_bytes(), ocr), "pdf", digest)
    if any(k in ("text/plain", "application/pdf") for k in kinds):
        raise Invalid("Several files must all be page images.", code="mixed_draft")
    pages = tuple(Page(n, ocr(f.path.read_bytes()) if ocr else "", True)
                  for n, f in enumerate(files, start=1))
    return Draft(pages, "images", digest)


class OcrUnavailable(AppError):
    status, code, title = 503, "ocr_unavailable", "Page images cannot be read here"


def read_draft(raw: RawDraft, svc: Services) -> Draft:
    """``to_draft`` with this server's OCR engine; 503 when page images need one it lacks."""
    ocr = make_ocr(svc.settings.data_dir / "tmp")
    draft = to_draft(raw, ocr)
    if ocr is None and any(p.ocr for p in draft.pages):
        raise OcrUnavailable("This server has no OCR engine to read page images.")
    return draft
