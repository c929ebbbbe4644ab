"""Where a PDF page's visible mark goes: the footer (default), a header, or a diagonal.

Every position draws the same two lines: who the copy is for (footer.footer_lines line 1) and
"Download tag NNNN-NNNN-NNNN" (line 2), in one content stream drawn last and starting with
FOOTER_MARK, so the file reader finds the tag as a literal string wherever it is drawn, and a
page image or its OCR text holds the same words. Invariants:

- "footer" without an order legend is byte for byte the footer every earlier copy carried;
- the protective order's legend (MarkSpec.order_legend) is on every page, in a margin band:
  the bottom band above the footer, or the top band for "header" and "diagonal"; bands sit
  inside the 0.75 in margin of letter/A4 pages, so they cover no body text of a page laid
  out with ordinary margins;
- the diagonal mark crosses the body at 45 degrees, counter-clockwise from the bottom left,
  drawn at DIAGONAL_ALPHA: body text under it stays black and readable (the mark shows only
  on blank paper), and the page pixels differ only where it passes;
- the diagonal tag's digits are drawn in an embedded font (pdfwriter.DIGIT_FONT) at a place
  that depends on the page size alone (diagonal_tag), so the pixel reader (tagpixels) can
  read them without OCR; extractors that split 45-degree text into letters (pdftotext) are
  told it is no text (an empty /ActualText span), and its two lines are repeated
  horizontally where the footer has them: the recipient in invisible text (render mode 3,
  as a scan's OCR layer), the tag visible, as OCR reads no text at 45 degrees;
- the Bates number stays in the bottom right corner, where productions carry it.
"""

from __future__ import annotations

import math

from . import pdfwriter
from .footer import footer_lines
from .model import MarkSpec
from .pdftemplate import literal
from .pdfwriter import ALPHA_STATE, DIGIT_FONT, FOOTER_MARK, footer_stream, helv_width

ANGLE = 45.0  # degrees; the pixel reader (tagpixels) computes where each digit lies from it
ORDER_SIZE = 8.0  # pt, Helvetica-Bold
MARGIN = 18.0  # pt: the least distance of a line from the page edge
DIAGONAL_WHO = 14.0  # pt, at most (smaller for a long line)
DIAGONAL_TAG = 22.0  # pt, at most: digits large enough to be read back from 150 dpi pixels


def decor(mark: MarkSpec) -> str:
    """The resources the copy needs beyond the plain footer's (pdfwriter.mark_structure):
    "d" for a diagonal mark, "b" for an order legend's bold face, "" for neither."""
    if mark.position == "diagonal":
        return "d"
    return "b" if mark.order_legend else ""


def _enc(text: str) -> bytes:
    return text.encode("cp1252", errors="replace")


def _centred(text: str, size: float, width: float, face: str) -> tuple[float, float]:
    """(x, size): the line centred on the page, shrunk to fit between the margins."""
    w = helv_width(text, size, face)
    room = max(width - 2 * MARGIN, 1.0)
    if w > room:
        size, w = size * room / w, room
    return max(MARGIN, (width - w) / 2), size


def _order_line(legend: str, width: float, y: float) -> bytes:
    x, size = _centred(legend, ORDER_SIZE, width, "Helvetica-Bold")
    return b"BT /SRfB %.2f Tf %.2f %.2f Td " % (size, x, y) + literal(_enc(legend)) + b" Tj ET "


def _bates(bates: str | None, width: float) -> bytes:
    if not bates:
        return b""
    x3 = max(MARGIN, width - MARGIN - 0.6 * 10 * len(bates))
    return b"BT /SRfC 10 Tf %.2f 9 Td " % x3 + literal(bates.encode("ascii")) + b" Tj ET "


def _who_tag(mark: MarkSpec, width: float, y1: float, y2: float) -> bytes:
    """Line 1 at baseline y1 and the tag at y2, centred, as the footer draws them."""
    line1, line2 = footer_lines(mark)
    x1 = max(MARGIN, (width - helv_width(line1, 7)) / 2)
    x2 = max(MARGIN, (width - 0.6 * 10 * len(line2)) / 2)
    return (b"BT /SRfH 7 Tf %.2f %.2f Td " % (x1, y1) + literal(_enc(line1)) + b" Tj ET "
            b"BT /SRfC 10 Tf %.2f %.2f Td " % (x2, y2) + literal(_enc(line2)) + b" Tj ET ")


def _footer(mark: MarkSpec, width: float, bates: str | None) -> bytes:
    plain = footer_stream(mark, width, bates)
    if not mark.order_legend:
        return plain
    # The legend above the footer's two lines, in the same stream and graphics state.
    head = FOOTER_MARK + b"q 0.25 g "
    assert plain.startswith(head)
    return head + _order_line(mark.order_legend, width, 48) + plain[len(head):]


def _header(mark: MarkSpec, width: float, height: float, bates: str | None) -> bytes:
    top = height - 20
    order = b""
    if mark.order_legend:
        order, top = _order_line(mark.order_legend, width, top), top - 12
    return (FOOTER_MARK + b"q 0.25 g " + order + _who_tag(mark, width, top, top - 14)
            + _bates(bates, width) + b"Q\n")


