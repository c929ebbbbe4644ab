"""Evidence of a leak, from JSON ``{text}`` or multipart ``file`` parts (one PDF, one text
file, or one or more page images). Evidence is untrusted like any upload: the same content
sniffing and the same limited child-process parse run before the detector touches it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request

from app.documents.errors import bad
from app.documents.inspection import PDF, TEXT, check_text, run_worker, sniff
from app.documents.multipart import Form, TextOrForm, read_text_or_form
from app.documents.tracing.schemas import TraceText
from app.errors import Invalid

MAX_PAGES = 50


@dataclass(frozen=True)
class Evidence:
    value: str | bytes | list[bytes]
    kind: str  # text | pdf | images
    sha256: str


def _from_form(form: Form) -> Evidence:
    files = form.files_named("file")
    if not files or len(files) != len(form.files):
        raise Invalid("Send the evidence as file parts named file.", code="file_required")
    kinds = [sniff(f.head) for f in files]
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.sha256.encode())
    if len(files) == 1 and kinds[0] in (TEXT, PDF):
        if kinds[0] == TEXT:
            check_text(files[0].path)
            return Evidence(files[0].path.read_text("utf-8"), "text", files[0].sha256)
        code = run_worker(PDF, files[0].path, "evidence")
        if code is not None:
            raise bad(code)
        return Evidence(files[0].path.read_bytes(), "pdf", files[0].sha256)
    if any(k in (TEXT, PDF) for k in kinds):
        raise Invalid("Several files must all be page images.", code="mixed_evidence")
    pages = []
    for f, kind in zip(files, kinds, strict=True):
        code = run_worker(kind, f.path, "evidence")
        if code is not None:
            raise bad(code)
        pages.append(f.path.read_bytes())
    return Evidence(pages, "images", digest.hexdigest() if len(files) > 1 else files[0].sha256)


# What the request carried, before any parsing of file content (done off the loop).
RawEvidence = TextOrForm


def to_evidence(raw: RawEvidence) -> Evidence:
    if raw.text is not None:
        return Evidence(raw.text, "text", hashlib.sha256(raw.text.encode()).hexdigest())
    assert raw.form is not None
    return _from_form(raw.form)


async def read_raw(request: Request, folder: Path, max_file_bytes: int) -> RawEvidence:
    return await read_text_or_form(request, folder, max_file_bytes=max_file_bytes,
                                   max_files=MAX_PAGES, text_model=TraceText,
                                   what="the leaked text")
