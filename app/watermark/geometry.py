"""Geometry marks read back from pixels (page images, scans, or a re-rendered PDF).

Informed decoding: the stored original is rendered at the same resolution; every word box from
the original's layout is located in the evidence by 1-D profile correlation (vertical, then
horizontal with sub-pixel refinement). A page-wide affine model of the displacements absorbs
translation, skew and scale; what remains per word is its +/-0.45 pt mark. Small residuals are
erasures, so an unmarked or pixel-averaged page reads (mostly) nothing rather than noise.
A word in vertical writing (pdftemplate.ColumnBox) moves down or up its column: it is read the
same way on the transposed page (across the column first, then along it), and the words of
columns get their own affine model of the vertical displacements.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .model import DENSE_SCHEME, GEOMETRY_LABEL, SEGMENT_SCHEME, SPARSE_SCHEME
from .pdftemplate import ColumnBox, WordBox, analysis
from .photo import page_quad, refine, unwarp
from .placement import Span, frame_box, is_partial, is_whole, locate, place
from .prepared import Prepared
from .reading import BitReading, Reading, Unreadable, guarded
from .scan import layout as scan_layout
from .scan import read_arrays as read_scan

DPI = 150
SEARCH = 10  # px
THRESHOLD = 0.35  # px; the mark is 0.45 pt = 0.94 px at 150 dpi
Array = NDArray[np.float64]


def render(pdf: bytes, dpi: int = DPI) -> list[Array]:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    doc = pdfium.PdfDocument(pdf)  # never evidence: see _render_evidence
    try:
        out = []
        for page in doc:
            img = page.render(scale=dpi / 72.0, grayscale=True).to_pil().convert("L")
            out.append(255.0 - np.asarray(img, dtype=np.float64))
        return out
    finally:
        doc.close()


def _render_original(original: bytes) -> tuple[NDArray[np.uint8], ...]:
    # Stored as 8-bit ink (the renders are whole grey levels): an eighth of float64's memory.
    return tuple(np.asarray(page, dtype=np.uint8) for page in render(original))


def _original_pages(prep: Prepared) -> tuple[NDArray[np.uint8], ...]:
    """The original's pages rendered at DPI (ink = 255 - grey), built once per original."""
    return prep.derive(f"pdf.pages{DPI}", lambda: _render_original(prep.original),
                       lambda pages: sum(p.nbytes for p in pages))


def _render_evidence(pdf: bytes) -> list[Array]:
    import pypdfium2 as pdfium

    try:
        return render(pdf)
    except pdfium.PdfiumError:
        raise Unreadable() from None


def _ink(g: Any) -> Array:
    """Ink (255 - grey) of a greyscale PIL image, stretched to the full range (paper 0)."""
    arr = 255.0 - np.asarray(g, dtype=np.float64)
    lo, hi = np.percentile(arr, 5), np.percentile(arr, 99.9)
    return np.clip((arr - lo) / max(hi - lo, 1.0) * 255.0, 0, 255)


def _decode_image(data: bytes, origs: Sequence[NDArray[np.uint8]]
                  ) -> tuple[int | None, Array, Span | None, bool]:
    """(page, pixels, rows shown, whether a photo) on the page rendering's grid: a whole page
    resampled to the first page's shape (its page is its place in the evidence: None), a band
    of a page (a screen grab) scaled by width and placed where it matches (placement.place).
    A photo's page is put back square here and registered locally once its page is known."""
    from PIL import Image

    try:
        im = Image.open(io.BytesIO(data))
    except (OSError, Image.DecompressionBombError):  # not an image we can read: no marks
        raise Unreadable() from None
    with im:
        g = im.convert("L")
    shape = origs[0].shape if origs else (1, 1)
    quad = page_quad(np.asarray(g)) if origs else None
    if quad is not None:  # a whole page on a darker surface (a photo): put back square
        return None, _ink(unwarp(g, quad, (shape[1], shape[0]))), None, True
    box = frame_box(np.asarray(g))
    if box is not None:  # a grab of a viewer's window: the page without its frame
        g = g.crop(box)
    if origs and is_partial(g.size, shape):
        rows = max(1, round(g.size[1] * shape[1] / g.size[0]))
        placed = place(_ink(g.resize((shape[1], rows), Image.Resampling.BICUBIC)), origs)
        if placed is not None:
            return (*placed, False)
    if origs and not is_whole(g.size, shape):  # cropped at the sides too: scale unknown
        placed = locate(_ink(g), origs)
        if placed is not None:
            return (*placed, False)
    if g.size != (shape[1], shape[0]):
        g = g.resize((shape[1], shape[0]), Image.Resampling.BICUBIC)
    return None, _ink(g), None, False


