"""Plain PDF documents (settlement memoranda, Rule 68 filings, audit reports) rendered with
reportlab.

Invariants a filed or forwarded paper relies on:
- every line stays inside the page's margins: text is wrapped by its measured width, and a
  word too long for a line (a hash, a base64 signature) is broken across lines rather than
  run off the page;
- the marking line (e.g. the FRE 408 legend) is printed at the top of every page, and each
  page says "Page n of N", so that a page separated from the document still carries both;
- an optional caption block (court, parties, docket number) heads the first page, as on a
  paper filed with a court;
- a paper meant for filing states the result of the room's filing check of its own text
  (``PaperCheck``); when the check found designated material, the sealing warning heads
  every page, so no page of it can be filed publicly without the warning in view;
- an exhibit attached to a paper (``attach_exhibits``) follows a slip page naming it, and
  when it is designated material of the room the paper's check is not clean: the sealing
  warning heads every page of the paper, of each slip page and of each exhibit page
  (stamped over the exhibit's top margin, its own marks and watermark left as they are).
"""

from __future__ import annotations

import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

if TYPE_CHECKING:
    import pikepdf

# reportlab and pikepdf are imported where a paper is drawn or joined: a server answers its
# first requests without loading them (tests/unit/test_startup_imports.py).

Section = tuple[str, Sequence[str]]
Line = tuple[str, str]  # (font, text)
MARGIN = 72  # one inch on every side, as court papers are set
LETTER = (612.0, 792.0)  # US Letter in points, as reportlab.lib.pagesizes.LETTER
_LINE = 14
_SIZE = 11
_BODY = "Helvetica"
_BOLD = "Helvetica-Bold"
# The marking (up to two 9-point lines) and "Page n of N" are set inside the one-inch
# margins like the text, in bands of their own: nothing printed enters a margin, so a
# court's margin rule and a copier's edge trim both leave every character on the page.
_MARK_LINE = 11
_MARK_BAND = 2 * _MARK_LINE + 6
_FOOT_BAND = 18


@dataclass(frozen=True)
class Caption:
    """The caption of a court paper: the court, the case's title, the docket number."""

    court: str
    title: str
    docket_number: str


@dataclass(frozen=True)
class PaperFinding:
    """A passage of a paper that matches material of the room: where, how much, whose."""

    section: str
    designation: str
    designating_party: str
    matched_words: int
    rule: str
    never_file: bool  # offer terms or ENE content: not to be filed at all


@dataclass(frozen=True)
class PaperExhibit:
    """A document of the room attached to a paper: the maker's own watermarked copy (a
    recorded download, so a leak of the filed exhibit traces back to the maker)."""

    label: str  # "Exhibit A"
    document_id: UUID
    download_id: UUID
    pdf: bytes
    designation: str | None  # None: not designated material
    designating_party: str
    never_file: bool = False  # ENE material: not to be filed at all

    @property
    def designated(self) -> bool:
        return self.designation is not None


@dataclass(frozen=True)
class PaperCheck:
    checked_at: str  # a moment in words, in the court's zone
    checked_sources: int
    rule: str  # the sealing rule of the case's district
    findings: tuple[PaperFinding, ...]
    exhibits: tuple[PaperExhibit, ...] = field(default=())

    @property
    def clean(self) -> bool:
        return not self.findings and not any(e.designated for e in self.exhibits)


class PaperChecker(Protocol):
    """Checks a paper's sections against the room's protected material, leaving out the
    offers the paper itself is about (``own_offer_ids``)."""

    def __call__(self, sections: Sequence[Section], *,
                 own_offer_ids: Collection[UUID] = ()) -> PaperCheck: ...


class PaperAttacher(Protocol):
    """The maker's watermarked copies of room documents, as exhibits labelled in order;
    refuses (and audits) any document the maker may not download or that is no PDF."""

    def __call__(self, document_ids: Sequence[UUID]) -> tuple[PaperExhibit, ...]: ...


