"""Uploads: content-decided types, refusals that leave nothing stored, filenames, guards."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models.documents import Document, DocumentVersion
from tests.api.documents.helpers import (
    MARKER,
    blob_files,
    bomb_pdf,
    broken_jpeg_pdf,
    deep_pdf,
    encrypted_pdf,
    jpeg_bomb_pdf,
    pdf_doc,
    png_doc,
    png_flood,
    text_doc,
)


def _rows(api) -> tuple[int, int]:  # noqa: ANN001
    with api.app.state.sessionmaker() as s:
        return (s.execute(select(func.count()).select_from(Document)).scalar_one(),
                s.execute(select(func.count()).select_from(DocumentVersion)).scalar_one())


@pytest.mark.parametrize(("content", "name", "media_type"), [
    (text_doc(), "order.txt", "text/plain"),
    (pdf_doc(), "order.pdf", "application/pdf"),
    (png_doc(), "exhibit.png", "image/png"),
])
def test_valid_upload_decided_by_content(api, content, name, media_type):
    room = api.room()
    r = api.upload(room, content, filename=name)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["media_type"] == media_type and body["size"] == len(content)
    assert body["designation"] == "CONFIDENTIAL" and body["audience"] == "all"
    assert set(body) >= {"id", "filename", "media_type", "size", "sha256", "designation",
                         "audience"}
    files = blob_files(api, room.id)
    assert [f.name for f in files] == [body["version_id"]]  # storage name = server id


BAD = [
    ("zip", b"PK\x03\x04\x14\x00\x00\x00" + b"\x00" * 200, "report.pdf", 415,
     "unsupported_media_type"),
    ("exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "report.pdf", 415,
     "unsupported_media_type"),
    ("html", b"<!DOCTYPE html><html><body><script>x()</script></body></html>", "report.pdf",
     415, "unsupported_media_type"),
    ("malformed", b"%PDF-1.7\nthis is not really a pdf at all\n%%EOF\n", "a.pdf", 422,
     "malformed_pdf"),
    ("encrypted", None, "a.pdf", 422, "encrypted_pdf"),
    ("bomb", None, "a.pdf", 422, "pdf_too_complex"),
    ("deep", None, "a.pdf", 422, "pdf_too_complex"),
    ("jpeg_bomb", None, "scan.pdf", 422, "pdf_too_complex"),
    ("broken_jpeg", None, "scan.pdf", 422, "malformed_pdf"),
    ("flood", None, "a.png", 422, "image_too_large"),
    ("utf16", "Order of the court".encode("utf-16"), "a.txt", 422,
     "invalid_text_encoding"),
    ("latin1", "Décision du tribunal, exposé des motifs".encode("latin-1"), "a.txt", 422,
     "invalid_text_encoding"),
    ("empty", b"", "a.txt", 422, "empty_file"),
]
MAKERS = {"encrypted": encrypted_pdf, "bomb": bomb_pdf, "deep": deep_pdf, "flood": png_flood,
          "jpeg_bomb": jpeg_bomb_pdf, "broken_jpeg": broken_jpeg_pdf}


@pytest.mark.parametrize(("label", "content", "name", "status", "code"), BAD,
                         ids=[b[0] for b in BAD])
def test_bad_upload_refused_and_nothing_stored(api, label, content, name, status, code):
    room = api.room()
    content = MAKERS[label]() if content is None else content
    r = api.upload(room, content, filename=name)
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert _rows(api) == (0, 0)
    assert blob_files(api, room.id) == []
    assert name not in r.text and MARKER not in r.text


def test_oversize_is_413_before_the_body_is_read(api, settings):
    room = api.room()
    limit = api.app.state.settings.max_upload_bytes
    r = api.upload(room, b"a" * (limit + 10), filename="big.txt")
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large"
    assert _rows(api) == (0, 0) and blob_files(api, room.id) == []


@pytest.mark.parametrize(("raw", "expected"), [
    ("../../etc/passwd", "passwd.txt"),
    ("..\\..\\windows\\system32\\evil.txt", "evil.txt"),
    ("invoice\u202etxt.exe", "invoicetxt.exe.txt"),
    ("a\x1b[31mb\x7f\x85.txt", "a[31mb.txt"),
    ("   ...   ", "document.txt"),
])
def test_filenames_neutralised_original_sealed(api, raw, expected):
    room = api.room()
    body = api.document(room, text_doc(), filename=raw)
    assert body["filename"] == expected
    r = api.download(room, body["id"], "plaintiff_counsel")
    assert r.status_code == 200
    assert "attachment;" in r.headers["content-disposition"]
    assert "\u202e" not in r.headers["content-disposition"]
    assert "/" not in r.headers["content-disposition"].split("filename*=")[0]