def _start(width: float, height: float, across: float, length: float) -> tuple[float, float]:
    """Where a line of `length` pt starts (baseline, left end) when it is centred on the
    45-degree axis through the page centre and moved `across` pt perpendicular to it
    (positive: towards the top left)."""
    c = s = math.cos(math.radians(ANGLE))
    cx, cy = width / 2 - s * across, height / 2 + c * across
    return cx - c * length / 2, cy - s * length / 2


def _diagonal_line(text: str, font: bytes, size: float, xy: tuple[float, float]) -> bytes:
    c = s = math.cos(math.radians(ANGLE))
    return (b"BT %s %.2f Tf %.4f %.4f %.4f %.4f %.2f %.2f Tm " % (font, size, c, s, -s, c, *xy)
            + literal(_enc(text)) + b" Tj ET ")


def _fit(advance: float, size: float, width: float, height: float) -> float:
    """`size`, or less so that the line stays inside the page along the diagonal."""
    room = 0.9 * min(width, height) * math.sqrt(2)
    return min(size, room / max(advance, 1e-6))


PREFIX = "Download tag "
PREFIX_EM = 0.6 * len(PREFIX)  # Courier-Bold: every character is 0.6 em wide


def _tag_ems(digits: str) -> list[float]:
    """The advance of each character of a formatted tag (digits and hyphens), in ems."""
    widths = pdfwriter.digit_face().widths
    return [widths[ch] / 1000.0 for ch in digits]


def diagonal_tag(width: float, height: float) -> tuple[float, float, float, list[float]]:
    """(x, y, size, starts) of the diagonal tag line on a `width` x `height` page; `starts`
    are the distances (pt along the line) of each tag character's left edge from (x, y),
    with the line's end last. A function of the page size alone (every tag has twelve
    digits in groups of four), so the pixel reader (tagpixels) knows where each digit is
    drawn without knowing the download."""
    ems = _tag_ems("0000-0000-0000")
    size = _fit(PREFIX_EM + sum(ems), DIAGONAL_TAG, width, height)
    x, y = _start(width, height, -0.7 * size, (PREFIX_EM + sum(ems)) * size)
    starts = [PREFIX_EM * size]
    for em in ems:
        starts.append(starts[-1] + em * size)
    return x, y, size, starts


def _tag_line(line2: str, width: float, height: float) -> bytes:
    """"Download tag " in Courier-Bold, then the digits in the embedded digit font, from the
    position diagonal_tag gives (the text position runs on from the prefix's end)."""
    assert line2.startswith(PREFIX)
    x, y, size, _ = diagonal_tag(width, height)
    c = s = math.cos(math.radians(ANGLE))
    return (b"BT /SRfC %.2f Tf %.4f %.4f %.4f %.4f %.2f %.2f Tm " % (size, c, s, -s, c, x, y)
            + literal(_enc(PREFIX)) + b" Tj %s %.2f Tf " % (DIGIT_FONT.encode(), size)
            + literal(_enc(line2[len(PREFIX):])) + b" Tj ET ")


def tag_line_stream(line2: str, width: float, height: float) -> bytes:
    """The diagonal tag line alone, drawn as a copy draws it (templates of tagpixels)."""
    return b"q %s gs 0 g " % ALPHA_STATE.encode() + _tag_line(line2, width, height) + b"Q\n"


def _horizontal(line1: str, line2: str, width: float) -> bytes:
    """The two lines again, horizontal, where the footer has them: line 1 invisible (render
    mode 3, as a scan's OCR layer) so that extracted text names the recipient as in every
    position, and the tag visible. OCR reads no text at 45 degrees: the margin's tag keeps
    the tag in the OCR text of a page (and in a grab that leaves out the page's middle)."""
    x1 = max(MARGIN, (width - helv_width(line1, 7)) / 2)
    x2 = max(MARGIN, (width - 0.6 * 10 * len(line2)) / 2)
    return (b"BT 3 Tr /SRfH 7 Tf %.2f 36 Td " % x1 + literal(_enc(line1)) + b" Tj ET "
            b"BT 0 Tr /SRfC 10 Tf %.2f 22 Td " % x2 + literal(_enc(line2)) + b" Tj ET ")


def _diagonal(mark: MarkSpec, width: float, height: float, bates: str | None) -> bytes:
    line1, line2 = footer_lines(mark)
    size2 = diagonal_tag(width, height)[2]
    adv1 = helv_width(line1, 1)
    size1 = _fit(adv1, DIAGONAL_WHO, width, height)
    xy1 = _start(width, height, 0.6 * size2, adv1 * size1)
    order = _order_line(mark.order_legend, width, height - 20) if mark.order_legend else b""
    return (FOOTER_MARK + b"q 0.25 g " + order + _bates(bates, width)
            + b"q %s gs 0 g /Span << /ActualText () >> BDC " % ALPHA_STATE.encode()
            + _diagonal_line(line1, b"/SRfH", size1, xy1)
            + _tag_line(line2, width, height) + b"EMC Q "
            + _horizontal(line1, line2, width) + b"Q\n")


def page_stream(mark: MarkSpec, width: float, height: float, bates: str | None = None
                ) -> bytes:
    """The visible mark of one page of `width` x `height` pt, in `mark.position`."""
    if mark.position == "header":
        return _header(mark, width, height, bates)
    if mark.position == "diagonal":
        return _diagonal(mark, width, height, bates)
    return _footer(mark, width, bates)
