"""Every layer on composite fonts in vertical writing: Identity-V and an embedded CMap with
/WMode 1 over an embedded TrueType program, columns read right to left.

What must hold: a vertical column's glyphs are placed by /W2 and /DW2 and its TJ numbers move
the pen along y; a marked copy is a valid PDF that renders as the original does apart from
whole words moved down or up their column by 0.45 pt; those moves, read back from page
images, name the recipient; the line tokens beside each column's ends are read back from the
copy's text; and the unmarked original names no one."""

from __future__ import annotations

import io

import numpy as np
import pikepdf
import pytest
from PIL import Image

from app.watermark import CHANNELS, detect, embed
from app.watermark.codes import line_bits
from app.watermark.lines import BITS
from app.watermark.pdf import read_pdf_file
from app.watermark.pdfcontent import join_text, walk
from app.watermark.pdffonts import font_info
from app.watermark.pdftemplate import ColumnBox, LineHook, WordBox, analyse
from app.watermark.prepared import prepare
from tests.producers import qpdf_check, rasterize, stripped, vertical_pdf
from tests.unit.watermark.test_pdf_layers import PDF, cands, layers, spec

FOOTER_BAND = 140  # rows at 150 dpi at the bottom of the page: the visible footer


@pytest.fixture(params=["identity", "embedded"])
def original(request: pytest.FixtureRequest) -> bytes:
    return vertical_pdf(cmap=request.param)


def _gray(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float64)


def _footerless(pdf: bytes) -> list[bytes]:
    out = []
    for png in rasterize(pdf):
        g = _gray(png)
        g[-FOOTER_BAND:] = 255
        buf = io.BytesIO()
        Image.fromarray(g.astype(np.uint8)).save(buf, format="PNG")
        out.append(buf.getvalue())
    return out


def _vertical_font(pdf: pikepdf.Pdf, cidfont: dict) -> pikepdf.Dictionary:
    desc = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.CIDFontType2,
                              **cidfont)
    return pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0,
                              Encoding=pikepdf.Name("/Identity-V"),
                              DescendantFonts=pikepdf.Array([pdf.make_indirect(desc)]))


def test_w2_and_dw2_give_the_advance_and_position_vector_of_each_cid():
    with pikepdf.new() as pdf:
        font = _vertical_font(pdf, {
            "DW": 600, "W": pikepdf.Array([3, pikepdf.Array([500])]),
            "DW2": pikepdf.Array([900, -950]),
            "W2": pikepdf.Array([1, pikepdf.Array([-700, 250, 880, -800, 300, 870]),
                                 10, 12, -500, 200, 860])})
        info = font_info(font)
    assert info.vertical
    assert info.vmetric(1) == (-0.7, 0.25, 0.88) and info.vmetric(2) == (-0.8, 0.3, 0.87)
    assert info.vmetric(11) == (-0.5, 0.2, 0.86)  # the range form
    assert info.vmetric(3) == (-0.95, 0.25, 0.9)  # /DW2, vx half of its /W width
    assert info.vmetric(4) == (-0.95, 0.3, 0.9)  # /DW2, vx half of /DW
    with pikepdf.new() as pdf:
        assert font_info(_vertical_font(pdf, {})).vmetric(5) == (-1.0, 0.5, 0.88)


def test_a_column_advances_down_by_its_vertical_metrics_and_tj_numbers():
    with pikepdf.new() as pdf:
        font = _vertical_font(pdf, {"W2": pikepdf.Array([1, 2, -800, 250, 880])})
        page = pdf.add_blank_page(page_size=(612, 792))
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.obj.Contents = pdf.make_stream(
            b"BT /F1 10 Tf 1 0 0 1 100 700 Tm [<00010002> 500 <00030001>] TJ ET "
            b"BT /F1 10 Tf 1 0 0 1 80 700 Tm <0002> Tj ET")
        shows = walk(page, pikepdf.parse_content_stream(page))
    col = shows[0].glyphs
    assert all(g.x == 100 for g in col) and shows[0].vertical
    # /W2 for CIDs 1 and 2 (8 pt), /DW2 for CID 3 (10 pt); the number 500 moves on 5 pt
    assert [round(g.y, 6) for g in col] == [700, 692, 679, 669]
    assert [round(g.adv, 6) for g in col] == [8, 8, 10, 8] and col[2].adj == 500
    assert (shows[1].glyphs[0].x, shows[1].glyphs[0].y) == (80, 700)
    # a column is a line: the next one (to the left) starts a new line; a 5 pt gap is a space
    assert join_text(shows)[0].count("\n") == 1


def test_every_vertical_word_has_a_column_slot_and_every_column_its_tokens(original: bytes):
    an = analyse(original)
    assert len(an.geo_slots) >= 100 and len(an.text_slots) >= 100
    assert all(isinstance(b, ColumnBox) for b in an.geo_slots)
    assert "pricing terms of the proposed settlement" in " ".join(an.text.split())
    hooks = {c.slot for pt in an.pages for c in pt.chunks if isinstance(c, LineHook)}
    assert hooks == set(range(len(an.line_slots))) and len(hooks) >= 30


