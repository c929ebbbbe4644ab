"""Page images that show only part of a page (a screen grab), placed back on the page.

A whole-page image is resampled to the shape of the original's rendering. A screen grab is
not a whole page: it keeps the page's full width at screen resolution and a band of its height
(the top 60 % of a page, the footer cut off). Stretched to the page's shape, every word would
land in the wrong place and no mark would be read. Instead:

- its scale is the page width over its width (the grab shows the full width of the page, as a
  viewer fitted to the window does);
- the page and band of rows it shows are where it correlates best (normalised, in 2-D) with
  the original's rendering, among the offsets where its row ink profile matches best: a band
  that does not start at the top, or of a later page, is found as well;
- it is returned on a blank page with the rows it covers (a Span); the readers use only marks
  that lie wholly inside that band, and leave the rest unread rather than read as blank paper.

Invariants and threats:
- candidate-free: the placement is a function of the evidence and the stored original's
  rendering only;
- an image that matches no band of the original closely (MIN_NCC, MIN_FIT) is not placed: the
  caller reads it as before (resampled to the page), which on a partial page reads no marks
  (the word and pattern readers reject what does not register), so a grab of another
  document, or of a page the original does not have, names no one;
- an image with the page's shape (within ASPECT) is a whole page and is read as before;
- a viewer's frame around the page (its grey background, the page's shadow) is cut first
  (frame_box): only rows and columns of one uniform grey darker than paper at the image's
  edges, so nothing of the page, whose margins are paper, is ever cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

ASPECT = 0.02  # relative difference of height/width under which an image is a whole page
MIN_COVER = 0.15  # a band shorter than this share of the page height is too little to place
MIN_NCC = 0.6  # row-profile correlation of a placed band (measured 0.9-1.0 on grabs)
MIN_FIT = 0.5  # 2-D correlation with the page rows it covers (grabs of the page: 0.8-0.95)
PEAKS = 3  # row offsets compared in 2-D per page
# An image cropped at the sides: its scale is searched from the largest that fits the page
# down to LOWEST of it, in STEP steps (1.5 %: a word then lands within 3 px of its place,
# well inside the word reader's search), then refined in FINE steps.
LOWEST, STEP, FINE = 0.4, 0.015, 0.0025
COARSE = 8  # the scale search runs on the page at 1/8 resolution (about 0.15 s a page)
LOCATE_PAGES = 4


FRAME_STD = 6.0  # grey levels: a viewer's background (and a shadow's edge) is this uniform
PAPER = 232  # mean grey at or above which a row or column is paper, never frame


def _edge_run(mean: Array, std: Array) -> tuple[int, int]:
    """[lo, hi) once the leading and trailing frame lines (uniform, darker than paper) go."""
    frame = (std < FRAME_STD) & (mean < PAPER)
    lo, hi = 0, len(frame)
    while lo < hi and frame[lo]:
        lo += 1
    while hi > lo and frame[hi - 1]:
        hi -= 1
    return lo, hi


def frame_box(grey: NDArray[Any]) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the page inside a viewer's frame, None when the image
    has no frame (or nothing but frame)."""
    a = np.asarray(grey, dtype=np.float64)
    left, right = _edge_run(a.mean(axis=0), a.std(axis=0))
    if right - left < 8:
        return None
    inner = a[:, left:right]
    top, bottom = _edge_run(inner.mean(axis=1), inner.std(axis=1))
    if bottom - top < 8 or (left, top, right, bottom) == (0, 0, a.shape[1], a.shape[0]):
        return None
    return left, top, right, bottom


@dataclass(frozen=True)
class Span:
    """The rows [top, bottom) and columns [left, right) of the page rendering that an evidence
    image shows."""

    top: int
    bottom: int
    left: int = 0
    right: int = 1 << 30

    def holds(self, top: int, bottom: int, left: int = 1 << 30, right: int = 0) -> bool:
        """Whether rows [top, bottom) (and columns [left, right), when given) are shown."""
        cols = right <= left or (self.left <= left and right <= self.right)
        return self.top <= top and bottom <= self.bottom and cols


