"""Photos of a page: the page found in perspective on its surface and put back square.

A phone photo shows the page as a quadrilateral on a darker surface, lit unevenly. Before a
mark is read, the paper is told from the surface (Otsu's threshold), each of the page's four
edges is fitted as a line through the boundary points between its corners (least squares,
outliers dropped once), the quadrilateral whose corners are the lines' intersections is mapped
back onto the page's own rectangle (PIL's perspective transform) and the light is flattened
(each pixel divided by the paper's local brightness). Once the page it shows is known, what
the lens and a page that is not flat leave is taken out against the original's rendering
(`refine`). The marks are then read as on any page image.

Only an image whose four borders show the surface is taken for a photo of a whole page: a
rendering, a scan or a screen grab reaches its image's edges and is left as it is, so no other
reading changes. A photo cut inside the page has no corners to find and reads as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

Point = tuple[float, float]
Array = NDArray[np.float64]

WORK = 1200  # px: the longer side of the copy the edges are found in
BORDER = 0.015  # of the shorter side: the border band that must show surface
MAX_PAPER_AT_BORDER = 0.1
MIN_PAPER = 0.2  # of the image: a smaller bright region is not a page
MIN_CONTRAST = 30.0  # grey levels between paper and surface
EDGE_POINTS = 80


def _otsu(a: NDArray[np.float64]) -> float:
    hist = np.bincount(a.astype(np.uint8).ravel(), minlength=256).astype(np.float64)
    p = hist / hist.sum()
    omega, mu = np.cumsum(p), np.cumsum(p * np.arange(256))
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mu[-1] * omega - mu) ** 2 / (omega * (1.0 - omega))
    return float(np.nanargmax(between))


def _fit(along: NDArray[np.float64], across: NDArray[np.float64]) -> tuple[float, float] | None:
    """across = a * along + b, refitted once without the points more than 2 px off."""
    if len(along) < 8:
        return None
    a, b = np.polyfit(along, across, 1)
    keep = np.abs(across - (a * along + b)) <= 2.0
    if keep.sum() < 8:
        return None
    a, b = np.polyfit(along[keep], across[keep], 1)
    return float(a), float(b)


def _edge(paper: NDArray[np.bool_], lo: float, hi: float, axis: int, last: bool
          ) -> tuple[float, float] | None:
    """The page edge crossing the columns (axis 0: top/bottom) or rows (axis 1: left/right)
    between `lo` and `hi`, away from the corners: the first (or last) paper pixel of each."""
    n = paper.shape[1 - axis]
    at = np.linspace(lo, hi, EDGE_POINTS)[8:-8].round().astype(int)
    at = at[(at >= 0) & (at < n)]
    lines = paper[:, at] if axis == 0 else paper[at, :].T
    has = lines.any(axis=0)
    # In pixel-span coordinates (pixel i covers [i, i + 1)) a pixel is paper when more than
    # half of it is: the edge lies, on average, at the first paper pixel's start or at the
    # last one's end; `along` is measured at pixel centres.
    if last:
        pos = lines.shape[0] - np.argmax(lines[::-1], axis=0)
    else:
        pos = np.argmax(lines, axis=0)
    return _fit(at[has] + 0.5, pos[has].astype(np.float64))


def _cross(h: tuple[float, float], v: tuple[float, float]) -> Point:
    """The point on y = a x + b (h) and x = c y + d (v)."""
    (a, b), (c, d) = h, v
    y = (a * d + b) / (1.0 - a * c)
    return c * y + d, y


def page_quad(grey: NDArray[Any]) -> list[Point] | None:
    """The page's corners (top-left, top-right, bottom-right, bottom-left, in pixels of
    `grey`) when the image is a photo of a whole page on a darker surface, else None."""
    from PIL import Image

    h, w = grey.shape
    scale = min(1.0, WORK / max(h, w))
    small = Image.fromarray(np.asarray(grey, dtype=np.uint8)).resize(
        (max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.BOX)
    s = np.asarray(small, dtype=np.float64)
    paper = s > _otsu(s)
    band = max(2, round(BORDER * min(s.shape)))
    rim = np.concatenate([paper[:band].ravel(), paper[-band:].ravel(),
                          paper[:, :band].ravel(), paper[:, -band:].ravel()])
    if (rim.mean() > MAX_PAPER_AT_BORDER or paper.mean() < MIN_PAPER
            or s[paper].mean() - s[~paper].mean() < MIN_CONTRAST):
        return None
    ys, xs = np.nonzero(paper)
    tl, br = np.argmin(xs + ys), np.argmax(xs + ys)
    tr, bl = np.argmax(xs - ys), np.argmin(xs - ys)
    top = _edge(paper, xs[tl], xs[tr], 0, last=False)
    bottom = _edge(paper, xs[bl], xs[br], 0, last=True)
    left = _edge(paper, ys[tl], ys[bl], 1, last=False)
    right = _edge(paper, ys[tr], ys[br], 1, last=True)
    if top is None or bottom is None or left is None or right is None:
        return None
    corners = [_cross(top, left), _cross(top, right), _cross(bottom, right),
               _cross(bottom, left)]
    sx, sy = s.shape[1] / w, s.shape[0] / h
    return [(x / sx, y / sy) for x, y in corners]


def coefficients(src: list[Point], dst: list[Point]) -> tuple[float, ...]:
    """PIL's eight PERSPECTIVE coefficients mapping the points `src` to the points `dst`."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(src, dst, strict=True):
        rows.append([x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y])
        rows.append([0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y])
        rhs += [u, v]
    return tuple(np.linalg.solve(np.array(rows), np.array(rhs)).tolist())


