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
from app.watermark import photo as photo_mod
from app.watermark.photo import page_quad
from tests.photos import photo, placed_corners
from tests.producers import TEXT, rasterize, scan_pdf, ttf_pdf
from tests.unit.watermark.test_pdf_layers import PDF, cands, make_pdf, spec


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
    for seed in (5,):  # one photo each: bench/leak_photos.py takes 18 per producer
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


# A phone's main camera before correction (barrel distortion of 8 % of the half-diagonal),
# a page bowed by 5 mm across its width and a glare spot: a homography and one offset leave
# the page several pixels off its original, the word shifts are one pixel.
CAMERA = {"lens": -0.08, "curl": 5.0, "glare": 0.5}


@pytest.mark.parametrize("make", [scan_pdf, lambda: ttf_pdf(TEXT)], ids=["scan", "ttf"])
def test_a_photo_through_a_lens_of_a_bowed_page_names_its_recipient_and_of_the_original_no_one(
        make):
    original, cs = make(), cands()
    copy = embed(original, PDF, spec(cs[3]))
    page, clean = rasterize(copy, dpi=200)[0], rasterize(original, dpi=200)[0]
    for seed in (7,):
        shot = photo(page, seed, tilt=0.07, light=0.35, **CAMERA)
        assert detect([shot], original, PDF, cs).identified == (cs[3].id,)
        assert detect([photo(clean, seed, tilt=0.07, light=0.35, **CAMERA)], original, PDF,
                      cs).identified == ()


def _ink(pdf: bytes) -> np.ndarray:
    return 255.0 - np.asarray(Image.open(io.BytesIO(rasterize(pdf, dpi=150)[0])).convert("L"),
                              dtype=np.float64)


def _bend(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (x + 5.0 * np.sin(x / 400.0) - 0.004 * (y - 800.0),
            y + 6.0 * np.cos(x / 500.0) * (y / 1650.0) ** 2)


def _misplacement(ev: np.ndarray, orig: np.ndarray) -> float:
    _, _, dx, dy, _ = photo_mod._tile_shifts(ev, orig, 128, 64, 12)
    return float(np.median(np.hypot(dx, dy)))


def test_a_smoothly_bent_page_is_moved_back_onto_its_original_to_a_fraction_of_a_pixel():
    orig = _ink(ttf_pdf(TEXT))
    bent = photo_mod._remap(orig, [_bend])
    assert _misplacement(bent, orig) > 3
    assert _misplacement(photo_mod.refine(bent, orig), orig) < 0.2


def test_a_page_that_does_not_match_the_original_is_left_as_it_is():
    orig, other = _ink(ttf_pdf(TEXT)), _ink(make_pdf())
    assert other.shape == orig.shape
    assert np.array_equal(photo_mod.refine(other, orig), other)
