"""Exhibits attached to a paper: a slip page, then the exhibit's pages; a designated exhibit
makes the check unclean, so the sealing warning heads every page of paper and exhibit; an
exhibit that is not designated material gives no warning."""

from __future__ import annotations

import dataclasses
import uuid

import pypdfium2 as pdfium

from app.kernel.papers import (
    PaperCheck,
    PaperExhibit,
    attach_exhibits,
    exhibit_label,
    filing_check_section,
    render_pdf,
    sealing_marking,
)

WARNING = "WARNING - CONTAINS MATERIAL DESIGNATED IN THE ROOM"
RULE = "N.D. Cal. Civ. L.R. 79-5"


def _text(pdf: bytes) -> list[str]:
    return [" ".join(page.get_textpage().get_text_range().split())
            for page in pdfium.PdfDocument(pdf)]


def _exhibit(designation: str | None) -> PaperExhibit:
    body = render_pdf(title="Declaration", marking=None, sections=[
        ("Declaration", ["The witness states the facts below. " * 200])])
    return PaperExhibit(label=exhibit_label(0), document_id=uuid.uuid4(),
                        download_id=uuid.uuid4(), pdf=body, designation=designation,
                        designating_party="Jane Doe")


def _paper(exhibit: PaperExhibit) -> tuple[bytes, int]:
    check = dataclasses.replace(PaperCheck("today", 3, RULE, ()), exhibits=(exhibit,))
    marking = sealing_marking(check, None)
    paper = render_pdf(title="Paper", marking=marking,
                       sections=[("Body", ["Text."]), filing_check_section(check)])
    return attach_exhibits(paper, [exhibit], marking), len(_text(exhibit.pdf))


def test_a_designated_exhibit_puts_the_warning_on_every_page():
    pdf, exhibit_pages = _paper(_exhibit("AEO"))
    pages = _text(pdf)
    assert exhibit_pages > 1 and len(pages) == 1 + 1 + exhibit_pages
    assert all(WARNING in page and RULE in page for page in pages)
    assert "Exhibit A" in pages[1]
    assert "material designated AEO by Jane Doe" in pages[0]


def test_an_undesignated_exhibit_gives_no_warning():
    pdf, exhibit_pages = _paper(_exhibit(None))
    pages = _text(pdf)
    assert len(pages) == 2 + exhibit_pages
    assert not any(WARNING in page for page in pages)
    assert "not designated material" in pages[0] and "Exhibit A" in pages[1]


def test_an_ene_exhibit_is_never_filed():
    exhibit = dataclasses.replace(_exhibit("ENE"), never_file=True)
    pdf, _ = _paper(exhibit)
    pages = _text(pdf)
    assert all(WARNING in page for page in pages)
    assert "ENE material, which is never filed" in pages[0]
