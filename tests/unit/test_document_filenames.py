"""Filename neutralisation and content sniffing (pure)."""

import pytest

from app.documents.errors import BadDocument, NotADocumentType
from app.documents.filenames import content_disposition, neutralise
from app.documents.inspection import sniff


@pytest.mark.parametrize(("raw", "media_type", "want"), [
    ("../../etc/passwd", "text/plain", "passwd.txt"),
    ("C:\\Users\\x\\brief.PDF", "application/pdf", "brief.PDF"),
    ("report.pdf", "text/plain", "report.pdf.txt"),  # never lies about the type
    ("photo\u202egnp.exe", "image/png", "photognp.exe.png"),
    ("a\x00b\r\nc\u200b.jpg", "image/jpeg", "abc.jpg"),
    ('x<y>:"z"|?*.md', "text/plain", "x_y___z____.md"),
    ("", "application/pdf", "document.pdf"),
    ("." * 10, "text/plain", "document.txt"),
    ("n" * 500 + ".pdf", "application/pdf", "n" * 146 + ".pdf"),
])
def test_neutralise(raw, media_type, want):
    assert neutralise(raw, media_type) == want


def test_content_disposition_is_ascii_and_quoted():
    header = content_disposition("Décision \"finale\".pdf")
    header.encode("latin-1")
    assert header.startswith('attachment; filename="Decision _finale_.pdf"')
    assert "filename*=UTF-8''D%C3%A9cision" in header


@pytest.mark.parametrize(("head", "want"), [
    (b"%PDF-1.7\n", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n....", "image/png"),
    (b"\xff\xd8\xff\xe0", "image/jpeg"),
    (b"# Heading\n\nplain words", "text/plain"),
])
def test_sniff(head, want):
    assert sniff(head) == want


@pytest.mark.parametrize("head", [b"PK\x03\x04rest", b"MZ\x90\x00\x03\x00", b"\x7fELF\x02",
                                  b"  <!doctype html><p>", b"<svg xmlns=''>", b"GIF89a"])
def test_sniff_refuses_other_types(head):
    with pytest.raises(NotADocumentType):
        sniff(head)


def test_sniff_utf16_is_an_encoding_error():
    with pytest.raises(BadDocument):
        sniff("Order of the court".encode("utf-16"))