def _best_shift(tpl: Array, sig: Array) -> tuple[float, float]:
    """Sub-pixel offset of `tpl` inside `sig` (len(sig) = len(tpl) + 2*SEARCH), with NCC."""
    n = len(tpl)
    win = np.lib.stride_tricks.sliding_window_view(sig, n)
    t = tpl - tpl.mean()
    w = win - win.mean(axis=1, keepdims=True)
    den = np.sqrt((w * w).sum(axis=1) * (t * t).sum()) + 1e-9
    ncc = (w @ t) / den
    k = int(np.argmax(ncc))
    frac = 0.0
    if 0 < k < len(ncc) - 1:
        a, b, c = ncc[k - 1], ncc[k], ncc[k + 1]
        d = a - 2 * b + c
        frac = 0.5 * (a - c) / d if d < 0 else 0.0
    return k - SEARCH + frac, float(ncc[k])


def _global_offset(orig: Array, ev: Array) -> tuple[int, int]:
    res = []
    for axis in (1, 0):
        a, b = orig.sum(axis=axis), ev.sum(axis=axis)
        a, b = a - a.mean(), b - b.mean()
        corr = np.correlate(b, a, mode="full")
        mid = len(a) - 1
        lo = max(0, mid - 40)
        res.append(int(np.argmax(corr[lo : mid + 41])) + lo - mid)
    return res[0], res[1]


def _box_rows(box: WordBox, height: float) -> tuple[int, int]:
    """The rows [top, bottom) of a word's box on the page rendering at DPI."""
    s = DPI / 72.0
    return int((height - box.y - 0.78 * box.size) * s), int((height - box.y + 0.25 * box.size) * s)


def _column_window(box: ColumnBox, height: float) -> tuple[int, int, int, int]:
    """The rows [top, bottom) and columns [left, right) of a column word's box at DPI: its
    glyphs' width (up to 0.55 em each side of the column's axis) and its length."""
    s = DPI / 72.0
    return (int((height - box.top) * s) - 3, int((height - box.bottom) * s) + 4,
            int((box.x - 0.55 * box.size) * s), int((box.x + 0.55 * box.size) * s) + 1)


def _visible(box: WordBox | ColumnBox, height: float, span: Span | None) -> bool:
    """Whether a word lies wholly inside the rows an evidence page shows, with room to search."""
    if span is None:
        return True
    if isinstance(box, ColumnBox):
        top, bot, left, right = _column_window(box, height)
        return span.holds(top - SEARCH, bot + SEARCH, left - SEARCH, right + SEARCH)
    top, bot = _box_rows(box, height)
    s = DPI / 72.0
    return span.holds(top - SEARCH, bot + SEARCH, int(box.x0 * s) - 3 - SEARCH,
                      int(box.x1 * s) + 4 + SEARCH)


def _measure(orig: Array, ev: Array, box: WordBox, height: float, off: tuple[int, int]
             ) -> tuple[float, float, float] | None:
    s = DPI / 72.0
    x0, x1 = int(box.x0 * s) - 3, int(box.x1 * s) + 4
    top, bot = _box_rows(box, height)
    got = _shift_in(orig, ev, (top, bot, x0, x1), off)
    return None if got is None else (got, (box.x0 + box.x1) / 2 * s, (height - box.y) * s)


def _measure_column(orig: Array, ev: Array, box: ColumnBox, height: float,
                    off: tuple[int, int]) -> tuple[float, float, float] | None:
    """A column word's displacement down the page (px), located across first: the
    horizontal measurement on the transposed page."""
    s = DPI / 72.0
    top, bot, left, right = _column_window(box, height)
    got = _shift_in(orig.T, ev.T, (left, right, top, bot), (off[1], off[0]))
    return None if got is None else (got, box.x * s, (height - (box.top + box.bottom) / 2) * s)