EXHIBIT_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def exhibit_label(index: int) -> str:
    return f"Exhibit {EXHIBIT_LETTERS[index]}"


def sealing_marking(check: PaperCheck, marking: str | None) -> str | None:
    """The page-top line: the sealing warning first when the check found anything."""
    if check.clean:
        return marking
    warning = ("WARNING - CONTAINS MATERIAL DESIGNATED IN THE ROOM: DO NOT FILE PUBLICLY; "
               f"FILE UNDER SEAL ({check.rule}) OR REDACT")
    return f"{warning}. {marking}" if marking else warning


def _exhibit_line(e: PaperExhibit, rule: str) -> str:
    if e.designation is None:
        return f"- {e.label} (document {e.document_id}): not designated material."
    what = ("ENE material, which is never filed" if e.never_file
            else f"material designated {e.designation} by {e.designating_party}")
    return (f"- {e.label} (document {e.document_id}) is {what}; it is the copy of download "
            f"{e.download_id}. File it under seal ({rule}) or withdraw it.")


def filing_check_section(check: PaperCheck) -> Section:
    """What the room's filing check found in this paper and its exhibits, in words."""
    exhibits = [_exhibit_line(e, check.rule) for e in check.exhibits]
    if check.clean:
        return ("Filing check", [
            f"The room checked the text of this paper on {check.checked_at} against "
            f"{check.checked_sources} designated document(s), offer(s) and ENE item(s) of "
            "the case visible to the person who made it: no protected material was found.",
            *exhibits])
    lines = [f"The room checked the text of this paper on {check.checked_at} against "
             f"{check.checked_sources} protected item(s) of the case and found the "
             "passages below. Before filing, move to file them under seal under "
             f"{check.rule}, or redact them."]
    for f in check.findings:
        what = ("offer terms or ENE content, which are never filed" if f.never_file
                else f"material designated {f.designation} by {f.designating_party}")
        lines.append(f"- Section \"{f.section}\": {f.matched_words} words match {what} "
                     f"({f.rule}).")
    if exhibits:
        lines += ["Exhibits attached to this paper:", *exhibits]
    return ("Filing check - sealing warning", lines)


def signature_block(name: str, capacity: str) -> list[str]:
    """An electronic signature as courts accept it (``/s/`` and the typed name), with the
    bar number left as a field for counsel to fill in before filing."""
    return [f"/s/ {name}", name, capacity, "State Bar No. ____________", ""]


