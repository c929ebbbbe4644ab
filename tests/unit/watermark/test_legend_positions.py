"""The visible legend in each position (footer, header, diagonal) on every kind of PDF a
producer writes, the protective order's legend on every page, and tracing from the file and
from page images wherever the legend was drawn."""

from __future__ import annotations

import dataclasses
import io
import math
import subprocess
from collections.abc import Callable

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image

from app.watermark import detect, embed, prepare
from app.watermark.footer import format_tag
from app.watermark.geometry import render
from app.watermark.legend import decor, page_stream
from app.watermark.pdfwriter import footer_stream
from tests.producers import chromium_pdf, qpdf_check, rasterize, scan_pdf, ttf_pdf
from tests.tools import require
from tests.unit.watermark.test_fingerprint_and_text import LETTER
from tests.unit.watermark.test_pdf_layers import (
    ORIGINAL,
    PDF,
    cands,
    layers,
    make_pdf,
    spec,
    tesseract,
)

PRODUCERS: dict[str, Callable[[], bytes]] = {
    "reportlab": lambda: ORIGINAL, "ttf": ttf_pdf, "chromium": chromium_pdf, "scan": scan_pdf}
POSITIONS = ("footer", "header", "diagonal")
BAND_PT = 60.0  # the margin band a footer or header stays inside
PX = 150 / 72.0  # render resolution (px per pt)
ORDER = "HIGHLY CONFIDENTIAL - ATTORNEYS' EYES ONLY - SUBJECT TO PROTECTIVE ORDER"


def _mark(c, position: str, channels: frozenset[str] | None = None, legend: str = ""):  # noqa: ANN001, ANN202
    return dataclasses.replace(spec(c, channels), position=position, order_legend=legend)


@pytest.fixture(params=sorted(PRODUCERS))
def original(request: pytest.FixtureRequest) -> bytes:
    return PRODUCERS[request.param]()


def _changed(original: bytes, copy: bytes) -> list[np.ndarray]:
    """Per page, a boolean image of the pixels the mark changed (rendered at 150 dpi)."""
    return [np.abs(a - b) > 24 for a, b in zip(render(original), render(copy), strict=True)]


