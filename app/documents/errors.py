"""Stable problem codes of uploads and downloads. Messages never name the file or its text."""

from __future__ import annotations

from app.errors import AppError, Invalid, NotFound, UnsupportedMediaType


class DocumentNotFound(NotFound):
    code = "document_not_found"


class NotADocumentType(UnsupportedMediaType):
    code = "unsupported_media_type"


class BadDocument(Invalid):
    """A refused upload or evidence file; ``code`` says why (malformed_pdf, ...)."""


class WatermarkFailed(AppError):
    status, code, title = 500, "watermark_failed", "The copy could not be produced"


def bad(code: str) -> BadDocument:
    messages = {
        "malformed_pdf": "The PDF could not be parsed.",
        "encrypted_pdf": "Encrypted or password-protected PDFs are not accepted.",
        "pdf_too_complex": "The PDF exceeds the page, object, nesting or size limits.",
        "image_too_large": "The image has too many pixels.",
        "malformed_image": "The image could not be decoded.",
        "invalid_text_encoding": "Text documents must be UTF-8.",
        "empty_file": "The file is empty.",
        "unsupported_document": "The document cannot be given a per-recipient watermark.",
        "inspection_failed": "The file could not be checked within the time and memory budget.",
    }
    return BadDocument(messages.get(code, "The file is not accepted."), code=code)


class FolderNotFound(NotFound):
    code = "folder_not_found"


class ProductionNotFound(NotFound):
    code = "production_not_found"
