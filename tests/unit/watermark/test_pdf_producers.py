"""Every layer on every font kind: PDFs printed by Chromium (Type0 / CID fonts, Identity-H)
and written with an embedded TrueType subset, marked, checked, rendered and traced."""

from __future__ import annotations

import io
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

from app.watermark import CHANNELS, detect, embed
from app.watermark.pdftemplate import analyse
from tests.producers import chromium_pdf, qpdf_check, rasterize, stripped, ttf_pdf
from tests.tools import require
from tests.unit.watermark.test_pdf_layers import PDF, cands, layers, spec

PRODUCERS: dict[str, Callable[[], bytes]] = {"chromium": chromium_pdf, "ttf": ttf_pdf}
FOOTER_BAND = 140  # rows at 150 dpi at the bottom of the page: the visible footer


@pytest.fixture(params=sorted(PRODUCERS))
def original(request: pytest.FixtureRequest) -> bytes:
    return PRODUCERS[request.param]()


def _gray(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float64)


def _extract(pdf: bytes) -> str:
    exe = require("pdftotext")
    with tempfile.TemporaryDirectory() as td:
        p = Path(td) / "a.pdf"
        p.write_bytes(pdf)
        return subprocess.run([exe, "-enc", "UTF-8", str(p), "-"], check=True,
                              capture_output=True).stdout.decode()


def test_chromium_pdf_uses_composite_identity_h_fonts():
    with pikepdf.open(io.BytesIO(chromium_pdf())) as pdf:
        fonts = pdf.pages[0].Resources.Font
        kinds = {(str(f.Subtype), str(f.get("/Encoding"))) for f in fonts.values()}
    assert kinds == {("/Type0", "/Identity-H")}


def test_every_font_kind_has_text_and_geometry_slots(original: bytes):
    an = analyse(original)
    assert len(an.text_slots) >= 100 and len(an.geo_slots) >= 100
    assert "pricing terms of the proposed settlement" in " ".join(an.text.split())


def test_marked_copy_is_valid(original: bytes):
    qpdf_check(embed(original, PDF, spec(cands()[0])))


def test_text_marks_leave_the_rendering_pixel_identical(original: bytes):
    out = embed(original, PDF, spec(cands()[1], CHANNELS - {"geometry"}))
    for a, b in zip(rasterize(original), rasterize(out), strict=True):
        ga, gb = _gray(a), _gray(b)
        assert ga.shape == gb.shape
        assert np.array_equal(ga[:-FOOTER_BAND], gb[:-FOOTER_BAND])
    assert out != embed(original, PDF, spec(cands()[2], CHANNELS - {"geometry"}))


def test_word_shifts_stay_below_a_pixel(original: bytes):
    """Geometry moves whole words by 0.45 pt: at 150 dpi every pixel of the marked page
    matches the original within one pixel of horizontal displacement."""
    out = embed(original, PDF, spec(cands()[1]))
    for a, b in zip(rasterize(original), rasterize(out), strict=True):
        ga, gb = _gray(a)[:-FOOTER_BAND], _gray(b)[:-FOOTER_BAND]
        assert not np.array_equal(ga, gb)  # the words did move
        best = np.min([np.abs(np.roll(ga, s, axis=1) - gb) for s in (-1, 0, 1)], axis=0)
        assert np.percentile(best, 99.9) <= 96 and best.mean() < 0.5


