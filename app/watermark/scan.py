"""Scanned pages: a keyed luminance pattern on the page images of a PDF, read back from pixels.

A scanned production is an image-only PDF (or one with an invisible OCR text layer): there is
no text to vary and no word to shift, so the page IMAGES carry the mark. The pattern lives in
page space, not in image pixels, so the embedder (image pixels at any resolution) and the
reader (any rendering of the page, re-sampled to the stored original's 150 dpi render) agree
on it without knowing each other's resolution:

- the page is tiled in CELL_PT cells; each cell has a fixed sign p = +/-1 and every BLOCK x
  BLOCK cells form a block, assigned to one of n bits (signs and assignment are a function of
  the original alone, never of a download code);
- a download darkens the cells where p equals its bit's sign by AMPLITUDE grey levels and
  leaves the others alone (so white paper, which cannot get lighter, still carries the mark);
- the reader subtracts the stored original's rendering and correlates the residual with p,
  per bit; a correlation too close to zero is an erasure, so an unmarked page or two averaged
  copies read (mostly) nothing rather than noise.

Cells of 4 pt (about 8 px at 150 dpi) sit well inside a JPEG block's low frequencies: the mark
survives re-encoding and re-sampling. Only images drawn once, axis-aligned and covering at
least half of their page are marked (a logo or a signature stays as it is). Amplitude 4 of 255
on a cell pattern is a faint paper texture, like the grain of a scan.

A JPEG page image is marked block by block: each 8 x 8 luminance block of the encoded image
takes the pattern's value at its centre, so the mark only moves the blocks' DC terms (blank
paper stays a run of DC-only blocks, which cost a few bits each) and leaves the AC terms of
the scan as they were. That approximation keeps about 70% of the cell pattern's correlation,
so these blocks are darkened by JPEG_AMPLITUDE (6) instead of 4; the reader is the same. Below
144 dpi a block is larger than a cell and the image keeps the per-pixel pattern. The
image is re-encoded with the original's quantisation tables and sampling and optimised
Huffman tables: a marked copy is about the size of the original (issue #15: at most 1.1x).

Segmented layout (downloads of mark scheme 3 on): a JPEG page image's bits are carried by its
restart segments instead of the page's blocks of cells. A segment is a run of MCUs of about two
blocks' area; every JPEG block in it is darkened where its centre's cell sign equals the
segment's bit sign. A download's image is then assembled from two markings prepared once per
original (scanjpeg.py), and the reader, which knows the segments, correlates each pixel with
its block's exact sign. Copies of schemes 1 and 2 keep the block layout and are read with it.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pikepdf
from numpy.typing import NDArray

from crypto.fingerprint import code_bits

from .pdfcontent import IDENTITY, Matrix, mul, open_original
from .placement import Span
from .prepared import Prepared
from .reading import BitReading, Reading
from .scanjpeg import MAX_HEIGHT, Frame, Pair, assemble, encode_pair, frame

SCAN_LABEL = "scan/v1"
CELL_PT = 4.0
BLOCK = 4  # cells per block side
AMPLITUDE = 4.0
JPEG_AMPLITUDE = 6.0  # block-constant pattern on JPEG images (see the module docstring)
JPEG_BLOCK = 8  # px: a JPEG luminance block, counted from the image's top-left pixel
# A segment's area: about two blocks. A download joins one string per segment and page, so
# larger segments cost less (one block's area: 1.38x the stamp on the benchmark's scans, two:
# 1.14x); a bit averages as much page area or more (fewer segments, as many or fewer bits).
SEGMENT_PT2 = 2 * BLOCK * BLOCK * CELL_PT * CELL_PT
MIN_COVER = 0.5
MAX_BITS = 256
READ_DPI = 150
_FILTERS = ("/DCTDecode", "/FlateDecode")


@dataclass(frozen=True)
class PageImage:
    """One markable image: which XObject, where it is drawn (pt, origin top-left)."""

    page: int
    name: str  # resource name on the page
    objgen: tuple[int, int]
    x0: float
    top: float
    width: float  # pt
    height: float


@dataclass(frozen=True)
class Segments:
    """A JPEG page image's restart segments: runs of `run` MCUs in raster order (wrapping
    from one MCU row to the next), one bit each; the last segment is unmarked (-1)."""

    frame: Frame
    run: int
    bit_of: NDArray[np.int32]  # per segment

    def at(self, px: NDArray[np.int64], py: NDArray[np.int64]) -> NDArray[np.int32]:
        """The bit of the segment holding each image pixel (py rows x px columns)."""
        mcu = (py // self.frame.mcu[0])[:, None] * self.frame.cols \
            + (px // self.frame.mcu[1])[None, :]
        bits: NDArray[np.int32] = self.bit_of[mcu // self.run]
        return bits


@dataclass(frozen=True)
class ScanLayout:
    images: tuple[PageImage, ...]
    page_sizes: tuple[tuple[float, float], ...]
    signs: tuple[NDArray[np.int8], ...]  # per page: cell sign (rows x cols)
    bit_of: tuple[NDArray[np.int32], ...]  # per page: bit index per block (rows x cols)
    nbits: int
    segments: tuple[Segments | None, ...] = ()  # per image (segmented layout only)

    @property
    def segmented(self) -> bool:
        return any(seg is not None for seg in self.segments)

    def segments_of(self, index: int) -> Segments | None:
        return self.segments[index] if index < len(self.segments) else None

    @property
    def nbytes(self) -> int:
        return (sum(s.nbytes for s in self.signs) + sum(b.nbytes for b in self.bit_of)
                + sum(seg.bit_of.nbytes for seg in self.segments if seg is not None) + 200)


def _draws(page: Any) -> list[tuple[str, Matrix]]:
    """Image XObjects a page draws directly, with their CTM (q/Q/cm followed; forms skipped)."""
    ctm, stack, out = IDENTITY, [], []
    for instruction in pikepdf.parse_content_stream(page, "q Q cm Do"):
        operands, operator = instruction.operands, instruction.operator
        op = str(operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop() if stack else IDENTITY
        elif op == "cm" and len(operands) == 6:
            f = [float(v) for v in operands]
            ctm = mul((f[0], f[1], f[2], f[3], f[4], f[5]), ctm)
        elif op == "Do" and operands:
            out.append((str(operands[0]), ctm))
    return out


def _markable(xobj: Any) -> bool:
    if not isinstance(xobj, pikepdf.Stream) or xobj.get("/Subtype") != pikepdf.Name.Image:
        return False
    if xobj.get("/ImageMask", False) or "/SMask" in xobj or "/Mask" in xobj:
        return False
    cs, filt = xobj.get("/ColorSpace"), xobj.get("/Filter")
    return (int(xobj.get("/BitsPerComponent", 0)) == 8
            and cs in (pikepdf.Name.DeviceGray, pikepdf.Name.DeviceRGB)
            and (filt is None or str(filt) in _FILTERS))


def find_images(pdf: Any) -> list[PageImage]:
    found: list[PageImage] = []
    uses: dict[tuple[int, int], int] = {}
    for k, page in enumerate(pdf.pages):
        res = page.obj.get("/Resources")
        xobjs = res.get("/XObject") if isinstance(res, pikepdf.Dictionary) else None
        if not isinstance(xobjs, pikepdf.Dictionary):
            continue
        box = [float(v) for v in page.mediabox]
        w, h = box[2] - box[0], box[3] - box[1]
        for name, m in _draws(page):
            xobj = xobjs.get(name)
            if xobj is None or not xobj.is_indirect:
                continue
            uses[xobj.objgen] = uses.get(xobj.objgen, 0) + 1
            a, b, c, d, e, f = m
            if not _markable(xobj) or b or c or a <= 0 or d <= 0 or a * d < MIN_COVER * w * h:
                continue
            top = float(page.mediabox[3]) - (f + d)
            found.append(PageImage(k, name, xobj.objgen, e - float(page.mediabox[0]), top, a, d))
    return [im for im in found if uses[im.objgen] == 1]


def _seed(prep: Prepared) -> int:
    """A function of the original's bytes, read in chunks (an original in a file too)."""
    digest = hashlib.sha256(b"scan-layout|")
    src = prep.reader()
    while chunk := src.read(1 << 20):
        digest.update(chunk)
    return int.from_bytes(digest.digest()[:8], "big")


