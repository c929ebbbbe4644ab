"""PDFs made the ways real productions are made, for the watermark and tracing tests.

- ``chromium_pdf``: HTML printed by headless Chromium (composite CID TrueType fonts with the
  Identity-H CMap, one glyph per ``Tj``), as browsers, Acrobat and many office suites write;
- ``ttf_pdf``: a TrueType subset embedded as a simple font, as word processors write;
- ``scan_pdf``: an image-only PDF, each page a JPEG of a 150 dpi raster, as a scanned
  production arrives.

Chromium and poppler are external tools: ``tests.tools.require`` skips without them on a
developer's machine and fails in CI. Results are cached per text (they take a second or two).
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from functools import cache
from html import escape
from pathlib import Path

from tests.tools import require

TEXT = (
    "Dear Counsel,\n\n"
    "This letter confirms the pricing terms of the proposed settlement between Keystone "
    "Mutual and Harbor Freight Logistics. The defendant offers a payment of two hundred and "
    "fifty thousand dollars within thirty days, in exchange for a full release of all claims "
    "arising from the supply agreement and the warehouse lease. The pricing schedule attached "
    "to the agreement remains in force for the remaining term, and neither party admits any "
    "liability by making or accepting this offer.\n\n"
    "The offer is made under Rule 408 and may not be used to prove the validity or amount of "
    "a disputed claim. It remains open until the close of business on the fourteenth day "
    "after service, after which it lapses without further notice. Counsel for the plaintiff "
    "should direct any questions about the pricing terms, the release or the payment "
    "schedule to the undersigned, and should not contact the defendant directly.\n\n"
    "The parties further agree that the confidentiality provisions of the protective order "
    "apply to this letter, to every draft of the settlement agreement and to the negotiations "
    "that lead to it, and that any disclosure to a third party requires the written consent "
    "of both sides.\n\n"
    "Sincerely,\nHartwell and Okafor LLP"
)


def _html(text: str) -> str:
    paras = "".join("<p>" + "<br>".join(escape(line) for line in block.split("\n")) + "</p>"
                    for block in text.split("\n\n"))
    return ("<html><head><meta charset='utf-8'><style>@page{size:letter;margin:0.9in 1in}"
            "body{font-family:'DejaVu Serif',serif;font-size:11pt;line-height:14pt;"
            "text-align:justify}p{margin:0 0 8pt 0}</style></head><body>" + paras
            + "</body></html>")


@cache
def chromium_pdf(text: str = TEXT) -> bytes:
    exe = require("chromium")
    with tempfile.TemporaryDirectory() as td:
        src, out = Path(td) / "letter.html", Path(td) / "letter.pdf"
        src.write_text(_html(text), "utf-8")
        subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", f"--user-data-dir={td}/profile",
                        "--no-pdf-header-footer", f"--print-to-pdf={out}", src.as_uri()],
                       check=True, capture_output=True, timeout=120)
        return out.read_bytes()


def _dejavu() -> Path:
    for p in (Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),
              Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")):
        if p.exists():
            return p
    require("DejaVuSerif.ttf")  # skips (fails in CI) naming the missing font
    raise AssertionError("unreachable")


@cache
def ttf_pdf(text: str = TEXT) -> bytes:
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(TTFont("SRTestSerif", str(_dejavu())))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=LETTER, invariant=1)
    style = ParagraphStyle("b", fontName="SRTestSerif", fontSize=11, leading=14, alignment=4)
    doc.build([Paragraph(escape(p).replace("\n", "<br/>"), style) for p in text.split("\n\n")])
    return buf.getvalue()


def rasterize(pdf: bytes, dpi: int = 150, gray: bool = False) -> list[bytes]:
    """Page PNGs rendered by poppler (not by the renderer the detector uses)."""
    exe = require("pdftoppm")
    with tempfile.TemporaryDirectory() as td:
        p = Path(td) / "a.pdf"
        p.write_bytes(pdf)
        subprocess.run([exe, "-r", str(dpi), *(["-gray"] if gray else []), "-png", str(p),
                        str(Path(td) / "p")], check=True)
        return [f.read_bytes() for f in sorted(Path(td).glob("p*.png"))]


@cache
def scan_pdf(text: str = TEXT, dpi: int = 150) -> bytes:
    """The TrueType letter printed and scanned: grey JPEG pages in an image-only PDF."""
    from PIL import Image

    pages = [Image.open(io.BytesIO(png)).convert("L")
             for png in rasterize(ttf_pdf(text), dpi=dpi, gray=True)]
    buf = io.BytesIO()
    pages[0].save(buf, format="PDF", save_all=True, append_images=pages[1:],
                  resolution=float(dpi), quality=85)
    return buf.getvalue()