def string_width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, font, size))


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` in lines no wider than ``width`` points; overlong words are broken."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        for piece in _pieces(word, font, size, width):
            candidate = f"{current} {piece}" if current else piece
            if string_width(candidate, font, size) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = piece
    if current:
        lines.append(current)
    return lines or [""]


def _pieces(word: str, font: str, size: float, width: float) -> list[str]:
    if string_width(word, font, size) <= width:
        return [word]
    pieces, current = [], ""
    for char in word:
        if current and string_width(current + char, font, size) > width:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current] if current else pieces


def _caption_lines(caption: Caption, width: float) -> list[Line]:
    out: list[Line] = [(_BOLD, line) for line in wrap(caption.court.upper(), _BOLD, _SIZE, width)]
    out.append((_BODY, ""))
    out += [(_BODY, line) for line in wrap(caption.title, _BODY, _SIZE, width)]
    out += [(_BODY, line) for line in wrap(f"Case No. {caption.docket_number}", _BODY, _SIZE,
                                           width)]
    out.append((_BODY, ""))
    return out


def _lines(title: str, sections: Sequence[Section], caption: Caption | None,
           width: float) -> list[Line]:
    out: list[Line] = _caption_lines(caption, width) if caption else []
    out += [(_BOLD, line) for line in wrap(title, _BOLD, _SIZE, width)]
    out.append((_BODY, ""))
    for heading, body in sections:
        out += [(_BOLD, line) for line in wrap(heading, _BOLD, _SIZE, width)]
        for paragraph in body:
            out += [(_BODY, line) for line in wrap(paragraph, _BODY, _SIZE, width)]
        out.append((_BODY, ""))
    return out


def _paginate(lines: list[Line], per_page: int) -> list[list[Line]]:
    return [lines[i:i + per_page] for i in range(0, len(lines), per_page)] or [[]]


def render_pdf(*, title: str, marking: str | None, sections: Sequence[Section],
               caption: Caption | None = None) -> bytes:
    width, height = LETTER
    text_width = width - 2 * MARGIN
    top_band = _MARK_BAND if marking else 0
    per_page = int((height - 2 * MARGIN - top_band - _FOOT_BAND - 4) // _LINE)
    pages = _paginate(_lines(title, sections, caption, text_width), per_page)
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=LETTER, pageCompression=0)
    pdf.setTitle(title)
    for number, page in enumerate(pages, start=1):
        if marking:
            pdf.setFont(_BOLD, 9)
            for i, line in enumerate(wrap(marking, _BOLD, 9, text_width)[:2]):
                pdf.drawString(MARGIN, height - MARGIN - 9 - i * _MARK_LINE, line)
        y = height - MARGIN - top_band - _SIZE
        for font, text in page:
            pdf.setFont(font, _SIZE)
            pdf.drawString(MARGIN, y, text)
            y -= _LINE
        pdf.setFont(_BODY, 9)
        pdf.drawCentredString(width / 2, MARGIN + 3, f"Page {number} of {len(pages)}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _stamp(marking: str, width: float, height: float) -> bytes:
    """A one-page overlay of ``width`` x ``height`` points: the marking in the top band."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=0)
    pdf.setFont(_BOLD, 8)
    for i, line in enumerate(wrap(marking, _BOLD, 8, max(width - 2 * 18, 72))[:3]):
        pdf.drawString(18, height - 12 - i * 9, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _slip(exhibit: PaperExhibit, marking: str | None) -> bytes:
    what = ("not designated material" if exhibit.designation is None
            else "ENE material, never to be filed" if exhibit.never_file
            else f"designated {exhibit.designation} by {exhibit.designating_party}")
    return render_pdf(title=exhibit.label, marking=marking, sections=[(exhibit.label, [
        f"Document {exhibit.document_id} of the case room, {what}: the watermarked copy of "
        f"download {exhibit.download_id}, made for the person who prepared this paper."])])


def attach_exhibits(paper: bytes, exhibits: Sequence[PaperExhibit],
                    marking: str | None) -> bytes:
    """``paper`` followed, for each exhibit, by its slip page and its pages; the marking
    (the sealing warning when the check is not clean) is stamped on every exhibit page."""
    if not exhibits:
        return paper
    import pikepdf

    out = pikepdf.open(io.BytesIO(paper))
    opened = []
    try:
        for exhibit in exhibits:
            slip = pikepdf.open(io.BytesIO(_slip(exhibit, marking)))
            source = pikepdf.open(io.BytesIO(exhibit.pdf))
            opened += [slip, source]
            out.pages.extend(slip.pages)
            for page in source.pages:
                out.pages.append(page)
                if marking:
                    _overlay(out, out.pages[-1], marking)
        buffer = io.BytesIO()
        out.save(buffer)
        return buffer.getvalue()
    finally:
        for pdf in opened:
            pdf.close()
        out.close()


def _overlay(out: pikepdf.Pdf, page: pikepdf.Page, marking: str) -> None:
    import pikepdf

    box = page.mediabox
    width, height = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
    stamp = pikepdf.open(io.BytesIO(_stamp(marking, width, height)))
    try:
        page.add_overlay(out.copy_foreign(stamp.pages[0].as_form_xobject()),
                         pikepdf.Rectangle(float(box[0]), float(box[1]), float(box[2]),
                                           float(box[3])))
    finally:
        stamp.close()
