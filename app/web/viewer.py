"""View-only reading in the browser: the reader's own watermarked copy, its pages rendered on
the server into images, so reading needs no download.

A view is a download in everything that matters for tracing: the copy is made and recorded
by the same use case (its own code, its audit event), and the images are renderings of that
marked copy, so a screenshot or a photo of the viewer traces to this reader like a copy of
the file would. Only the images reach the browser, never the PDF.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import BinaryIO

# Legible on screen (a letter page is about 900 pixels wide) and fine enough for the word
# shifts and the visible legend to survive in a screen grab.
VIEW_DPI = 110
# A longer document shows its first pages; the rest is in the reader's download.
MAX_VIEW_PAGES = 40
IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})


@dataclass(frozen=True)
class View:
    images: list[str]  # data: URIs, one per page shown
    text: str | None  # a text document is shown as text
    total_pages: int


def _data_uri(media_type: str, data: bytes) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


def _pdf_pages(content: bytes | BinaryIO) -> tuple[list[str], int]:
    import pypdfium2 as pdfium  # imported where used: start-up does not pay for it

    doc = pdfium.PdfDocument(content)  # a file is read as the pages need it
    try:
        total = len(doc)
        images = []
        for index in range(min(total, MAX_VIEW_PAGES)):
            bitmap = doc[index].render(scale=VIEW_DPI / 72)
            out = io.BytesIO()
            bitmap.to_pil().convert("RGB").save(out, format="PNG", optimize=False)
            images.append(_data_uri("image/png", out.getvalue()))
        return images, total
    finally:
        doc.close()


def view_of(content: bytes | BinaryIO, media_type: str) -> View:
    """What the viewer shows of a marked copy: page images, or the text itself. A copy in a
    file is a large PDF (``service.download``): only the pages shown are rendered from it."""
    if media_type == "application/pdf":
        images, total = _pdf_pages(content)
        return View(images, None, total)
    if not isinstance(content, bytes):
        raise ValueError("only a PDF copy is held in a file")
    if media_type in IMAGE_TYPES:
        return View([_data_uri(media_type, content)], None, 1)
    return View([], content.decode("utf-8", errors="replace"), 1)
