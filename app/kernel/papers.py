"""Plain PDF documents (settlement memoranda, Rule 68 filings, audit reports) rendered with
reportlab.

Invariants a filed or forwarded paper relies on:
- every line stays inside the page's margins: text is wrapped by its measured width, and a
  word too long for a line (a hash, a base64 signature) is broken across lines rather than
  run off the page;
- the marking line (e.g. the FRE 408 legend) is printed at the top of every page, and each
  page says "Page n of N", so that a page separated from the document still carries both;
- an optional caption block (court, parties, docket number) heads the first page, as on a
  paper filed with a court.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

Section = tuple[str, Sequence[str]]
Line = tuple[str, str]  # (font, text)
MARGIN = 72  # one inch on every side, as court papers are set
_LINE = 14
_SIZE = 11
_BODY = "Helvetica"
_BOLD = "Helvetica-Bold"
_TOP_BAND = 40  # the marking line sits in the top margin, above the text block


@dataclass(frozen=True)
class Caption:
    """The caption of a court paper: the court, the case's title, the docket number."""

    court: str
    title: str
    docket_number: str


def signature_block(name: str, capacity: str) -> list[str]:
    """An electronic signature as courts accept it (``/s/`` and the typed name), with the
    bar number left as a field for counsel to fill in before filing."""
    return [f"/s/ {name}", name, capacity, "State Bar No. ____________", ""]


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` in lines no wider than ``width`` points; overlong words are broken."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        for piece in _pieces(word, font, size, width):
            candidate = f"{current} {piece}" if current else piece
            if stringWidth(candidate, font, size) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = piece
    if current:
        lines.append(current)
    return lines or [""]


def _pieces(word: str, font: str, size: float, width: float) -> list[str]:
    if stringWidth(word, font, size) <= width:
        return [word]
    pieces, current = [], ""
    for char in word:
        if current and stringWidth(current + char, font, size) > width:
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
    per_page = int((height - 2 * MARGIN) // _LINE)
    pages = _paginate(_lines(title, sections, caption, text_width), per_page)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=LETTER, pageCompression=0)
    pdf.setTitle(title)
    for number, page in enumerate(pages, start=1):
        if marking:
            pdf.setFont(_BOLD, 9)
            for i, line in enumerate(wrap(marking, _BOLD, 9, text_width)[:2]):
                pdf.drawString(MARGIN, height - _TOP_BAND - i * 11, line)
        y = height - MARGIN - _SIZE
        for font, text in page:
            pdf.setFont(font, _SIZE)
            pdf.drawString(MARGIN, y, text)
            y -= _LINE
        pdf.setFont(_BODY, 9)
        pdf.drawCentredString(width / 2, MARGIN / 2, f"Page {number} of {len(pages)}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
