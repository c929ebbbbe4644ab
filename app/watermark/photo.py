"""Photos of a page: the page found in perspective on its surface and put back square.

A phone photo shows the page as a quadrilateral on a darker surface, lit unevenly. Before a
mark is read, the paper is told from the surface (Otsu's threshold), each of the page's four
edges is fitted as a line through the boundary points between its corners (least squares,
outliers dropped once), the quadrilateral whose corners are the lines' intersections is mapped
back onto the page's own rectangle (PIL's perspective transform) and the light is flattened
(each pixel divided by the paper's local brightness). The marks are then read as on any page
image.

Only an image whose four borders show the surface is taken for a photo of a whole page: a
rendering, a scan or a screen grab reaches its image's edges and is left as it is, so no other
reading changes. A photo cut inside the page has no corners to find and reads as before.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

Point = tuple[float, float]

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