def _shift_in(orig: Array, ev: Array, window: tuple[int, int, int, int], off: tuple[int, int]
              ) -> float | None:
    """The horizontal displacement (px) of the evidence inside a window (rows top..bot,
    columns x0..x1) of the original, found after its rows; None where the window leaves the
    page or either profile matches poorly."""
    top, bot, x0, x1 = window
    oy, ox = off
    h, w = orig.shape
    if min(x0 + ox, top + oy) < SEARCH or x1 + ox + SEARCH > w or bot + oy + SEARCH > h:
        return None
    rows_t = orig[top:bot, x0:x1].sum(axis=1)
    rows_s = ev[top - SEARCH + oy : bot + SEARCH + oy, x0 + ox : x1 + ox].sum(axis=1)
    dy, qy = _best_shift(rows_t, rows_s)
    iy = int(round(dy)) + oy
    cols_t = orig[top:bot, x0:x1].sum(axis=0)
    cols_s = ev[top + iy : bot + iy, x0 - SEARCH + ox : x1 + SEARCH + ox].sum(axis=0)
    dx, qx = _best_shift(cols_t, cols_s)
    if min(qy, qx) < 0.6:
        return None
    return dx + ox


def _residuals(meas: list[tuple[int, float, float, float]]) -> dict[int, float]:
    if len(meas) < 8:
        return {}
    idx = np.array([m[0] for m in meas])
    dx = np.array([m[1] for m in meas])
    design = np.column_stack([np.ones(len(meas)), [m[2] for m in meas], [m[3] for m in meas]])
    keep = np.ones(len(meas), dtype=bool)
    res = dx
    for _ in range(3):
        coef, *_ = np.linalg.lstsq(design[keep], dx[keep], rcond=None)
        res = dx - design @ coef
        keep = np.abs(res) < 2.5
        if keep.sum() < 8:
            return {}
    return {int(i): float(r) for i, r, k in zip(idx, res, keep, strict=True) if k}


def decode_page(orig: Array, ev: Array, boxes: Sequence[tuple[int, WordBox | ColumnBox]],
                height: float, off: tuple[int, int] | None = None) -> dict[int, int | None]:
    """Each word's bit: 1 moved right (down, in a column), 0 moved back, None too little.
    Rows of words and columns of words are fitted apart (they move along different axes)."""
    off = _global_offset(orig, ev) if off is None else off
    meas, column_meas = [], []
    for i, box in boxes:
        if isinstance(box, ColumnBox):
            m = _measure_column(orig, ev, box, height, off)
            if m is not None:
                column_meas.append((i, *m))
            continue
        m = _measure(orig, ev, box, height, off)
        if m is not None:
            meas.append((i, *m))
    res = _residuals(meas)
    if column_meas:
        res.update(_residuals(column_meas))
    return {i: (1 if r > THRESHOLD else 0 if r < -THRESHOLD else None) for i, r in res.items()}


class _Offsets:
    """Each evidence page's translation against the original's rendering, computed once for
    the readers of one piece of evidence (word shifts, scan pattern, diagonal tag)."""

    def __init__(self, pages: list[Array], origs: Sequence[NDArray[np.uint8]]) -> None:
        self._pages, self._origs = pages, origs
        self._memo: dict[int, tuple[int, int]] = {}

    def of(self, k: int) -> tuple[int, int]:
        if k not in self._memo:
            self._memo[k] = _global_offset(self._origs[k].astype(np.float64), self._pages[k])
        return self._memo[k]


def _read_arrays(pages: list[Array], prep: Prepared, offsets: _Offsets | None = None,
                 spans: Sequence[Span | None] = ()) -> Reading:
    """Word shifts; on a page image that shows a band of the page (spans[k]), only of the words
    inside it, and "found" is then judged against the words it could show."""
    an = analysis(prep)
    origs = _original_pages(prep)
    values: list[int | None] = [None] * len(an.geo_slots)
    hidden = 0
    for k, ev in enumerate(pages[: len(origs)]):
        span = spans[k] if k < len(spans) else None
        height = an.page_sizes[k][1]
        page = [(i, b) for i, b in enumerate(an.geo_slots) if b.page == k]
        boxes = [(i, b) for i, b in page if _visible(b, height, span)]
        hidden += len(page) - len(boxes)
        if not boxes or ev.shape != origs[k].shape:
            continue
        orig = origs[k].astype(np.float64)
        off = offsets.of(k) if offsets is not None else None
        for i, v in decode_page(orig, ev, boxes, height, off).items():
            values[i] = v
    r = Reading()
    r.bits["geometry"] = BitReading(GEOMETRY_LABEL, values)
    read = sum(v is not None for v in values)
    if read >= 16 and read >= 0.4 * (len(values) - hidden):
        r.found.add("geometry")
    return r