def _page_texts(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


@pytest.mark.parametrize("position", POSITIONS)
def test_the_legend_is_drawn_where_chosen_and_nowhere_else(original: bytes, position: str):
    """Invisible channels off, so every changed pixel is the visible mark's."""
    copy = embed(original, PDF, _mark(cands()[0], position, frozenset()))
    qpdf_check(copy)
    for changed in _changed(original, copy):
        rows, cols = np.nonzero(changed)
        assert len(rows) > 200  # the mark is there
        top, height = rows / PX, changed.shape[0] / PX  # pt from the top of the page
        if position == "footer":
            assert top.min() > height - BAND_PT
        elif position == "header":
            assert top.max() < BAND_PT
        else:  # along the 45-degree axis through the centre, and through the body; the
            # tag alone again in the bottom margin (OCR reads no text at 45 degrees)
            band = top > height - BAND_PT
            assert band.sum() > 50 and (cols[band] / PX).min() > 150
            x = cols[~band] / PX - changed.shape[1] / PX / 2
            y = height / 2 - top[~band]
            across = np.abs(x - y) / math.sqrt(2)
            assert np.percentile(across, 99) < 45
            assert top.min() < height / 2 - 100 and top[~band].max() > height / 2 + 100


def test_footer_without_an_order_legend_is_the_footer_as_before():
    mark = _mark(cands()[0], "footer")
    assert decor(mark) == ""  # the same template, fonts and resources as before
    for bates in (None, "SMITH000001"):
        assert page_stream(mark, 612, 792, bates) == footer_stream(mark, 612, bates)
    with pikepdf.open(io.BytesIO(embed(ORIGINAL, PDF, mark))) as pdf:
        res = pdf.pages[0].Resources
        assert "/SRfB" not in res.Font and "/SRfD" not in res.Font and "/ExtGState" not in res


@pytest.mark.parametrize("position", POSITIONS)
def test_order_legend_on_every_page_in_the_margin(position: str):
    original = make_pdf("\n\n".join([LETTER] * 4))
    copy = embed(original, PDF, _mark(cands()[1], position, legend=ORDER))
    qpdf_check(copy)
    texts = _page_texts(copy)
    assert len(texts) >= 2
    doc = pdfium.PdfDocument(copy)
    try:
        for k, text in enumerate(texts):
            assert ORDER in " ".join(text.split())
            page = doc[k]
            height = page.get_height()
            tp = page.get_textpage()
            search = tp.search("SUBJECT TO PROTECTIVE ORDER")
            found = search.get_next()
            assert found is not None
            _, bottom, _, top = tp.get_charbox(found[0])
            if position == "footer":  # in the bottom band, above the footer's two lines
                assert 36 < bottom and top < BAND_PT
            else:  # in the top band
                assert bottom > height - BAND_PT
    finally:
        doc.close()
    plain = embed(original, PDF, _mark(cands()[1], position))
    assert all("PROTECTIVE ORDER" not in t for t in _page_texts(plain))


@pytest.mark.parametrize("position", POSITIONS)
def test_every_position_traced_from_the_file_and_its_extracted_text(original: bytes,
                                                                     position: str):
    cs = cands()
    copy = embed(original, PDF, _mark(cs[2], position, legend=ORDER))
    assert detect(copy, original, PDF, cs).identified == (cs[2].id,)
    # Footer alone (no invisible channel): the tag is read from the file and its text.
    bare = embed(original, PDF, _mark(cs[3], position, frozenset()))
    det = detect(bare, original, PDF, cs)
    assert det.identified == (cs[3].id,) and layers(det, cs[3].id)["footer"] == (1, 1)
    text = subprocess.run([require("pdftotext"), "-", "-"], input=bare, check=True,
                          capture_output=True).stdout.decode()
    assert f"Download tag {format_tag(cs[3].tag)}" in text
    assert detect(text, original, PDF, cs).identified == (cs[3].id,)


def test_diagonal_tag_read_from_page_images_without_ocr(original: bytes):
    """The digits are read from the pixels where the body leaves them visible (tagpixels):
    from poppler's rendering, and from a grey JPEG re-encoding of it."""
    cs = cands()
    prep = prepare(original, PDF)
    copy = embed(prep, PDF, _mark(cs[4], "diagonal", frozenset(), legend=ORDER))
    pages = rasterize(copy)
    det = detect(pages, prep, PDF, cs)
    assert det.identified == (cs[4].id,) and layers(det, cs[4].id)["footer"] == (1, 1)
    jpegs = []
    for png in pages:
        buf = io.BytesIO()
        Image.open(io.BytesIO(png)).convert("L").save(buf, format="JPEG", quality=75)
        jpegs.append(buf.getvalue())
    assert detect(jpegs, prep, PDF, cs).identified == (cs[4].id,)


def test_pixel_reader_reads_no_tag_where_there_is_no_diagonal():
    cs = cands()
    prep = prepare(ORIGINAL, PDF)
    for pages in (rasterize(embed(prep, PDF, _mark(cs[0], "footer", frozenset()))),
                  rasterize(embed(prep, PDF, _mark(cs[0], "header", frozenset()))),
                  rasterize(ORIGINAL)):
        det = detect(pages, prep, PDF, cs)  # no OCR: only the pixel reader could read a tag
        assert det.identified == () and "footer" not in det.found_layers


@pytest.mark.slow
@pytest.mark.parametrize("name", ["reportlab", "scan"])
def test_header_tag_read_by_ocr_from_page_images(name: str):
    cs = cands()
    original = PRODUCERS[name]()
    copy = embed(original, PDF, _mark(cs[5], "header", frozenset(), legend=ORDER))
    det = detect(rasterize(copy), original, PDF, cs, ocr=tesseract)
    assert det.identified == (cs[5].id,) and layers(det, cs[5].id)["footer"] == (1, 1)


@pytest.mark.parametrize("position", POSITIONS)
def test_text_document_mark_position_and_order_legend(position: str):
    cs = cands()
    text = LETTER.encode()
    copy = embed(text, "text/plain", _mark(cs[1], position, legend=ORDER)).decode()
    lines = copy.splitlines()
    if position == "footer":
        assert lines[-3:] == [ORDER, *lines[-2:]] and lines[-2].startswith("Copy for ")
        assert copy.startswith(LETTER.splitlines()[0])
    else:  # a header; plain text has no angle, so "diagonal" opens the document too
        assert lines[0] == ORDER and lines[1].startswith("Copy for ") and lines[3] == "--"
    assert detect(copy, text, "text/plain", cs).identified == (cs[1].id,)
    body = copy.split("--\n", 1)[1] if position != "footer" else copy.split("\n\n--\n")[0]
    assert detect(body, text, "text/plain", cs).identified == (cs[1].id,)


@pytest.mark.parametrize("position", POSITIONS)
def test_image_stamp_stays_in_its_band_and_names_the_order(position: str):
    """PNG/JPEG uploads keep the stamp in the bottom band in every position (the pattern's
    layout leaves only that band free); the order's legend changes only that band."""
    from app.watermark.image import STAMP_BAND

    rng = np.random.default_rng(5)
    base = (np.linspace(30, 220, 400)[None, :, None] * np.ones((240, 1, 3))
            + rng.normal(0, 8, (240, 400, 3)))
    buf = io.BytesIO()
    Image.fromarray(base.clip(0, 255).astype(np.uint8)).save(buf, format="PNG")
    original, cs = buf.getvalue(), cands()
    plain = embed(original, "image/png", _mark(cs[2], "footer"))
    marked = embed(original, "image/png", _mark(cs[2], position, legend=ORDER))
    a, b = (np.asarray(Image.open(io.BytesIO(x)).convert("L"), dtype=int) for x in (plain, marked))
    assert np.array_equal(a[:-STAMP_BAND], b[:-STAMP_BAND])
    assert not np.array_equal(a[-STAMP_BAND:], b[-STAMP_BAND:])
    assert detect(marked, original, "image/png", cs).identified == (cs[2].id,)


def _tiny_and_rotated() -> list[bytes]:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(90, 60), invariant=1)
    c.drawString(10, 30, "Exhibit 4")
    c.save()
    with pikepdf.open(io.BytesIO(ORIGINAL)) as pdf:
        pdf.pages[0].Rotate = 90
        out = io.BytesIO()
        pdf.save(out)
    return [buf.getvalue(), out.getvalue()]


