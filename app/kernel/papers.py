"""Plain PDF documents (settlement memoranda, Rule 68 filings) rendered with reportlab.

The marking line (e.g. the FRE 408 legend) is printed at the top of every page so that a
page separated from the document still carries it.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

Section = tuple[str, Sequence[str]]
_MARGIN = 60
_LINE = 14
_WRAP = 90


def _lines(title: str, sections: Sequence[Section]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = [("Helvetica-Bold", title), ("Helvetica", "")]
    for heading, body in sections:
        out.append(("Helvetica-Bold", heading))
        for paragraph in body:
            for line in textwrap.wrap(paragraph, _WRAP) or [""]:
                out.append(("Helvetica", line))
        out.append(("Helvetica", ""))
    return out


def render_pdf(*, title: str, marking: str | None, sections: Sequence[Section]) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=LETTER, pageCompression=0)
    pdf.setTitle(title)
    width, height = LETTER
    y = 0.0

    def new_page() -> float:
        if marking:
            pdf.setFont("Helvetica-Bold", 10)
            pdf.drawString(_MARGIN, height - 40, marking)
        return height - 70

    y = new_page()
    for font, text in _lines(title, sections):
        if y < _MARGIN:
            pdf.showPage()
            y = new_page()
        pdf.setFont(font, 11)
        pdf.drawString(_MARGIN, y, text)
        y -= _LINE
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
