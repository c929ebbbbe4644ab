"""The scan mark as the embedder applies it (per cell, spread to pixels by two takes) is the
pattern the reader correlates with (scan._pattern, per pixel), at any image size."""

from __future__ import annotations

import numpy as np
import pytest

from app.watermark import prepare
from app.watermark.scan import (
    AMPLITUDE,
    CELL_PT,
    JPEG_AMPLITUDE,
    JPEG_BLOCK,
    _darkening,
    _pattern,
    _signs,
    layout,
)
from tests.producers import scan_pdf

PDF = "application/pdf"


def _reference(lay, im, shape, bits, jpeg):  # type: ignore[no-untyped-def]
    h, w = shape
    cx, cy = np.arange(w) + 0.5, np.arange(h) + 0.5
    jpeg = jpeg and max(im.width / w, im.height / h) * JPEG_BLOCK <= CELL_PT
    if jpeg:
        cx = (np.arange(w) // JPEG_BLOCK + 0.5) * JPEG_BLOCK
        cy = (np.arange(h) // JPEG_BLOCK + 0.5) * JPEG_BLOCK
    p, bit = _pattern(lay, im.page, im.x0 + cx * im.width / w, im.top + cy * im.height / h)
    return np.where(p == bits[bit], JPEG_AMPLITUDE if jpeg else AMPLITUDE, 0.0)


@pytest.mark.parametrize("jpeg", [False, True])
@pytest.mark.parametrize("shape", [(2200, 1700), (1650, 1275), (733, 567), (97, 3001)])
def test_the_darkening_is_the_readers_pattern(shape, jpeg):
    lay = layout(prepare(scan_pdf(), PDF))
    assert lay.images
    for code in (b"\x01" * 32, b"\xfe" * 32):
        bits = _signs(code, lay.nbits)
        for im in lay.images:
            dark = _darkening(lay, im, shape, bits, jpeg)
            assert dark.dtype == np.uint8 and dark.shape == shape
            assert np.array_equal(dark, _reference(lay, im, shape, bits, jpeg))
            assert 0.3 < (dark > 0).mean() < 0.7
