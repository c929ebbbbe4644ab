"""A phone photo of a printed page, simulated: the page in perspective on a darker surface,
lit unevenly, slightly blurred, saved as a camera JPEG; optionally seen through an
uncorrected lens (barrel distortion), bowed rather than flat, and with a glare spot."""

from __future__ import annotations

import io
import math
import random

import numpy as np

from app.watermark.photo import coefficients

MESH = 32  # px of the frame: the warp is exact at this grid and bilinear between


def photo(page_png: bytes, seed: int = 0, size: tuple[int, int] = (2400, 3000),
          tilt: float = 0.06, light: float = 0.3, lens: float = 0.0, curl: float = 0.0,
          glare: float = 0.0, page_dpi: int = 200) -> bytes:
    """`page_png` photographed: each corner moved by up to `tilt` of the frame, brightness
    falling by `light` across the frame, blurred by about a pixel, JPEG quality 82.

    `lens`: radial distortion k1 (negative: barrel), a point at radius r from the frame's
    centre seen at r * (1 + k1 * (r / R)^2), R the half-diagonal. `curl`: the page bowed along
    its width by `curl` mm at its middle (its edges on the table, a sine across), seen from
    about 1.1 page heights. `glare`: a soft specular spot on the page, `glare` of the way to
    white at its centre. The page is taken to be rendered at `page_dpi`."""
    from PIL import Image, ImageFilter

    page = Image.open(io.BytesIO(page_png)).convert("L")
    w, h = size
    pw, ph = page.size
    quad = placed_corners(page.size, seed, size, tilt)
    # PIL maps each output pixel back into the source: the inverse of page -> quad
    coeffs = coefficients(quad, [(0.0, 0.0), (float(pw), 0.0), (float(pw), float(ph)),
                                 (0.0, float(ph))])
    if lens or curl:
        mesh = _mesh(size, page.size, coeffs, lens, curl * page_dpi / 25.4)
        warped = page.transform(size, Image.Transform.MESH, mesh, Image.Resampling.BICUBIC,
                                fillcolor=0)
        mask = Image.new("L", page.size, 255).transform(size, Image.Transform.MESH, mesh,
                                                        Image.Resampling.BILINEAR, fillcolor=0)
    else:
        warped = page.transform(size, Image.Transform.PERSPECTIVE, coeffs,
                                Image.Resampling.BICUBIC, fillcolor=0)
        mask = Image.new("L", page.size, 255).transform(size, Image.Transform.PERSPECTIVE,
                                                        coeffs, Image.Resampling.BILINEAR,
                                                        fillcolor=0)
    rng = np.random.default_rng(seed)
    surface = rng.normal(70, 6, (h, w)).clip(0, 255)
    m = np.asarray(mask, dtype=np.float64) / 255.0
    img = np.asarray(warped, dtype=np.float64) * m + surface * (1 - m)
    gx = np.linspace(1.0, 1.0 - light, w)[None, :] * np.linspace(1.0, 1.0 - light / 2, h)[:, None]
    img = img * gx
    if glare:
        gy0, gx0 = rng.uniform(0.3, 0.7) * h, rng.uniform(0.3, 0.7) * w
        yy, xx = np.mgrid[0:h, 0:w]
        sigma = 0.07 * min(w, h)
        spot = glare * np.exp(-((yy - gy0) ** 2 + (xx - gx0) ** 2) / (2 * sigma * sigma)) * m
        img = img * (1 - spot) + 250.0 * spot
    out = Image.fromarray(img.clip(0, 255).astype(np.uint8), "L")
    out = out.filter(ImageFilter.GaussianBlur(1.0))
    buf = io.BytesIO()
    out.convert("RGB").save(buf, format="JPEG", quality=82)
    return buf.getvalue()


def _mesh(size: tuple[int, int], page: tuple[int, int], coeffs: tuple[float, ...],
          lens: float, sag: float) -> list[tuple[tuple[int, int, int, int], tuple[float, ...]]]:
    """PIL MESH data: for each MESH-px cell of the frame, where its corners come from on the
    page (lens undone, then the perspective, then the bow)."""
    w, h = size
    xs = np.arange(0, w + MESH, MESH, dtype=np.float64)
    ys = np.arange(0, h + MESH, MESH, dtype=np.float64)
    u, v = np.meshgrid(xs, ys)
    cx, cy, r2 = w / 2, h / 2, (w * w + h * h) / 4
    du, dv = u - cx, v - cy
    qu, qv = du.copy(), dv.copy()
    for _ in range(8):  # undistorted radius: fixed point of r_d = r_u (1 + k1 r_u^2 / R^2)
        f = 1.0 + lens * (qu * qu + qv * qv) / r2
        qu, qv = du / f, dv / f
    qu, qv = qu + cx, qv + cy
    a, b, c, d, e, f2, g, hh = coeffs
    den = g * qu + hh * qv + 1.0
    px, py = (a * qu + b * qv + c) / den, (d * qu + e * qv + f2) / den
    pw, ph = page
    dist = 1.1 * ph  # the camera's height over the page, in page pixels
    sx, sy = px.copy(), py.copy()
    for _ in range(6):  # a bowed point at height z is seen scaled by dist / (dist - z)
        z = sag * np.sin(math.pi * np.clip(sx / pw, 0.0, 1.0))
        k = (dist - z) / dist
        sx, sy = pw / 2 + (px - pw / 2) * k, ph / 2 + (py - ph / 2) * k
    out = []
    for j in range(len(ys) - 1):
        for i in range(len(xs) - 1):
            box = (int(xs[i]), int(ys[j]), int(xs[i + 1]), int(ys[j + 1]))
            out.append((box, (sx[j, i], sy[j, i], sx[j + 1, i], sy[j + 1, i],
                              sx[j + 1, i + 1], sy[j + 1, i + 1], sx[j, i + 1], sy[j, i + 1])))
    return out


def camera(seed: int) -> dict[str, float]:
    """`photo`'s lens, curl and glare for a phone's main camera before correction, drawn from
    `seed`: k1 in -0.08..-0.03, a bow of 2-5 mm, glare 0.3-0.6 of the way to white."""
    rng = random.Random(seed * 7919 + 1)
    return {"lens": rng.uniform(-0.08, -0.03), "curl": rng.uniform(2.0, 5.0),
            "glare": rng.uniform(0.3, 0.6)}


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
