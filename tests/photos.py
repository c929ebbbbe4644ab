"""A phone photo of a printed page, simulated: the page in perspective on a darker surface,
lit unevenly, slightly blurred, saved as a camera JPEG."""

from __future__ import annotations

import io
import random

import numpy as np

from app.watermark.photo import coefficients


def photo(page_png: bytes, seed: int = 0, size: tuple[int, int] = (2400, 3000),
          tilt: float = 0.06, light: float = 0.3) -> bytes:
    """`page_png` photographed: each corner moved by up to `tilt` of the frame, brightness
    falling by `light` across the frame, blurred by about a pixel, JPEG quality 82."""
    from PIL import Image, ImageFilter

    page = Image.open(io.BytesIO(page_png)).convert("L")
    w, h = size
    pw, ph = page.size
    quad = placed_corners(page.size, seed, size, tilt)
    # PIL maps each output pixel back into the source: the inverse of page -> quad
    coeffs = coefficients(quad, [(0.0, 0.0), (float(pw), 0.0), (float(pw), float(ph)),
                                 (0.0, float(ph))])
    warped = page.transform(size, Image.Transform.PERSPECTIVE, coeffs,
                            Image.Resampling.BICUBIC, fillcolor=0)
    mask = Image.new("L", page.size, 255).transform(size, Image.Transform.PERSPECTIVE, coeffs,
                                                    Image.Resampling.BILINEAR, fillcolor=0)
    surface = np.random.default_rng(seed).normal(70, 6, (h, w)).clip(0, 255)
    m = np.asarray(mask, dtype=np.float64) / 255.0
    img = np.asarray(warped, dtype=np.float64) * m + surface * (1 - m)
    gx = np.linspace(1.0, 1.0 - light, w)[None, :] * np.linspace(1.0, 1.0 - light / 2, h)[:, None]
    out = Image.fromarray((img * gx).clip(0, 255).astype(np.uint8), "L")
    out = out.filter(ImageFilter.GaussianBlur(1.0))
    buf = io.BytesIO()
    out.convert("RGB").save(buf, format="JPEG", quality=82)
    return buf.getvalue()


def placed_corners(page: tuple[int, int], seed: int = 0, size: tuple[int, int] = (2400, 3000),
                   tilt: float = 0.06) -> list[tuple[float, float]]:
    """Where `photo` puts the page's corners (top-left, top-right, bottom-right, bottom-left):
    centred at 80 % of the frame, each corner moved at random by up to `tilt` of it."""
    rng = random.Random(seed)
    (pw, ph), (w, h) = page, size
    fit = min(0.8 * w / pw, 0.8 * h / ph)
    cx, cy = w / 2, h / 2
    base = [(cx - fit * pw / 2, cy - fit * ph / 2), (cx + fit * pw / 2, cy - fit * ph / 2),
            (cx + fit * pw / 2, cy + fit * ph / 2), (cx - fit * pw / 2, cy + fit * ph / 2)]
    return [(x + rng.uniform(-tilt, tilt) * w, y + rng.uniform(-tilt, tilt) * h)
            for x, y in base]