def is_whole(size: tuple[int, int], shape: tuple[int, ...]) -> bool:
    """Whether an image of `size` (width, height) has the shape of a page of `shape`."""
    w, h = size
    page = shape[0] / shape[1]
    return abs(h / w - page) <= page * ASPECT


def is_partial(size: tuple[int, int], shape: tuple[int, ...]) -> bool:
    """Whether an image of `size` (width, height) is shorter than a page of `shape` (rows,
    cols) of the same width: a band of the page rather than the whole page."""
    w, h = size
    page = shape[0] / shape[1]
    return h / w < page * (1 - ASPECT) and h / w >= page * MIN_COVER


def _row_peaks(band: Array, orig: NDArray[Any], peaks: int = PEAKS) -> list[int]:
    """First rows where the band's row profile correlates best (normalised) with the
    original's, at least MIN_NCC, best first: a page of evenly spaced lines matches at several
    offsets a line apart, and the 2-D comparison (_fit) decides between them."""
    a, b = band.sum(axis=1), orig.sum(axis=1, dtype=np.float64)
    n = len(a)
    if n > len(b):
        return []
    win = np.lib.stride_tricks.sliding_window_view(b, n)
    ac = a - a.mean()
    wc = win - win.mean(axis=1, keepdims=True)
    den = np.sqrt((wc * wc).sum(axis=1) * (ac * ac).sum()) + 1e-9
    ncc = (wc @ ac) / den
    out: list[int] = []
    for k in np.argsort(ncc)[::-1]:
        if ncc[k] < MIN_NCC or len(out) == peaks:
            break
        if all(abs(int(k) - j) > 3 for j in out):  # one peak per offset, not its shoulders
            out.append(int(k))
    return out


def _fit(band: Array, region: Array) -> float:
    """Normalised 2-D correlation of the band with the page rows it would cover."""
    a, b = band[::2, ::2], region[::2, ::2]  # every other pixel: enough to rank, 4x cheaper
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / (np.sqrt((a * a).sum() * (b * b).sum()) + 1e-9))


def place(band: Array, origs: Sequence[NDArray[Any]]) -> tuple[int, Array, Span] | None:
    """(page index, the band on a blank page of that page's shape, the rows it covers) for the
    page and rows of the original it matches best; None when it matches none (MIN_NCC). The
    band is ink, already scaled to the page width of the original's rendering."""
    best: tuple[float, int, int] | None = None
    for k, orig in enumerate(origs):
        h, w = orig.shape
        if band.shape[1] != w or band.shape[0] < MIN_COVER * h:
            continue
        cut = band[:h]
        for top in _row_peaks(cut, orig):
            fit = _fit(cut, orig[top : top + len(cut)].astype(np.float64))
            if fit >= MIN_FIT and (best is None or fit > best[0]):
                best = (fit, k, top)
    if best is None:
        return None
    _, k, top = best
    cut = band[: origs[k].shape[0]]
    page = np.zeros(origs[k].shape, dtype=np.float64)
    page[top : top + len(cut)] = cut
    return k, page, Span(top, top + len(cut))