def test_horizontal_words_keep_their_slot_numbers_beside_a_column():
    """A page with both: the horizontal words are numbered first, as copies issued before
    columns had slots number them."""
    with pikepdf.open(io.BytesIO(vertical_pdf())) as pdf:
        page = pdf.pages[0]
        page.obj.Resources.Font.F2 = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica))
        body = page.obj.Contents.read_bytes()
        page.obj.Contents = pdf.make_stream(body + b"\nBT /F2 10 Tf 60 30 Td (Exhibit four "
                                            b"attached hereto) Tj ET")
        out = io.BytesIO()
        pdf.save(out)
    slots = analyse(out.getvalue()).geo_slots
    assert [type(b) for b in slots[:4]] == [WordBox] * 4  # Exhibit, four, attached, hereto
    assert all(isinstance(b, ColumnBox) for b in slots[4:]) and len(slots) > 100


def test_marked_copy_is_valid(original: bytes):
    qpdf_check(embed(original, PDF, spec(cands()[0])))


def test_text_marks_and_tokens_leave_the_rendering_pixel_identical(original: bytes):
    out = embed(original, PDF, spec(cands()[1], CHANNELS - {"geometry"}))
    for a, b in zip(rasterize(original), rasterize(out), strict=True):
        ga, gb = _gray(a), _gray(b)
        assert ga.shape == gb.shape
        assert np.array_equal(ga[:-FOOTER_BAND], gb[:-FOOTER_BAND])


def test_word_shifts_move_words_along_their_column_by_under_a_pixel(original: bytes):
    """At 150 dpi the marked page matches the original within one pixel of displacement down
    or up, and only so: a pixel across the columns does not explain it."""
    out = embed(original, PDF, spec(cands()[1]))
    for a, b in zip(rasterize(original), rasterize(out), strict=True):
        ga, gb = _gray(a)[:-FOOTER_BAND], _gray(b)[:-FOOTER_BAND]
        assert not np.array_equal(ga, gb)  # the words did move
        along = np.min([np.abs(np.roll(ga, s, axis=0) - gb) for s in (-1, 0, 1)], axis=0)
        across = np.min([np.abs(np.roll(ga, s, axis=1) - gb) for s in (-1, 0, 1)], axis=0)
        assert np.percentile(along, 99.9) <= 96 and along.mean() < 0.5
        assert across.mean() > 4 * along.mean()


def test_word_shifts_identify_from_page_images_without_the_footer(original: bytes):
    cs = cands()
    det = detect(_footerless(embed(original, PDF, spec(cs[4]))), original, PDF, cs)
    assert det.identified == (cs[4].id,)
    agree, compared = layers(det, cs[4].id)["geometry"]
    assert compared >= 100 and agree >= compared - 3
    for c in cs[:2]:  # another recipient's copy is theirs, never cs[4]'s
        det = detect(_footerless(embed(original, PDF, spec(c))), original, PDF, cs)
        assert det.identified == (c.id,)
    det = detect(_footerless(original), original, PDF, cs)
    assert det.identified == () and det.verdict == "no_watermark"


def test_line_tokens_beside_the_columns_read_back_from_the_copy(original: bytes):
    cs = cands()
    copy = stripped(embed(original, PDF, spec(cs[2])))
    r = read_pdf_file(copy, prepare(original, PDF), thorough=True)
    br = r.bits["text"]
    tokens = br.values[len(br.values) - br.tokens:]
    want = line_bits(cs[2].download_code, br.tokens // BITS).tolist()
    assert br.tokens >= BITS * 30 and tokens == want
    det = detect(copy, original, PDF, cs)
    assert det.identified == (cs[2].id,) and "text" in det.found_layers
    assert detect(original, original, PDF, cs).identified == ()


def test_spliced_copy_is_the_pikepdf_document_and_the_mask_fill_the_reference(original: bytes):
    from app.watermark.pdf import download_choice, embed_pdf_pikepdf, pdf_template
    from app.watermark.pdffill import build_fill, fill_bodies
    from app.watermark.pdftemplate import choices, fill
    from app.watermark.pdfwriter import Template
    from tests.unit.watermark.test_pdf_writer import decoded

    prep = prepare(original, PDF)
    assert isinstance(pdf_template(prep, True, True), Template)  # no pikepdf fallback
    m = spec(cands()[5])
    choice = download_choice(prep, m)
    assert decoded(embed(prep, PDF, m)) == decoded(embed_pdf_pikepdf(prep, m, choice))
    an = analyse(original)
    c, n_text, n_geo = choice.tolist(), len(an.text_slots), len(an.geo_slots)
    ref = choices(c[:n_text], c[n_text:n_text + n_geo], c[n_text + n_geo:-1], c[-1] == 1)
    want = [b"q\n" + fill(pt, ref) + b"Q\n" for pt in an.pages]
    assert [bytes(b) for b in fill_bodies(build_fill(an.pages), choice)] == want
