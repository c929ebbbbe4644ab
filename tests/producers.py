"""PDFs made the ways real productions are made, for the watermark and tracing tests.

- ``chromium_pdf``: HTML printed by headless Chromium (composite CID TrueType fonts with the
  Identity-H CMap, one glyph per ``Tj``), as browsers, Acrobat and many office suites write;
- ``ttf_pdf``: a TrueType subset embedded as a simple font, as word processors write;
- ``scan_pdf``: an image-only PDF, each page a JPEG of a 150 dpi raster, as a scanned
  production arrives;
- ``vertical_pdf``: the letter in vertical writing through a Type0 font with Identity-V or an
  embedded /WMode 1 CMap over an embedded TrueType program, as CJK producers write columns.

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
    """Page PNGs rendered by poppler (not by the renderer the detector uses). Poppler writes
    raw pixmaps and the PNGs are made here at zlib level 1: pdftoppm's own PNG encoder spent
    about 0.45 s of CPU per 200 dpi page compressing, 25 times what rendering took, for
    files 4 % smaller (the pixels are the same)."""
    from PIL import Image

    exe = require("pdftoppm")
    with tempfile.TemporaryDirectory() as td:
        p = Path(td) / "a.pdf"
        p.write_bytes(pdf)
        subprocess.run([exe, "-r", str(dpi), *(["-gray"] if gray else []), str(p),
                        str(Path(td) / "p")], check=True)
        pages = []
        for f in sorted(Path(td).glob("p*.p[gp]m")):
            buf = io.BytesIO()
            with Image.open(f) as im:
                im.save(buf, format="PNG", compress_level=1)
            pages.append(buf.getvalue())
        return pages


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


def _tounicode(codes: dict[int, str], width: int) -> bytes:
    digits = 2 * width
    rows = b"\n".join(b"<%0*X> <%s>" % (digits, c, ch.encode("utf-16-be").hex().upper().encode())
                      for c, ch in sorted(codes.items()))
    return (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            b"/CMapName /Test-UCS def /CMapType 2 def\n"
            b"1 begincodespacerange <%s> <%s> endcodespacerange\n"
            % (b"0" * digits, b"F" * digits)
            + b"%d beginbfchar\n" % len(codes) + rows + b"\nendbfchar\n"
            b"endcmap CMapName currentdict /CMap defineresource pop end end")


def _columns(text: str, per_column: int) -> list[str]:
    """The text cut into columns of at most `per_column` characters, at spaces; a paragraph
    starts a new column and leaves one empty."""
    out: list[str] = []
    for block in text.split("\n\n"):
        for line in block.split("\n"):
            col = ""
            for word in line.split(" "):
                if col and len(col) + 1 + len(word) > per_column:
                    out.append(col)
                    col = word
                else:
                    col = f"{col} {word}" if col else word
            out.append(col)
        out.append("")
    return out[:-1]


@cache
def vertical_pdf(text: str = TEXT, cmap: str = "identity") -> bytes:
    """The letter in vertical writing (columns top to bottom, read right to left) through a
    Type0 font over the whole DejaVu Serif as a CIDFontType2 (CID = glyph id).

    `cmap` "identity": the predefined Identity-V CMap (2-byte codes, code = CID), as CJK
    producers write it; "embedded": an embedded CMap stream with /WMode 1 whose codes are
    2-byte codes from 0x0100 mapped to CIDs by cidchar entries. Letters advance by their
    /W2 entries (their width plus 120 units); the space has none, so the default /DW2
    [880 -1000] applies: the glyphs need not be CJK, vertical mode changes the advances."""
    import pikepdf
    from reportlab.pdfbase.ttfonts import TTFontFile

    path = _dejavu()
    ttf = TTFontFile(str(path))
    chars = sorted(set(text) - {"\n"})
    gid = {ch: ttf.charToGlyph[ord(ch)] for ch in chars}
    code = {ch: (gid[ch] if cmap == "identity" else 0x100 + k) for k, ch in enumerate(chars)}
    hadv = {gid[ch]: round(ttf.charWidths.get(ord(ch), 600)) for ch in chars}
    w: list[object] = []
    w2: list[object] = []
    for ch in chars:
        g = gid[ch]
        w += [g, pikepdf.Array([hadv[g]])]
        if ch != " ":
            w2 += [g, pikepdf.Array([-(hadv[g] + 120), hadv[g] // 2, 880])]
    size, pitch, top, left, right = 11.0, 16.0, 745.0, 48.0, 566.0
    per_column = int((top - 50.0) / (size * 0.75))
    pdf = pikepdf.new()
    prog = pdf.make_stream(path.read_bytes())
    desc = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name("/DejaVuSerif"), Flags=6,
        FontBBox=pikepdf.Array([-770, -347, 2105, 1109]), ItalicAngle=0, Ascent=760,
        Descent=-240, CapHeight=729, StemV=80, FontFile2=prog))
    cidfont = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=pikepdf.Name("/DejaVuSerif"), FontDescriptor=desc, DW=1000,
        W=pikepdf.Array(w), W2=pikepdf.Array(w2),
        CIDToGIDMap=pikepdf.Name.Identity,
        CIDSystemInfo=pikepdf.Dictionary(Registry=pikepdf.String("Adobe"),
                                          Ordering=pikepdf.String("Identity"), Supplement=0)))
    encoding: object = pikepdf.Name("/Identity-V")
    if cmap != "identity":
        rows = b"\n".join(b"<%04X> %d" % (code[ch], gid[ch]) for ch in chars)
        encoding = pdf.make_stream(
            b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            b"/CMapName /Test-Letters-V def /CMapType 1 def /WMode 1 def\n"
            b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
            + b"%d begincidchar\n" % len(chars) + rows + b"\nendcidchar\n"
            b"endcmap CMapName currentdict /CMap defineresource pop end end",
            Type=pikepdf.Name.CMap, CMapName=pikepdf.Name("/Test-Letters-V"), WMode=1,
            CIDSystemInfo=pikepdf.Dictionary(Registry=pikepdf.String("Adobe"),
                                              Ordering=pikepdf.String("Identity"),
                                              Supplement=0))
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0,
        BaseFont=pikepdf.Name("/DejaVuSerif"), Encoding=encoding,
        DescendantFonts=pikepdf.Array([cidfont]),
        ToUnicode=pdf.make_stream(_tounicode({code[ch]: ch for ch in chars}, 2))))
    columns = _columns(text, per_column)
    per_page = int((right - left) / pitch) + 1
    for start in range(0, len(columns), per_page):
        ops = []
        for k, col in enumerate(columns[start:start + per_page]):
            if col:
                hexa = "".join(f"{code[ch]:04X}" for ch in col)
                ops.append(f"BT /F1 {size:g} Tf 1 0 0 1 {right - k * pitch:g} {top:g} Tm "
                           f"<{hexa}> Tj ET")
        page = pdf.add_blank_page(page_size=(612, 792))
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.obj.Contents = pdf.make_stream("\n".join(ops).encode())
    buf = io.BytesIO()
    pdf.save(buf, deterministic_id=True)
    return buf.getvalue()


def qpdf_check(pdf: bytes) -> None:
    """qpdf finds the file valid (its structure, streams and cross-references)."""
    qpdf = require("qpdf")
    with tempfile.TemporaryDirectory() as td:
        p = Path(td) / "m.pdf"
        p.write_bytes(pdf)
        res = subprocess.run([qpdf, "--check", str(p)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def stripped(pdf: bytes) -> bytes:
    """The copy with its metadata and its footer stream removed (an editor's clean-up): only
    the page's own content speaks."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        if "/Info" in doc.trailer:
            del doc.trailer["/Info"]
        if "/Metadata" in doc.Root:
            del doc.Root["/Metadata"]
        for page in doc.pages:
            page.obj.Contents = page.obj.Contents[0]
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()