def test_text_layer_identifies_from_extracted_text_and_an_excerpt(original: bytes):
    cs = cands()
    text = _extract(embed(original, PDF, spec(cs[3])))
    body = text.split("Copy for")[0]
    det = detect(body, original, PDF, cs)
    assert det.identified == (cs[3].id,) and layers(det, cs[3].id)["text"][0] >= 30
    words = body.split()
    excerpt = " ".join(words[len(words) // 3 : len(words) // 3 + len(words) // 5])
    assert "Download tag" not in excerpt
    det = detect(excerpt, original, PDF, cs)
    assert det.identified == (cs[3].id,)
    assert detect(" ".join(_extract(original).split()), original, PDF, cs).identified == ()


def test_geometry_identifies_from_page_images_without_the_footer(original: bytes):
    cs = cands()
    pages = rasterize(embed(original, PDF, spec(cs[4])))
    blank = []
    for png in pages:  # the footer painted over: only the word shifts can speak
        g = _gray(png)
        g[-FOOTER_BAND:] = 255
        buf = io.BytesIO()
        Image.fromarray(g.astype(np.uint8)).save(buf, format="PNG")
        blank.append(buf.getvalue())
    det = detect(blank, original, PDF, cs)
    assert det.identified == (cs[4].id,)
    agree, compared = layers(det, cs[4].id)["geometry"]
    assert compared >= 60 and agree >= compared - 2
    assert detect(rasterize(original), original, PDF, cs).identified == ()


MIXED_CMAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /Test-Mixed-H def
2 begincodespacerange <00> <80> <8140> <9FFC> endcodespacerange
1 begincidrange <20> <7E> 1 endcidrange
1 begincidchar <8140> 633 endcidchar
endcmap CMapName currentdict /CMap defineresource pop end end"""


def test_embedded_cmap_codespace_cids_and_widths():
    from app.watermark.pdffonts import build_tounicode, font_info, parse_codespace

    with pikepdf.new() as pdf:
        enc = pdf.make_stream(MIXED_CMAP, Type=pikepdf.Name.CMap)
        cid = pikepdf.Dictionary(Subtype=pikepdf.Name.CIDFontType2, DW=500,
                                 W=pikepdf.Array([1, pikepdf.Array([250, 333]), 633, 633, 1000]))
        font = pikepdf.Dictionary(Subtype=pikepdf.Name.Type0, Encoding=enc,
                                  DescendantFonts=pikepdf.Array([cid]))
        info = font_info(font)
    assert info.split(b"A \x81\x40B") == [b"A", b" ", b"\x81\x40", b"B"]
    assert info.width(0x20) == 0.25 and info.width(0x21) == 0.333  # CIDs 1 and 2
    assert info.width(0x8140) == 1.0 and info.width(0x41) == 0.5  # CID 633; DW
    cmap = build_tounicode({0x41: "A", 0x8140: "\u3000"}, info.codespace)
    assert b"<41> <0041>" in cmap and b"<8140> <3000>" in cmap
    assert parse_codespace(cmap) == info.codespace


def _jpeg(png: bytes, quality: int = 75) -> bytes:
    buf = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("L").save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def test_scanned_pages_carry_an_image_mark_read_from_the_file_and_its_pages():
    from tests.producers import scan_pdf

    original, cs = scan_pdf(), cands()
    copies = [embed(original, PDF, spec(c)) for c in cs[:2]]
    qpdf = require("qpdf")
    with tempfile.TemporaryDirectory() as td:
        p = Path(td) / "m.pdf"
        p.write_bytes(copies[0])
        assert subprocess.run([qpdf, "--check", str(p)], capture_output=True).returncode == 0
    # a faint texture: within the mark's 4 grey levels (plus JPEG noise) of the scan
    a, b = _gray(rasterize(original)[0]), _gray(rasterize(copies[0])[0])
    diff = np.abs(a - b)[:-FOOTER_BAND]
    assert 0.5 < diff.mean() < 4 and np.percentile(diff, 99) <= 12
    det = detect(stripped(copies[0]), original, PDF, cs)
    assert det.identified == (cs[0].id,)
    assert layers(det, cs[0].id)["image"][1] >= 100
    det = detect([_jpeg(p) for p in rasterize(copies[1])], original, PDF, cs)
    assert det.identified == (cs[1].id,) and "image" in det.found_layers
    avg = []
    for x, y in zip(rasterize(copies[0]), rasterize(copies[1]), strict=True):
        buf = io.BytesIO()
        Image.fromarray(((_gray(x) + _gray(y)) / 2).round().astype(np.uint8)).save(buf, "PNG")
        avg.append(buf.getvalue())
    assert set(detect(avg, original, PDF, cs).identified) <= {cs[0].id, cs[1].id}
    assert detect(rasterize(original), original, PDF, cs).identified == ()
    assert detect(original, original, PDF, cs).identified == ()


def test_marked_font_copies_map_only_their_variants(original: bytes):
    """A marked font copy shows nothing but marked glyphs: its ToUnicode lists those codes,
    each mapped to a variant, not a copy of the whole font's map (which made a small letter
    half again as large)."""
    from app.watermark.pdffonts import parse_tounicode
    from app.watermark.text import HOMOGLYPHS, TYPOGRAPHIC

    variants = set(HOMOGLYPHS.values()) | set(TYPOGRAPHIC.values())
    with pikepdf.open(io.BytesIO(embed(original, PDF, spec(cands()[0])))) as pdf:
        fonts = pdf.pages[0].Resources.Font
        marked = [f for name, f in fonts.items() if name.startswith("/SRm")]
        assert marked
        for font in marked:
            mapping = parse_tounicode(font.ToUnicode.read_bytes())
            assert 0 < len(mapping) <= len(variants)
            assert set(mapping.values()) <= variants
