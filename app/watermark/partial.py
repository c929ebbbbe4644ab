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
- an image with the page's shape (within ASPECT) is a whole page and is read as before.
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


@dataclass(frozen=True)
class Span:
    """The rows [top, bottom) of the page rendering that an evidence image shows."""

    top: int
    bottom: int

    def holds(self, top: int, bottom: int) -> bool:
        return self.top <= top and bottom <= self.bottom


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
