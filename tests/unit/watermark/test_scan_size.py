"""Issue #15: a marked copy of a scanned (image-only) PDF is at most 1.1x the original's size.

The page images are re-encoded as JPEG with the original's tables; the mark is constant over
each 8 x 8 JPEG block, so blank paper stays cheap to encode (a blank page too)."""

from __future__ import annotations

import io

import numpy as np
import pikepdf
import pytest
from PIL import Image

from app.watermark import detect, embed
from tests.producers import TEXT, rasterize, scan_pdf, ttf_pdf
from tests.unit.watermark.test_pdf_layers import PDF, cands, spec

MAX_RATIO = 1.1


def _rgb_scan(dpi: int = 200) -> bytes:
    """Colour JPEG pages at 200 dpi, the second one blank paper, as a scanner may store them."""
    page = Image.open(io.BytesIO(rasterize(ttf_pdf(TEXT), dpi=dpi, gray=True)[0])).convert("RGB")
    blank = Image.new("RGB", page.size, (255, 255, 255))
    buf = io.BytesIO()
    page.save(buf, format="PDF", save_all=True, append_images=[blank], resolution=float(dpi),
              quality=85)
    return buf.getvalue()


def _images(pdf_bytes: bytes) -> list[np.ndarray]:
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        return [np.asarray(pikepdf.PdfImage(im).as_pil_image().convert("L"), dtype=np.float64)
                for page in pdf.pages for im in page.get_images().values()]


@pytest.mark.parametrize("make", [scan_pdf, _rgb_scan], ids=["gray-150dpi", "rgb-200dpi-blank"])
def test_a_marked_scan_is_at_most_a_tenth_larger_and_still_traced(make):
    original, cs = make(), cands()
    copy = embed(original, PDF, spec(cs[0]))
    assert len(copy) <= MAX_RATIO * len(original)
    assert detect(rasterize(copy), original, PDF, cs).identified == (cs[0].id,)


def test_the_mark_on_a_jpeg_page_is_constant_over_each_jpeg_block():
    original = _rgb_scan()
    copy = embed(original, PDF, spec(cands()[0]))
    a, b = _images(original)[1], _images(copy)[1]  # the blank page
    h, w = (a.shape[0] // 8) * 8, (a.shape[1] // 8) * 8
    d = (b - a)[:h, :w].reshape(h // 8, 8, w // 8, 8)
    means = d.mean(axis=(1, 3))
    assert (means < -2).mean() > 0.3  # about half of the paper is darkened ...
    assert np.abs(d - means[:, None, :, None]).mean() < 0.5  # ... block by block