def _run(im: PageImage, fr: Frame) -> int:
    """MCUs per segment: about SEGMENT_PT2 of the page."""
    mcu_pt2 = fr.mcu[0] * im.height / fr.height * fr.mcu[1] * im.width / fr.width
    return max(1, round(SEGMENT_PT2 / mcu_pt2))


def _segmentable(xobj: Any, im: PageImage) -> tuple[Frame, int] | None:
    """The JPEG frame and segment run of a page image whose blocks are no larger than a cell
    (at least 144 dpi), whose structure the encoder reproduces and whose two markings fit
    one frame; None for any other image."""
    if str(xobj.get("/Filter")) != "/DCTDecode":
        return None
    fr = frame(xobj.read_raw_bytes())
    if fr is None or (fr.width, fr.height) != (int(xobj.Width), int(xobj.Height)):
        return None
    if max(im.width / fr.width, im.height / fr.height) * JPEG_BLOCK > CELL_PT:
        return None
    run = _run(im, fr)
    return (fr, run) if (fr.rows + run) * fr.mcu[0] + fr.height <= MAX_HEIGHT else None


def build_layout(prep: Prepared, segmented: bool = False) -> ScanLayout:
    """The block layout, or (segmented) the layout whose JPEG page images carry their bits
    in restart segments. Both draw the same cell signs; the block layout is what copies of
    schemes 1 and 2 were marked with and must never change."""
    with open_original(prep) as pdf:
        images = find_images(pdf)
        sizes = tuple((float(p.mediabox[2]) - float(p.mediabox[0]),
                       float(p.mediabox[3]) - float(p.mediabox[1])) for p in pdf.pages)
        found = [_segmentable(pdf.get_object(im.objgen), im) if segmented else None
                 for im in images]
    frames = [f[0] if f is not None else None for f in found]
    runs = [f[1] if f is not None else 0 for f in found]
    seed = _seed(prep)
    rng = np.random.default_rng(seed)
    marked_pages = {im.page for im in images}
    block_pages = {im.page for im, fr in zip(images, frames, strict=True) if fr is None}
    signs, blocks = [], []
    for k, (w, h) in enumerate(sizes):  # pages without a marked image hold empty arrays
        rows, cols = (int(np.ceil(h / CELL_PT)), int(np.ceil(w / CELL_PT))) \
            if k in marked_pages else (0, 0)
        signs.append(rng.choice(np.array([-1, 1], dtype=np.int8), size=(rows, cols)))
        blocks.append((-(-rows // BLOCK), -(-cols // BLOCK)))
    counts = [-(-fr.rows * fr.cols // run) if fr is not None else 0
              for fr, run in zip(frames, runs, strict=True)]
    total = sum(r * c for k, (r, c) in enumerate(blocks) if k in block_pages) + sum(counts)
    nbits = max(1, min(MAX_BITS, total // 8))
    order = rng.permutation(max(total, 1)) % nbits
    bit_of, at = [], 0
    for k, (r, c) in enumerate(blocks):
        if k in block_pages:
            bit_of.append(order[at : at + r * c].reshape(r, c).astype(np.int32))
            at += r * c
        else:
            bit_of.append(np.full((r, c), -1, dtype=np.int32))
    segments: list[Segments | None] = []
    for fr, run, count in zip(frames, runs, counts, strict=True):
        if fr is None:
            segments.append(None)
            continue
        bits = order[at : at + count].astype(np.int32)
        bits[-1] = -1  # the last segment is the same in both markings (scanjpeg)
        segments.append(Segments(fr, run, bits))
        at += count
    return ScanLayout(tuple(images), sizes, tuple(signs), tuple(bit_of), nbits,
                      tuple(segments) if segmented else ())


def layout(prep: Prepared, segmented: bool = False) -> ScanLayout:
    """The scan layout of a prepared PDF original, built once and kept with it: the block
    layout, or the segmented one (the block layout again when no image can be segmented)."""
    blocks = prep.derive("pdf.scan", lambda: build_layout(prep), lambda s: s.nbytes)
    if not segmented or not blocks.images:
        return blocks
    lay = prep.derive("pdf.scan.segments", lambda: build_layout(prep, True), lambda s: s.nbytes)
    return lay if lay.segmented else blocks


def _pattern(lay: ScanLayout, page: int, xs: NDArray[np.float64], ys: NDArray[np.float64]
             ) -> tuple[NDArray[np.int8], NDArray[np.int32]]:
    """Cell sign and bit index at page points (xs: columns, ys: rows; pt from top-left)."""
    signs, bit_of = lay.signs[page], lay.bit_of[page]
    ci, cj = _cells(signs.shape, xs, ys)
    return signs[ci[:, None], cj[None, :]], bit_of[(ci // BLOCK)[:, None], (cj // BLOCK)[None, :]]


def _cells(grid: tuple[int, ...], xs: NDArray[np.float64], ys: NDArray[np.float64]
           ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The cell row of each of `ys` and the cell column of each of `xs` (page points), in a
    page's grid of `grid` cells; points past its edge belong to its last cells."""
    ci = np.clip((ys / CELL_PT).astype(np.int64), 0, grid[0] - 1)
    cj = np.clip((xs / CELL_PT).astype(np.int64), 0, grid[1] - 1)
    return ci, cj


def _segment_pattern(lay: ScanLayout, index: int, xs: NDArray[np.float64],
                     ys: NDArray[np.float64]) -> tuple[NDArray[np.int8], NDArray[np.int32]]:
    """Sign and bit at page points (xs: columns, ys: rows) of a segmented image: the cell
    sign at the centre of the JPEG block holding the point, and its segment's bit."""
    im, seg = lay.images[index], lay.segments[index]
    assert seg is not None
    fr = seg.frame
    px = np.clip(((xs - im.x0) * fr.width / im.width).astype(np.int64), 0, fr.width - 1)
    py = np.clip(((ys - im.top) * fr.height / im.height).astype(np.int64), 0, fr.height - 1)
    cx = im.x0 + (px // JPEG_BLOCK + 0.5) * JPEG_BLOCK * im.width / fr.width
    cy = im.top + (py // JPEG_BLOCK + 0.5) * JPEG_BLOCK * im.height / fr.height
    signs = lay.signs[im.page]
    ci, cj = _cells(signs.shape, cx, cy)
    return signs.take(ci, axis=0).take(cj, axis=1), seg.at(px, py)


def _segment_darkening(lay: ScanLayout, index: int, bits: NDArray[np.int8]
                       ) -> NDArray[np.uint8]:
    """Grey levels off each pixel of a segmented image (its frame's size): JPEG_AMPLITUDE
    where the block's sign equals its segment's bit sign; the last segment stays as it is."""
    im, seg = lay.images[index], lay.segments[index]
    assert seg is not None
    w, h = seg.frame.width, seg.frame.height
    xs = im.x0 + (np.arange(w) + 0.5) * im.width / w
    ys = im.top + (np.arange(h) + 0.5) * im.height / h
    sign, bit = _segment_pattern(lay, index, xs, ys)
    on = (bit >= 0) & (sign == bits[bit])
    return np.where(on, np.uint8(JPEG_AMPLITUDE), np.uint8(0)).astype(np.uint8)


def _darkening(lay: ScanLayout, im: PageImage, shape: tuple[int, int],
               bits: NDArray[np.int8], jpeg: bool = False) -> NDArray[np.uint8]:
    """Grey levels the mark takes off each image pixel (0 or the amplitude): per pixel, or
    (jpeg) constant over each JPEG block when a block is no larger than a cell (at least 144
    dpi; coarser blocks would blur the cells). Decided per cell, then spread to the pixels by
    two takes: the pattern is a product of a row and a column index."""
    h, w = shape
    cx, cy = np.arange(w) + 0.5, np.arange(h) + 0.5
    jpeg = jpeg and max(im.width / w, im.height / h) * JPEG_BLOCK <= CELL_PT
    if jpeg:  # every pixel of a block samples the pattern at the block's centre
        cx = (np.arange(w) // JPEG_BLOCK + 0.5) * JPEG_BLOCK
        cy = (np.arange(h) // JPEG_BLOCK + 0.5) * JPEG_BLOCK
    xs, ys = im.x0 + cx * im.width / w, im.top + cy * im.height / h
    signs, bit_of = lay.signs[im.page], lay.bit_of[im.page]
    rows, cols = signs.shape
    ci, cj = _cells(signs.shape, xs, ys)
    cell_bit = bit_of[(np.arange(rows) // BLOCK)[:, None], (np.arange(cols) // BLOCK)[None, :]]
    amount = np.uint8(JPEG_AMPLITUDE if jpeg else AMPLITUDE)
    dark = np.where(signs == bits[cell_bit], amount, np.uint8(0)).astype(np.uint8)
    return dark.take(ci, axis=0).take(cj, axis=1)


def _signs(code: bytes, nbits: int) -> NDArray[np.int8]:
    return np.array([1 if b else -1 for b in code_bits(code, SCAN_LABEL, nbits)], dtype=np.int8)


def _encode(xobj: Any, pixels: NDArray[np.uint8]) -> tuple[bytes, str]:
    """Marked pixels in the image's own codec: JPEG with the original's quantisation tables
    and sampling (size and quality as scanned) and optimised Huffman tables, or Flate."""
    from PIL import Image, JpegImagePlugin

    mode = "L" if pixels.ndim == 2 else "RGB"
    out = Image.fromarray(pixels, mode)
    buf = io.BytesIO()
    if str(xobj.get("/Filter")) == "/DCTDecode":
        with Image.open(io.BytesIO(xobj.read_raw_bytes())) as src:
            tables = getattr(src, "quantization", None)
            kw: dict[str, Any] = {"qtables": tables} if tables else {"quality": 90}
            kw["optimize"] = True
            if mode == "RGB" and isinstance(src, JpegImagePlugin.JpegImageFile):
                kw["subsampling"] = JpegImagePlugin.get_sampling(src)
            out.save(buf, format="JPEG", **kw)
        return buf.getvalue(), "/DCTDecode"
    from zlib_ng import zlib_ng

    return zlib_ng.compress(pixels.tobytes(), 6), "/FlateDecode"


def _pixels(xobj: Any) -> NDArray[np.uint8]:
    pil = pikepdf.PdfImage(xobj).as_pil_image()
    return np.asarray(pil.convert("L" if pil.mode in ("L", "1") else "RGB"), dtype=np.uint8)


def _darker(arr: NDArray[np.uint8], dark: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Whole grey levels off, paper and ink alike, never below black."""
    dark = dark[:, :, None] if arr.ndim == 3 else dark
    return arr - np.minimum(arr, dark)


def marked_images(pdf: Any, lay: ScanLayout, code: bytes, only: Collection[int] | None = None
                  ) -> dict[tuple[int, int], tuple[bytes, str]]:
    """Per marked image (original objgen; of the images at indices `only`, when given): its
    marked data and filter, for one download, marked from its pixels (images of the
    segmented layout too: the same pixels as the assembled copy, for an original that cannot
    keep two markings in memory)."""
    bits = _signs(code, lay.nbits)
    out = {}
    for index, im in enumerate(lay.images):
        if only is not None and index not in only:
            continue
        xobj = pdf.get_object(im.objgen)
        arr = _pixels(xobj)
        if lay.segments_of(index) is not None:
            dark = _segment_darkening(lay, index, bits)
        else:
            jpeg = str(xobj.get("/Filter")) == "/DCTDecode"
            dark = _darkening(lay, im, arr.shape[:2], bits, jpeg)
        out[im.objgen] = _encode(xobj, _darker(arr, dark))
    return out


def _pairs(prep: Prepared, lay: ScanLayout) -> dict[int, Pair]:
    """Per segmented image (by index): its two markings, every segment's bit 1 and 0. An
    image the encoder does not cut as expected gets none and is marked from its pixels."""
    from PIL import Image

    out = {}
    with open_original(prep) as pdf:
        for index, im in enumerate(lay.images):
            seg = lay.segments_of(index)
            if seg is None:
                continue
            xobj = pdf.get_object(im.objgen)
            arr = _pixels(xobj)
            with Image.open(io.BytesIO(xobj.read_raw_bytes())) as src:
                tables = getattr(src, "quantization", None)
            ones = np.ones(lay.nbits, dtype=np.int8)
            try:
                out[index] = encode_pair(_darker(arr, _segment_darkening(lay, index, ones)),
                                         _darker(arr, _segment_darkening(lay, index, -ones)),
                                         seg.frame, seg.run, tables)
            except ValueError:  # same pixels, the slower way (assembled_images)
                continue
    return out


def pairs(prep: Prepared) -> dict[int, Pair]:
    """The two markings of each image of the segmented layout, prepared once per original and
    kept with it (about twice the images' size)."""
    return prep.derive("pdf.scan.pairs", lambda: _pairs(prep, layout(prep, segmented=True)),
                       lambda p: sum(pair.nbytes for pair in p.values()))


def assembled_images(prep: Prepared, code: bytes
                     ) -> dict[tuple[int, int], tuple[bytes | list[bytes], str]]:
    """Per marked image of the segmented layout: this download's data (a segmented image as
    the list of strings it is assembled from, its prepared markings' segments) and filter;
    any other image (not segmented, or without prepared markings) is marked from its
    pixels."""
    lay = layout(prep, segmented=True)
    bits = _signs(code, lay.nbits)
    prepared = pairs(prep)
    out: dict[tuple[int, int], tuple[bytes | list[bytes], str]] = {}
    rest = []
    for index, im in enumerate(lay.images):
        seg = lay.segments_of(index)
        if seg is None or index not in prepared:
            rest.append(index)
            continue
        ones = (seg.bit_of >= 0) & (bits[seg.bit_of] > 0)
        out[im.objgen] = (assemble(prepared[index], ones), "/DCTDecode")
    if rest:
        with open_original(prep) as pdf:
            out.update(marked_images(pdf, lay, code, rest))
    return out


def image_head(xobj: Any, filt: str) -> bytes:
    """The stream dictionary of a marked image (without its closing >> and /Length)."""
    d = pikepdf.Dictionary({k: v for k, v in xobj.stream_dict.items()
                            if k not in ("/Length", "/Filter", "/DecodeParms")})
    d.Filter = pikepdf.Name(filt)
    head = d.unparse().rstrip()
    return head[: head.rindex(b">>")]


# --------------------------------------------------------------------------- reading
def read_arrays(pages: Sequence[NDArray[np.float64]], origs: Sequence[NDArray[np.uint8]],
                lay: ScanLayout, spans: Sequence[Span | None] = (), key: str = "image",
                schemes: tuple[int, ...] = ()) -> Reading:
    """Bits from page renderings at READ_DPI (ink = 255 - grey), each already registered to
    the original's rendering of the same page (see geometry); of a page image that shows a
    band of the page (spans[k]), only the pixels inside it. The bits are kept under `key`,
    for the copies of `schemes` (every scheme when empty)."""
    sums = np.zeros(lay.nbits)
    counts = np.zeros(lay.nbits)
    for k, ev in enumerate(pages[: len(origs)]):
        ims = [(i, im) for i, im in enumerate(lay.images) if im.page == k]
        if not ims or ev.shape != origs[k].shape:
            continue
        resid = ev - origs[k].astype(np.float64)
        h, w = resid.shape
        px = 72.0 / READ_DPI
        xs = (np.arange(w, dtype=np.float64) + 0.5) * px
        ys = (np.arange(h, dtype=np.float64) + 0.5) * px
        p, bit = _pattern(lay, k, xs, ys)
        inside = np.zeros((h, w), dtype=bool)
        for index, im in ims:
            r0, r1 = int(np.ceil(im.top / px)), int((im.top + im.height) / px)
            c0, c1 = int(np.ceil(im.x0 / px)), int((im.x0 + im.width) / px)
            inside[r0:r1, c0:c1] = True
            if lay.segments_of(index) is not None:
                p[r0:r1, c0:c1], bit[r0:r1, c0:c1] = _segment_pattern(
                    lay, index, xs[c0:c1], ys[r0:r1])
        span = spans[k] if k < len(spans) else None
        if span is not None:  # what the image does not show is unread, not blank paper
            inside[: span.top] = False
            inside[span.bottom :] = False
            inside[:, : span.left] = False
            inside[:, span.right :] = False
        # Ink residuals far beyond the mark are misregistered text edges: left out.
        keep = inside & (bit >= 0) & (np.abs(resid) < 4 * AMPLITUDE)
        sums += np.bincount(bit[keep], weights=(resid * p)[keep], minlength=lay.nbits)
        counts += np.bincount(bit[keep], minlength=lay.nbits)
    mean = sums / np.maximum(counts, 1)
    # A marked bit reads +/-AMPLITUDE/2 (ink); unread or averaged-out bits read about 0.
    values: list[int | None] = [
        None if n < 50 else 1 if m > AMPLITUDE / 6 else 0 if m < -AMPLITUDE / 6 else None
        for m, n in zip(mean, counts, strict=True)]
    r = Reading()
    r.bits[key] = BitReading(SCAN_LABEL, values, schemes=schemes)
    read = sum(v is not None for v in values)
    if read >= 16 and read >= 0.4 * len(values):
        r.found.add("image")
    return r
