"""Page images that show only part of a page (a screen grab), placed back on the page.

A whole-page image is resampled to the shape of the original's rendering. A screen grab is
not a whole page: it keeps the page's full width at screen resolution and a band of its height
(the top 60 % of a page, the footer cut off). Stretched to the page's shape, every word would
land in the wrong place and no mark would be read. Instead:

- its scale is the page width over its width (the grab shows the full width of the page, as a
  viewer fitted to the window does);
- the band of rows it shows is where its row ink profile correlates best (normalised) with the
  original's rendering, so a band that does not start at the top is found as well;
- it is returned on a blank page with the rows it covers (a Span); the readers use only marks
  that lie wholly inside that band, and leave the rest unread rather than read as blank paper.

Invariants and threats:
- candidate-free: the placement is a function of the evidence and the stored original's
  rendering only;
- an image whose profile matches no band of the original closely (MIN_NCC) is not placed: the
  caller reads it as before (resampled to the page), which on a partial page reads no marks
  (the word and pattern readers reject what does not register), so a grab of another
  document, or of a page the original does not have, names no one;
- an image with the page's shape (within ASPECT) is a whole page and is read as before.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

ASPECT = 0.02  # relative difference of height/width under which an image is a whole page
MIN_COVER = 0.15  # a band shorter than this share of the page height is too little to place
MIN_NCC = 0.6  # row-profile correlation of a placed band (measured 0.9-1.0 on grabs)


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


def _band_offset(band: Array, orig: Array) -> tuple[int, float]:
    """(first row, correlation) of the band's row profile against the original's."""
    a = band.sum(axis=1)
    b = orig.sum(axis=1)
    n = len(a)
    if n > len(b):
        return 0, 0.0
    win = np.lib.stride_tricks.sliding_window_view(b, n)
    ac = a - a.mean()
    wc = win - win.mean(axis=1, keepdims=True)
    den = np.sqrt((wc * wc).sum(axis=1) * (ac * ac).sum()) + 1e-9
    ncc = (wc @ ac) / den
    k = int(np.argmax(ncc))
    return k, float(ncc[k])


def place(band: Array, orig: Array) -> tuple[Array, Span] | None:
    """The band (ink, already scaled to the page width of `orig`) on a blank page of the
    original's shape, with the rows it covers; None when it matches no band of the page."""
    h, w = orig.shape
    if band.shape[1] != w or band.shape[0] < MIN_COVER * h:
        return None
    band = band[: min(band.shape[0], h)]
    top, ncc = _band_offset(band, orig)
    if ncc < MIN_NCC:
        return None
    page = np.zeros((h, w), dtype=np.float64)
    page[top : top + band.shape[0]] = band
    return page, Span(top, top + band.shape[0])
