"""A phone photo of a marked page (perspective, uneven light, blur, camera JPEG) names its
recipient; a photo of the unmarked page names no one; images that are not photos of a whole
page on a surface are read as before."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest
from PIL import Image

from app.watermark import detect, embed
from app.watermark.photo import page_quad
from tests.photos import photo, placed_corners
from tests.producers import TEXT, rasterize, scan_pdf, ttf_pdf
from tests.unit.watermark.test_pdf_layers import PDF, cands, spec


def _grey(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"))


@pytest.mark.parametrize("seed", [3, 4])
def test_the_page_corners_are_found_within_two_pixels(seed):
    page = rasterize(scan_pdf(), dpi=200)[0]
    found = page_quad(_grey(photo(page, seed, tilt=0.08)))
    assert found is not None
    true = placed_corners(Image.open(io.BytesIO(page)).size, seed, tilt=0.08)
    assert max(np.hypot(x - u, y - v) for (x, y), (u, v) in zip(found, true, strict=True)) < 2


@pytest.mark.parametrize("make", [scan_pdf, lambda: ttf_pdf(TEXT)], ids=["scan", "ttf"])
def test_a_photo_of_a_marked_page_names_its_recipient_and_of_the_original_no_one(make):
    original, cs = make(), cands()
    copy = embed(original, PDF, spec(cs[3]))
    page, clean = rasterize(copy, dpi=200)[0], rasterize(original, dpi=200)[0]
    for seed in (5, 6):
        shot = photo(page, seed, tilt=0.07, light=0.35)
        assert detect([shot], original, PDF, cs).identified == (cs[3].id,)
        assert detect([photo(clean, seed, tilt=0.07, light=0.35)], original, PDF,
                      cs).identified == ()


def test_images_that_are_not_photos_of_a_whole_page_are_left_alone():
    page = rasterize(embed(scan_pdf(), PDF, spec(cands()[0])), dpi=150)[0]
    grey = _grey(page)
    assert page_quad(grey) is None  # a rendering reaches its edges
    viewer = np.full((grey.shape[0] // 2 + 60, grey.shape[1] + 120), 60, dtype=np.uint8)
    viewer[60:, 60:-60] = grey[: grey.shape[0] // 2]  # the top half in a dark window
    assert page_quad(viewer) is None  # the page runs off the bottom: no corners to find
    rng = random.Random(0)
    noise = np.array([[rng.randrange(256) for _ in range(300)] for _ in range(400)],
                     dtype=np.uint8)
    assert page_quad(noise) is None