def _read_scan(pages: list[Array], prep: Prepared, offsets: _Offsets | None = None,
               spans: Sequence[Span | None] = ()) -> Reading:
    """Scanned-page marks, each evidence page first moved onto the original's rendering."""
    origs = _original_pages(prep)
    offsets = offsets or _Offsets(pages, origs)
    registered = []
    for k, (ev, orig) in enumerate(zip(pages, origs, strict=False)):
        if ev.shape != orig.shape:
            registered.append(ev)
            continue
        oy, ox = offsets.of(k)
        registered.append(np.roll(ev, (-oy, -ox), axis=(0, 1)))
    segmented = scan_layout(prep, segmented=True)
    if not segmented.segmented:  # one layout for every scheme
        return read_scan(registered, origs, segmented, spans)
    r = read_scan(registered, origs, segmented, spans, schemes=(SEGMENT_SCHEME,))
    r.merge(read_scan(registered, origs, scan_layout(prep), spans, key="image/blocks",
                      schemes=(DENSE_SCHEME, SPARSE_SCHEME)))
    return r


def _png(arr: Array) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray((255.0 - arr).clip(0, 255).astype(np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def read_page_images(images: list[bytes], prep: Prepared,
                     ocr: Callable[[bytes], str] | None) -> Reading:
    """Whole page images are the pages in their order; a band of a page (a screen grab) goes
    where it matches, and the pages no image shows are read as absent (no pixels, no rows).
    A photo's page is then moved onto its page of the original by smooth local displacements
    (photo.refine): the lens and a page that is not flat bend it by pixels."""
    origs = _original_pages(prep)
    placed: dict[int, tuple[Array, Span | None]] = {}
    for i, img in enumerate(images):
        k, page, span, shot = _decode_image(img, origs)
        at = i if k is None else k
        if shot and at < len(origs) and at not in placed:
            page = refine(page, origs[at].astype(np.float64))
        placed.setdefault(at, (page, span))
    absent = (np.zeros((1, 1)), Span(0, 0))  # its shape matches no page: every reader skips it
    shown = [placed.get(k, absent) for k in range(max(placed, default=-1) + 1)]
    pages, spans = [p for p, _ in shown], [s for _, s in shown]
    return _read_pages(pages, prep, ocr, lambda: images, spans)


def _diagonal_tags(pages: list[Array], prep: Prepared, offsets: _Offsets) -> Reading:
    """The tag of a diagonal mark, read from the pixels of each page (tagpixels)."""
    from .tagpixels import page_cells, read_tag

    origs = _original_pages(prep)
    found = []
    for k, ev in enumerate(pages[: len(origs)]):
        if ev.shape != origs[k].shape:
            continue
        got = read_tag(ev, page_cells(prep, k, origs, render), offsets.of(k))
        if got is not None:
            found.append(got)
    return Reading(tag_texts=found)


def _read_pages(pages: list[Array], prep: Prepared, ocr: Callable[[bytes], str] | None,
                images: Callable[[], list[bytes]], spans: Sequence[Span | None] = ()
                ) -> Reading:
    """Word shifts, the pattern on scanned page images and the tag of a diagonal mark, then
    (OCR costs seconds per page: only when no invisible layer was read) the tag of a footer,
    a header or a diagonal's margin through OCR; each fails alone."""
    r = Reading()
    offsets = _Offsets(pages, _original_pages(prep))
    guarded(r, "geometry", lambda: _read_arrays(pages, prep, offsets, spans))
    if scan_layout(prep).images:
        guarded(r, "image", lambda: _read_scan(pages, prep, offsets, spans))
    guarded(r, "footer", lambda: _diagonal_tags(pages, prep, offsets))
    if ocr is not None and not r.found & {"geometry", "image"}:
        read = ocr
        guarded(r, "ocr", lambda: Reading(tag_texts=[read(img) for img in images()]))
    return r


def read_rendered(pdf: bytes, prep: Prepared, ocr: Callable[[bytes], str] | None) -> Reading:
    pages = _render_evidence(pdf)
    return _read_pages(pages, prep, ocr, lambda: [_png(p) for p in pages])