@pytest.mark.parametrize("which", ["tiny", "rotated"])
def test_pages_the_diagonal_reader_cannot_place_read_nothing_and_fail_nothing(which: str):
    original = _tiny_and_rotated()[which == "rotated"]
    cs = cands()
    copy = embed(original, PDF, _mark(cs[0], "diagonal", frozenset()))
    qpdf_check(copy)
    det = detect(rasterize(copy), original, PDF, cs)
    assert det.errors == () and "footer" not in det.found_layers
    assert detect(copy, original, PDF, cs).identified == (cs[0].id,)  # the file still tells


@pytest.mark.parametrize("position", POSITIONS)
def test_a_large_pdf_marked_file_to_file_carries_the_same_legend(position: str):
    """The streamed path (embed_into from a file) draws the legend as the in-memory path."""
    from tests.unit.watermark.test_pdf_into_file import _into_file

    cs = cands()
    mark = _mark(cs[1], position, legend=ORDER)
    got = _into_file(ORIGINAL, mark)
    qpdf_check(got)
    assert all(ORDER in " ".join(t.split()) for t in _page_texts(got))
    in_memory = embed(ORIGINAL, PDF, mark)
    with pikepdf.open(io.BytesIO(got)) as a, pikepdf.open(io.BytesIO(in_memory)) as b:
        for pa, pb in zip(a.pages, b.pages, strict=True):
            assert pa.Contents[1].read_bytes() == pb.Contents[1].read_bytes()
    assert detect(got, ORIGINAL, PDF, cs).identified == (cs[1].id,)
