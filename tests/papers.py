"""What makes a paper of the room court-ready, checked on the PDF itself."""

from __future__ import annotations

import re

import pypdfium2 as pdfium

from app.kernel.papers import MARGIN

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ISO_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\d{2}:\d{2}:\d{2}\.\d+")


def assert_court_ready(pdf: bytes, text: str, *, signer: str, declaration: bool) -> None:
    """Caption and docket, names not ids, court-local times to the minute, a /s/ signature
    with a bar number field, a declaration where service is proven, numbered pages, and no
    character outside the page's margins."""
    assert "Case No. 3:25-cv-01234" in text and "Doe v. Acme Corp." in text
    assert f"/s/ {signer}" in text and "State Bar No." in text
    assert ("I declare under penalty of perjury" in text) == declaration
    assert not UUID_RE.search(text), UUID_RE.search(text)
    assert not ISO_TIME_RE.search(text), ISO_TIME_RE.search(text)
    assert "Page 1 of" in text
    assert_within_margins(pdf)


def assert_within_margins(pdf: bytes) -> None:
    """Every printed character's box inside the one-inch margins on all four sides of its
    page (the page's own size: letter, or any other), within half a point."""
    for number, page in enumerate(pdfium.PdfDocument(pdf), start=1):
        width, height = page.get_size()
        chars = page.get_textpage()
        for i in range(chars.count_chars()):
            if not chars.get_text_range(i, 1).strip():
                continue
            left, bottom, right, top = chars.get_charbox(i)
            where = f"page {number}, character {i} {chars.get_text_range(i, 1)!r}"
            assert MARGIN - 0.5 <= left and right <= width - MARGIN + 0.5, where
            assert MARGIN - 0.5 <= bottom and top <= height - MARGIN + 0.5, where