def unwarp(g: Any, quad: list[Point], size: tuple[int, int]) -> Any:
    """The page inside `quad` of the PIL image `g`, as a `size` (width, height) image, its
    light flattened to white paper."""
    from PIL import Image, ImageFilter

    w, h = size
    rect = [(0.0, 0.0), (float(w), 0.0), (float(w), float(h)), (0.0, float(h))]
    page = g.transform(size, Image.Transform.PERSPECTIVE, coefficients(rect, quad),
                       Image.Resampling.BICUBIC)
    # paper brightness: the brightest pixel around each point (ink removed), smoothed
    small = page.resize((max(1, w // 8), max(1, h // 8)), Image.Resampling.BOX)
    light = small.filter(ImageFilter.MaxFilter(7)).filter(ImageFilter.GaussianBlur(3))
    light_px = np.asarray(light.resize(size, Image.Resampling.BILINEAR), dtype=np.float64)
    flat = np.asarray(page, dtype=np.float64) * 255.0 / np.maximum(light_px, 1.0)
    return Image.fromarray(flat.clip(0, 255).round().astype(np.uint8), "L")


# Local registration: a photo's page after `unwarp` still differs from the flat page by the
# lens's distortion and the page's bow, smooth fields of several pixels that one homography
# and one integer offset leave in place. Tiles of the page are matched against the
# original's rendering (phase correlation), a low-order polynomial field is fitted through
# their displacements (outliers dropped) and the page is resampled along it.
PASSES = ((192, 128, 3, 48, 3.0), (128, 64, 4, 12, 1.0))  # tile, step, degree, reach, outlier px
MIN_TILES = 12
MIN_AGREE = 0.5  # of the tiles with ink: fewer agreeing tiles are not the original's page
MIN_INK = 4.0  # std of the original's ink in a tile: fainter tiles show nothing to match
MIN_PEAK = 0.06  # phase-correlation peak: weaker tiles matched noise
REFINE_MESH = 16  # px: the field is exact at this grid and bilinear between

Field = Callable[[Array, Array], tuple[Array, Array]]


def _tile_shifts(ev: Array, orig: Array, tile: int, step: int, reach: int
                 ) -> tuple[Array, Array, Array, Array, int]:
    """(x, y, dx, dy) per tile with enough ink whose match is clear: the tile of `orig`
    centred at (x, y) is seen in `ev` at (x + dx, y + dy); and the number of tiles with ink."""
    h, w = orig.shape
    ys = np.arange(0, h - tile + 1, step)
    xs = np.arange(0, w - tile + 1, step)
    corners = [(y, x) for y in ys for x in xs
               if orig[y : y + tile, x : x + tile].std() >= MIN_INK]
    if not corners:
        return np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), 0
    win = np.hanning(tile)[:, None] * np.hanning(tile)[None, :]
    a = np.stack([orig[y : y + tile, x : x + tile] for y, x in corners])
    b = np.stack([ev[y : y + tile, x : x + tile] for y, x in corners])
    a = (a - a.mean(axis=(1, 2), keepdims=True)) * win
    b = (b - b.mean(axis=(1, 2), keepdims=True)) * win
    cross = np.fft.rfft2(b) * np.conj(np.fft.rfft2(a))
    cross /= np.abs(cross) + 1e-9
    fy = np.fft.fftfreq(tile)[:, None]
    fx = np.fft.rfftfreq(tile)[None, :]
    smooth = np.exp(-2.0 * np.pi**2 * (fx * fx + fy * fy))  # a peak of about 1 px
    r = np.fft.irfft2(cross * smooth, s=(tile, tile))
    r = np.fft.fftshift(r, axes=(1, 2))
    c = tile // 2
    lo, hi = c - reach, c + reach + 1
    sub = r[:, lo:hi, lo:hi]
    flat = sub.reshape(len(sub), -1)
    k = np.argmax(flat, axis=1)
    py, px = np.divmod(k, sub.shape[2])
    py, px = py + lo, px + lo
    n = np.arange(len(r))
    peak = r[n, py, px]
    inside = (py > 0) & (py < tile - 1) & (px > 0) & (px < tile - 1)

    def _frac(m: Array, p0: Array, p1: Array) -> Array:
        # three-point Gaussian fit around the peak
        lm, l0, l1 = (np.log(np.maximum(v, 1e-9)) for v in (m, p0, p1))
        den = lm - 2 * l0 + l1
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(den < 0, 0.5 * (lm - l1) / den, 0.0)
        return np.clip(out, -0.5, 0.5)

    qy, qx = np.clip(py, 1, tile - 2), np.clip(px, 1, tile - 2)
    fyv = _frac(r[n, qy - 1, qx], r[n, qy, qx], r[n, qy + 1, qx])
    fxv = _frac(r[n, qy, qx - 1], r[n, qy, qx], r[n, qy, qx + 1])
    ok = inside & (peak >= MIN_PEAK)
    cy = np.array([y for y, _ in corners], dtype=np.float64) + tile / 2
    cx = np.array([x for _, x in corners], dtype=np.float64) + tile / 2
    return cx[ok], cy[ok], (px - c + fxv)[ok], (py - c + fyv)[ok], len(corners)


def _design(x: Array, y: Array, degree: int) -> Array:
    return np.stack([x**i * y**j for i in range(degree + 1) for j in range(degree + 1 - i)],
                    axis=-1)


def _fit_field(x: Array, y: Array, dx: Array, dy: Array, inked: int, degree: int,
               outlier: float, shape: tuple[int, int]) -> Field | None:
    """A polynomial displacement through the tiles' (dx, dy), refitted without the tiles
    more than 4 px, then twice without those more than `outlier` px off it; None unless
    most of the `inked` tiles agree with it (a page that is not the original's matches a
    few tiles by chance, and those disagree)."""
    h, w = shape
    nx, ny = 2 * x / w - 1, 2 * y / h - 1
    design = _design(nx, ny, degree)
    keep = np.ones(len(x), dtype=bool)
    need = max(MIN_TILES, 2 * design.shape[1], inked * MIN_AGREE)
    if len(x) < need:
        return None
    for limit in (4.0, outlier, outlier):
        cx, *_ = np.linalg.lstsq(design[keep], dx[keep], rcond=None)
        cy, *_ = np.linalg.lstsq(design[keep], dy[keep], rcond=None)
        off = np.hypot(dx - design @ cx, dy - design @ cy)
        keep = off <= limit
        if keep.sum() < need:
            return None
    x0, x1, y0, y1 = nx[keep].min(), nx[keep].max(), ny[keep].min(), ny[keep].max()

    def field(px: Array, py: Array) -> tuple[Array, Array]:
        # held constant beyond the tiles that were matched: a polynomial does not extrapolate
        d = _design(np.clip(2 * px / w - 1, x0, x1), np.clip(2 * py / h - 1, y0, y1), degree)
        return px + d @ cx, py + d @ cy

    return field


def _remap(ev: Array, fields: list[Field]) -> Array:
    """`ev` resampled so that each pixel shows what the composed fields map it from."""
    from PIL import Image

    h, w = ev.shape
    xs = np.arange(0, w + REFINE_MESH, REFINE_MESH, dtype=np.float64)
    ys = np.arange(0, h + REFINE_MESH, REFINE_MESH, dtype=np.float64)
    u, v = np.meshgrid(xs, ys)
    for f in reversed(fields):  # the last pass's field acts first on the output's points
        u, v = f(u, v)
    mesh = []
    for j in range(len(ys) - 1):
        for i in range(len(xs) - 1):
            box = (int(xs[i]), int(ys[j]), int(min(xs[i + 1], w)), int(min(ys[j + 1], h)))
            mesh.append((box, (u[j, i], v[j, i], u[j + 1, i], v[j + 1, i],
                               u[j + 1, i + 1], v[j + 1, i + 1], u[j, i + 1], v[j, i + 1])))
    out = Image.fromarray(ev.astype(np.float32), "F").transform(
        (w, h), Image.Transform.MESH, mesh, Image.Resampling.BICUBIC, fillcolor=0.0)
    return np.asarray(out, dtype=np.float64).clip(0.0, 255.0)


def refine(ev: Array, orig: Array) -> Array:
    """The unwarped photo's ink `ev` moved onto the original's rendering `orig` (same shape)
    by smooth local displacements; unchanged when its tiles do not match the original."""
    if ev.shape != orig.shape:
        return ev
    fields: list[Field] = []
    cur = ev
    for tile, step, degree, reach, outlier in PASSES:
        if min(ev.shape) < 2 * tile:
            break
        got = _fit_field(*_tile_shifts(cur, orig, tile, step, reach), degree, outlier,
                         ev.shape)
        if got is None:
            break
        fields.append(got)
        cur = _remap(ev, fields)
    return cur
