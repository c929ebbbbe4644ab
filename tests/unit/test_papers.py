"""Papers the room produces keep every character inside the margins (a base64 signature
used to run off the page), number their pages and carry the marking and the caption."""

from __future__ import annotations

import base64

import pypdfium2 as pdfium
import pytest

from app.kernel.papers import MARGIN, Caption, render_pdf, wrap

SIGNATURE = base64.b64encode(bytes(range(64))).decode()  # 88 characters, no space
LETTER_WIDTH = 612


def _char_boxes(pdf: bytes) -> list[list[tuple[float, float, float, float]]]:
    doc = pdfium.PdfDocument(pdf)
    pages = []
    for page in doc:
        text = page.get_textpage()
        pages.append([text.get_charbox(i) for i in range(text.count_chars())
                      if not text.get_text_range(i, 1).isspace()])
    return pages


def _text(pdf: bytes) -> list[str]:
    return [page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf)]


@pytest.mark.parametrize("body", [
    [f"Server Ed25519 signature (key k-2026-01): {SIGNATURE}"],
    ["word " * 3000],
    ["W" * 500, "a-very-long-hyphenated-token-" * 20],
])
def test_every_character_stays_inside_the_margins(body):
    pdf = render_pdf(title="Settlement memorandum", marking="CONFIDENTIAL - FRE 408",
                     sections=[("Acceptance", body)])
    for boxes in _char_boxes(pdf):
        assert boxes
        for left, bottom, right, top in boxes:
            assert MARGIN - 0.5 <= left and right <= LETTER_WIDTH - MARGIN + 0.5
            assert bottom >= MARGIN / 2 - 12 and top <= 792 - 30


def test_a_long_word_is_broken_not_lost():
    lines = wrap(SIGNATURE, "Helvetica", 11, 200)
    assert len(lines) > 1 and "".join(lines) == SIGNATURE


def test_pages_are_numbered_and_each_carries_the_marking_and_the_first_the_caption():
    caption = Caption(court="United States District Court, Northern District of California",
                      title="Jane Doe v. Acme Corp.", docket_number="3:25-cv-01234")
    pdf = render_pdf(title="Audit report", marking="CONFIDENTIAL - FRE 408",
                     sections=[("Events", [f"event {i}" for i in range(120)])],
                     caption=caption)
    pages = _text(pdf)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "CONFIDENTIAL - FRE 408" in text
    assert "UNITED STATES DISTRICT COURT" in pages[0] and "Case No. 3:25-cv-01234" in pages[0]
    assert "Case No." not in pages[1]