# ----------------------------------------------------------------- cropped at the sides too
def _small(a: NDArray[Any], q: int) -> Array:
    h, w = a.shape[0] // q * q, a.shape[1] // q * q
    return np.asarray(a[:h, :w].reshape(h // q, q, w // q, q).mean(axis=(1, 3)), dtype=np.float64)


def _box_sums(a: Array, h: int, w: int) -> Array:
    s = np.zeros((a.shape[0] + 1, a.shape[1] + 1))
    s[1:, 1:] = a.cumsum(0).cumsum(1)
    return np.asarray(s[h:, w:] - s[:-h, w:] - s[h:, :-w] + s[:-h, :-w], dtype=np.float64)


def _ncc_map(page: Array, tpl: Array, fpage: NDArray[Any] | None = None) -> Array:
    """Normalised correlation of `tpl` at every place wholly inside `page` (through the FFT;
    `fpage` is the page's rfft2 when already known)."""
    hh, ww = page.shape
    h, w = tpl.shape
    t = tpl - tpl.mean()
    f = np.fft.rfft2(page) if fpage is None else fpage
    corr = np.fft.irfft2(f * np.conj(np.fft.rfft2(t, s=(hh, ww))), s=(hh, ww))
    s1, s2 = _box_sums(page, h, w), _box_sums(page * page, h, w)
    sd = np.sqrt(np.maximum(s2 - s1 * s1 / (h * w), 0.0))
    return np.asarray(corr[: hh - h + 1, : ww - w + 1] / (sd * np.sqrt((t * t).sum()) + 1e-6),
                      dtype=np.float64)


def _resized(img: Array, scale: float) -> Array:
    from PIL import Image

    h, w = img.shape
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    f = Image.fromarray(img.astype(np.float32), mode="F").resize(size, Image.Resampling.BILINEAR)
    return np.asarray(f, dtype=np.float64)


def _search(img: Array, orig: NDArray[Any]) -> tuple[float, float, int, int] | None:
    """(correlation, scale, row, column) of the image's best match on a page, its scale found
    on the page at 1/COARSE resolution in STEP steps down to LOWEST of the largest that
    fits, then refined to FINE on a half-resolution window around the match."""
    hh, ww = orig.shape
    h, w = img.shape
    top = min(ww / w, hh / h)
    small = _small(orig, COARSE)
    f = np.fft.rfft2(small)
    best: tuple[float, float, int, int] | None = None
    scale = top
    while scale >= top * LOWEST:
        t = _resized(img, scale / COARSE)
        if t.shape[0] <= small.shape[0] and t.shape[1] <= small.shape[1] and t.std() > 0:
            m = _ncc_map(small, t, f)
            y, x = np.unravel_index(int(np.argmax(m)), m.shape)
            if best is None or m[y, x] > best[0]:
                best = (float(m[y, x]), scale, int(y) * COARSE, int(x) * COARSE)
        scale /= 1 + STEP
    if best is None or best[0] < MIN_FIT:
        return None
    half = _small(orig, 2)
    for k in range(-4, 5):
        scale = best[1] * (1 + k * FINE)
        t = _resized(img, scale / 2)
        y0, x0 = max(0, best[2] // 2 - COARSE), max(0, best[3] // 2 - COARSE)
        region = half[y0 : y0 + t.shape[0] + 2 * COARSE, x0 : x0 + t.shape[1] + 2 * COARSE]
        if region.shape[0] < t.shape[0] or region.shape[1] < t.shape[1] or t.std() == 0:
            continue
        m = _ncc_map(region, t)
        y, x = np.unravel_index(int(np.argmax(m)), m.shape)
        if m[y, x] > best[0]:
            best = (float(m[y, x]), scale, (y0 + int(y)) * 2, (x0 + int(x)) * 2)
    return best


def locate(img: Array, origs: Sequence[NDArray[Any]]) -> tuple[int, Array, Span] | None:
    """Like place, for an image cropped at the sides as well (its scale unknown): searched on
    the first LOCATE_PAGES pages; `img` is ink at its own resolution."""
    best: tuple[float, float, int, int, int] | None = None
    for k, orig in enumerate(origs[:LOCATE_PAGES]):
        found = _search(img, orig)
        if found is not None and (best is None or found[0] > best[0]):
            best = (*found, k)
    if best is None:
        return None
    _, scale, top, left, k = best
    hh, ww = origs[k].shape
    t = _resized(img, scale)[: hh - top, : ww - left]
    page = np.zeros((hh, ww), dtype=np.float64)
    page[top : top + t.shape[0], left : left + t.shape[1]] = t
    return k, page, Span(top, top + t.shape[0], left, left + t.shape[1])
