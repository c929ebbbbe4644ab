"""A screen grab of a marked page: the first page at screen resolution, its top 60 % only (the
footer cut off), traced from the word shifts (text PDFs) or the scan pattern (scanned PDFs)
after it is placed back on the page; unmarked pages, other documents and bands that match no
part of the page accuse no one."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from app.watermark import detect, embed
from app.watermark.placement import Span, is_partial, is_whole, place
from tests.producers import chromium_pdf, rasterize, scan_pdf, ttf_pdf
from tests.unit.watermark.test_fingerprint_and_text import LETTER
from tests.unit.watermark.test_pdf_layers import ORIGINAL, PDF, cands, layers, make_pdf, spec

PRODUCERS: dict[str, Callable[[], bytes]] = {
    "reportlab": lambda: ORIGINAL, "ttf": ttf_pdf, "chromium": chromium_pdf, "scan": scan_pdf}
LAYER = {"reportlab": "geometry", "ttf": "geometry", "chromium": "geometry", "scan": "image"}


def grab(pdf: bytes, dpi: int = 96, top: float = 0.0, bottom: float = 0.6,
         fmt: str = "PNG", page_no: int = 0, left: float = 0.0, right: float = 1.0
         ) -> list[bytes]:
    """A page rendered at `dpi` by poppler, rows [top, bottom) and columns [left, right) of
    its height and width kept."""
    page = Image.open(io.BytesIO(rasterize(pdf, dpi)[page_no])).convert("RGB")
    w, h = page.size
    buf = io.BytesIO()
    page.crop((int(w * left), int(h * top), int(w * right), int(h * bottom))).save(buf, format=fmt)
    return [buf.getvalue()]


@pytest.fixture(params=sorted(PRODUCERS))
def producer(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_top_of_the_page_at_96_dpi_names_its_recipient_and_only_them(producer: str):
    original, cs = PRODUCERS[producer](), cands()
    layer = LAYER[producer]
    for c in cs[:2]:
        det = detect(grab(embed(original, PDF, spec(c))), original, PDF, cs)
        assert det.identified == (c.id,)
        agree, compared = layers(det, c.id)[layer]
        assert compared >= 40 and agree >= compared - 2
    assert detect(grab(original), original, PDF, cs).identified == ()


def test_a_band_from_the_middle_and_a_jpeg_grab_are_placed_too():
    original, cs = ORIGINAL, cands()
    copy = embed(original, PDF, spec(cs[3]))
    assert detect(grab(copy, top=0.2, bottom=0.7), original, PDF, cs).identified == (cs[3].id,)
    assert detect(grab(copy, dpi=120, fmt="JPEG"), original, PDF, cs).identified == (cs[3].id,)


@pytest.mark.parametrize("producer", ["reportlab", "scan"])
def test_a_grab_cropped_at_the_sides_is_found_at_its_scale(producer: str):
    original, cs = PRODUCERS[producer](), cands()
    copy = embed(original, PDF, spec(cs[1]))
    det = detect(grab(copy, dpi=110, top=0.1, bottom=0.5, left=0.08, right=0.85), original,
                 PDF, cs)
    assert det.identified == (cs[1].id,)
    assert detect(grab(original, left=0.08, right=0.85), original, PDF, cs).identified == ()


def test_a_grab_of_the_second_page_is_placed_on_the_second_page():
    original, cs = make_pdf("\n\n".join([LETTER] * 3)), cands()
    copy = embed(original, PDF, spec(cs[2]))
    det = detect(grab(copy, page_no=1), original, PDF, cs)
    assert det.identified == (cs[2].id,)
    agree, compared = layers(det, cs[2].id)["geometry"]
    assert compared >= 100 and agree >= compared - 2
    assert detect(grab(original, page_no=1), original, PDF, cs).identified == ()


def test_a_grab_of_another_document_accuses_no_one():
    cs = cands()
    other = embed(chromium_pdf(), PDF, spec(cs[0]))
    assert detect(grab(other), ORIGINAL, PDF, cs).identified == ()


def test_only_bands_of_the_page_shape_are_partial():
    page = (1650, 1275)
    assert is_partial((816, 633), page)  # top 60 % at 96 dpi
    assert not is_partial((816, 1056), page)  # the whole page
    assert not is_partial((816, 100), page)  # a strip too thin to place
    assert not is_partial((700, 1056), page)  # narrower than the page: not a band
    assert is_whole((816, 1056), page) and not is_whole((700, 1056), page)


def test_a_band_is_placed_where_it_matches_or_not_at_all():
    rng = np.random.default_rng(1)
    orig = np.zeros((600, 200))
    for r in rng.choice(590, 40, replace=False):  # "lines" of ink at irregular rows
        orig[r : r + 6, 20:180] = 200
    other = np.roll(orig, 97, axis=0)  # another page with the same lines, shorter ones
    other[:, 100:] = 0
    got = place(orig[150:450].copy(), [other, orig])
    assert got is not None
    k, page, span = got
    assert k == 1 and span == Span(150, 450) and np.array_equal(page[150:450], orig[150:450])
    assert not page[:150].any() and not page[450:].any()
    noise = rng.uniform(0, 255, (300, 200))
    assert place(noise, [orig]) is None
    assert place(orig[:50].copy(), [orig]) is None  # shorter than MIN_COVER


def test_page_images_of_a_text_original_still_go_through_ocr():
    """The placement module is loaded with the page reader; it must not shadow a name the
    package itself uses (functools.partial, which reads a text original's page images)."""
    import app.watermark.placement  # noqa: F401

    seen: list[bytes] = []
    page = grab(ORIGINAL)[0]
    det = detect([page], LETTER.encode(), "text/plain", cands(),
                 ocr=lambda img: seen.append(img) or "")
    assert seen == [page] and det.errors == ()


def framed(image: bytes, grey: int, pad: tuple[int, int, int], shadow: int = 4) -> list[bytes]:
    """`image` as a viewer shows it: on a `grey` background, `pad` pixels at the left, top
    and right, with a soft shadow along the page's edges."""
    page = Image.open(io.BytesIO(image)).convert("RGB")
    w, h = page.size
    left, top, right = pad
    out = Image.new("RGB", (left + w + right, top + h), (grey, grey, grey))
    for k in range(shadow, 0, -1):  # darker nearer the page
        tone = max(0, grey - 12 * (shadow - k + 1))
        out.paste((tone, tone, tone), (left - k, top - k, left + w + k, top + h))
    out.paste(page, (left, top))
    buf = io.BytesIO()
    out.save(buf, format="PNG")
    return [buf.getvalue()]


@pytest.mark.parametrize("grey", [82, 204], ids=["dark viewer", "light viewer"])
def test_a_grab_framed_by_the_viewer_is_traced_from_the_page_inside(grey: int):
    original, cs = ORIGINAL, cands()
    copy = embed(original, PDF, spec(cs[4]))
    det = detect(framed(grab(copy)[0], grey, (60, 24, 60)), original, PDF, cs)
    assert det.identified == (cs[4].id,)
    assert detect(framed(grab(original)[0], grey, (60, 24, 60)), original, PDF,
                  cs).identified == ()


def test_the_frame_is_cut_and_the_page_never_is():
    from app.watermark.placement import frame_box

    page = np.full((300, 200), 255, dtype=np.uint8)
    page[40:60, 30:170] = 0  # a line of text
    assert frame_box(page) is None  # paper margins are the page's own
    framed_page = np.full((340, 280), 82, dtype=np.uint8)
    framed_page[30:330, 40:240] = page[:300]
    framed_page[330:, 40:240] = 255  # the page goes on below the grab
    assert frame_box(framed_page) == (40, 30, 240, 340)
    assert frame_box(np.full((50, 50), 82, dtype=np.uint8)) is None
