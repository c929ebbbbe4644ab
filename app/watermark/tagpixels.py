"""The diagonal mark's tag read back from page pixels, digit by digit, without OCR.

OCR reads a tag printed across the page badly: the text is at 45 degrees, semi-transparent,
and wherever it crosses body text the body's ink hides it. But where each digit of the tag
lies is a function of the page size alone (legend.diagonal_tag), so each digit is classified
by comparison with the ten digits drawn exactly there, rendered by the renderer that renders
the stored original, on the pixels where the original is blank (where the body has ink the
mark cannot be seen, and those pixels are left out rather than guessed).

Invariants and threats:
- candidate-free: the reading is a function of the evidence, the stored original and the
  page size; it yields at most one 12-digit string per page, which the scorer counts in its
  union bound like any other tag-shaped string (TagScan.tried);
- a page that does not carry the diagonal mark (another position, unmarked, another
  document) yields nothing: the ten templates must explain the digit cells (a mean
  normalised correlation of at least MIN_NCC), otherwise the page is skipped;
- templates depend on the page size only: they are kept process-wide per page size
  (`_size_cells`, a few of the most recent sizes), as small arrays of the pixels of the
  twelve digit cells. They hold the ten digits drawn where the tag goes and nothing of any
  document, so sharing them across originals and cases reveals nothing; building them
  renders a ten-page PDF, which each new original of a common size used to pay again.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .legend import ANGLE, diagonal_tag, tag_line_stream
from .pdfwriter import ALPHA_STATE, DIAGONAL_ALPHA, DIGIT_FONT, digit_font
from .prepared import Prepared

# Renders a PDF's pages at a resolution (dpi) as grey images.
Render = Callable[[bytes, int], list[NDArray[Any]]]

DPI = 150
DIGITS = tuple(i for i in range(14) if i % 5 != 4)  # positions in "0000-0000-0000"
SEARCH = 3  # px: the line is looked for this far around where it should be
# Mean best correlation of the digit cells: a page is searched around its registration only
# when it shows the mark there (PRESENT; pages without it measured below 0.3), and its
# digits are read when the best place reaches MIN_NCC (marked pages measured 0.8-0.95).
PRESENT = 0.45
MIN_NCC = 0.55
MIN_PIXELS = 20  # blank pixels a digit cell needs to be read at all
Array = NDArray[np.float64]


@dataclass(frozen=True)
class Cells:
    """Per digit of the tag: its pixels (rows, cols at DPI) and the ten digits' ink there."""

    rows: tuple[NDArray[np.int32], ...]
    cols: tuple[NDArray[np.int32], ...]
    ink: tuple[NDArray[np.uint8], ...]  # (10, n) per digit
    shape: tuple[int, int] = (0, 0)  # of the page rendered at DPI

    @property
    def nbytes(self) -> int:
        return sum(r.nbytes + c.nbytes + i.nbytes
                   for r, c, i in zip(self.rows, self.cols, self.ink, strict=True))


def _template_pdf(width: float, height: float) -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
        BaseFont=pikepdf.Name("/Courier-Bold"), Encoding=pikepdf.Name.WinAnsiEncoding))
    digits_font = digit_font(pdf)
    state = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.ExtGState, ca=DIAGONAL_ALPHA, CA=DIAGONAL_ALPHA))
    for d in range(10):
        digits = str(d) * 12
        line = "Download tag " + "-".join(digits[i : i + 4] for i in (0, 4, 8))
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, width, height],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary({"/SRfC": font,
                                                                  DIGIT_FONT: digits_font}),
                                         ExtGState=pikepdf.Dictionary({ALPHA_STATE: state})),
            Contents=pdf.make_stream(tag_line_stream(line, width, height)))
        pdf.pages.append(pikepdf.Page(page))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _cell_index(shape: tuple[int, int], width: float, height: float) -> NDArray[np.int32]:
    """Per pixel, the index of the tag character ("0000-0000-0000") it lies in (-1: none)."""
    x0, y0, size, starts = diagonal_tag(width, height)
    c = s = math.cos(math.radians(ANGLE))
    ys = height - (np.arange(shape[0]) + 0.5) * 72.0 / DPI
    xs = (np.arange(shape[1]) + 0.5) * 72.0 / DPI
    dx, dy = xs[None, :] - x0, ys[:, None] - y0
    u = dx * c + dy * s  # along the line, pt
    v = (-dx * s + dy * c) / size  # across it, in ems (up positive)
    idx = np.searchsorted(np.asarray(starts), u, side="right").astype(np.int32) - 1
    ok = (idx >= 0) & (idx < len(starts) - 1) & (v > -0.3) & (v < 0.85)
    return np.where(ok, idx, -1)


def _build(width: float, height: float, render: Render) -> Cells:
    inks = [np.asarray(p, dtype=np.uint8) for p in render(_template_pdf(width, height), DPI)]
    index = _cell_index(inks[0].shape, width, height)
    stack = np.stack(inks)
    rows, cols, ink = [], [], []
    for i in DIGITS:
        r, c = np.nonzero((index == i) & (stack.max(axis=0) > 8))
        if len(r) < MIN_PIXELS:  # a page too small to carry a legible tag: nothing to read
            return Cells((), (), ())
        rows.append(r.astype(np.int32))
        cols.append(c.astype(np.int32))
        ink.append(stack[:, r, c])
    return Cells(tuple(rows), tuple(cols), tuple(ink), (stack.shape[1], stack.shape[2]))


@dataclass(frozen=True)
class PageCells:
    """The digit cells of one page of the original: per digit, its pixels, the ten digits'
    ink there, the original's ink there and whether the original is blank around them."""

    cells: Cells
    orig: tuple[NDArray[np.uint8], ...]
    blank: tuple[NDArray[np.bool_], ...]

    @property
    def nbytes(self) -> int:
        return sum(o.nbytes + b.nbytes for o, b in zip(self.orig, self.blank, strict=True))


@lru_cache(maxsize=8)
def _size_cells(width: float, height: float, render: Render) -> Cells:
    """The digit cells of a page size (pt, to the hundredth) as `render` draws them. Keyed by
    the size alone: every original of that size shares them (see the module's invariants).
    Their arrays are read-only, as every reader of a shared value must find them."""
    cells = _build(width, height, render)
    arrays: list[NDArray[Any]] = [*cells.rows, *cells.cols, *cells.ink]
    for arr in arrays:
        arr.flags.writeable = False
    return cells


def _cells(width: float, height: float, render: Render) -> Cells:
    return _size_cells(round(width, 2), round(height, 2), render)


def page_cells(prep: Prepared, page: int, originals: Sequence[NDArray[Any]],
               render: Render) -> PageCells:
    """The cells of page `page` (0-based) of a prepared PDF original, built once.
    `originals` are the original's page renderings and `render` the renderer that made
    them (the caller's, so that this module does not import the geometry reader back)."""
    from .pdftemplate import analysis

    def build() -> PageCells:
        cs = _cells(*analysis(prep).page_sizes[page], render)
        orig = originals[page]
        if not cs.rows or cs.shape != orig.shape:  # e.g. a rotated page (/Rotate): the
            return PageCells(Cells((), (), ()), (), ())  # copy's diagonal is not where computed
        blank = _blank(orig, cs)
        return PageCells(cs, tuple(orig[r, c] for r, c in zip(cs.rows, cs.cols, strict=True)),
                         tuple(blank[r, c] for r, c in zip(cs.rows, cs.cols, strict=True)))

    return prep.derive(f"tagpixels.page{page}", build, lambda pc: pc.nbytes)


def _ncc(m: Array, t: NDArray[np.float64]) -> NDArray[np.float64]:
    """Normalised correlation of `m` (n,) with each row of `t` (10, n)."""
    mc = m - m.mean()
    tc = t - t.mean(axis=1, keepdims=True)
    den = np.sqrt((tc * tc).sum(axis=1) * (mc * mc).sum()) + 1e-9
    return np.asarray((tc @ mc) / den, dtype=np.float64)


def _blank(orig: NDArray[np.uint8], cs: Cells) -> NDArray[np.bool_]:
    """Pixels where the original and its neighbours carry no ink (there the mark shows), over
    the original page; computed on the tag line's box only (the rest stays False)."""
    from PIL import Image, ImageFilter

    rows = np.concatenate(cs.rows)
    cols = np.concatenate(cs.cols)
    r0, c0 = max(int(rows.min()) - 3, 0), max(int(cols.min()) - 3, 0)
    r1, c1 = int(rows.max()) + 4, int(cols.max()) + 4
    out = np.zeros(orig.shape, dtype=bool)
    grown = Image.fromarray(np.ascontiguousarray(orig[r0:r1, c0:c1]))
    out[r0:r1, c0:c1] = np.asarray(grown.filter(ImageFilter.MaxFilter(5))) <= 40
    return out


def _score(ev: Array, pc: PageCells, dy: int, dx: int) -> tuple[float, list[int]] | None:
    """(mean best correlation, digits) with the evidence moved by (dy, dx) px."""
    h, w = ev.shape
    best, digits = [], []
    cs = pc.cells
    for rows, cols, ink, orig, blank in zip(cs.rows, cs.cols, cs.ink, pc.orig, pc.blank,
                                            strict=True):
        r, c = rows + dy, cols + dx
        ok = (r >= 0) & (r < h) & (c >= 0) & (c < w) & blank
        if ok.sum() < MIN_PIXELS:
            return None
        mark = ev[r[ok], c[ok]] - orig[ok]
        scores = _ncc(mark, ink[:, ok].astype(np.float64))
        digits.append(int(np.argmax(scores)))
        best.append(float(scores.max()))
    return float(np.mean(best)), digits


def read_tag(ev: Array, pc: PageCells, offset: tuple[int, int]) -> str | None:
    """The tag line read from one page (ink = 255 - grey, at DPI, shaped like the original's
    rendering), as "Download tag NNNN-NNNN-NNNN", or None when the page does not carry the
    diagonal mark. `offset` is the page's translation against the original's rendering."""
    if not pc.cells.rows:
        return None
    oy, ox = offset
    found = _score(ev, pc, oy, ox)
    if found is None or found[0] < PRESENT:  # no diagonal here: not worth the search
        return None
    for dy in range(oy - SEARCH, oy + SEARCH + 1):
        for dx in range(ox - SEARCH, ox + SEARCH + 1):
            got = _score(ev, pc, dy, dx)
            if got is not None and got[0] > found[0]:
                found = got
    if found[0] < MIN_NCC:
        return None
    tag = "".join(map(str, found[1]))
    return "Download tag " + "-".join(tag[i : i + 4] for i in (0, 4, 8))
