"""A JPEG page image assembled per download from restart segments of two prepared markings.

A baseline JPEG with a restart interval is a series of segments of `run` MCUs each, in raster
order, closed by RSTn markers. The DC predictors restart at every marker, so a segment's
entropy-coded bytes depend only on its own MCUs and on the Huffman tables. Two markings of one
page image (scan.py: every segment carrying bit 1, every segment carrying bit 0) encoded as ONE
image, one above the other, share their tables; a download's image is then the header and, per
segment, the bytes of the marking its bit selects. No pixel is decoded or encoded per download:
assembling a page is a join of byte slices, where marking it from pixels costs a JPEG decode
and encode (issue #15: embedding within 1.5x of stamping a footer).

Invariants:
- an assembled image decodes to exactly the pixels that encoding the chosen mix of the two
  markings directly (same quantisation tables, same sampling) would give: the encoder
  processes each MCU alone, and the upper marking is padded to whole MCU rows the way the
  encoder pads an image's last row;
- both markings are functions of the original alone (never of a download code), so they can be
  kept with the original (Prepared) and shared by every download;
- the last segment is the same in both markings and is never marked: in the stacked image only
  the lower marking's last segment ends at a marker, so both take that one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

_SOF = (0xC0, 0xC1, 0xC2)  # baseline, extended and progressive Huffman frames
_SOS = 0xDA
_EOI = b"\xff\xd9"
_RST = tuple(bytes((0xFF, 0xD0 + k)) for k in range(8))
MAX_HEIGHT = 65535  # a JPEG frame's height field


@dataclass(frozen=True)
class Frame:
    """What the encoder needs to reproduce an original JPEG's block structure."""

    height: int
    width: int
    mcu: tuple[int, int]  # pixel rows and columns of one MCU
    subsampling: int | None  # Pillow's code for a colour image (0 4:4:4, 1 4:2:2, 2 4:2:0)

    @property
    def cols(self) -> int:
        return -(-self.width // self.mcu[1])

    @property
    def rows(self) -> int:
        return -(-self.height // self.mcu[0])


def _markers(data: bytes) -> list[tuple[int, int, int]]:
    """(marker, start of its payload, payload length) up to and including the first SOS."""
    out, at = [], 2
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("not a JPEG stream")
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            raise ValueError("marker expected")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        out.append((marker, at + 4, length - 2))
        if marker == _SOS:
            return out
        at += 2 + length
    raise ValueError("no scan in this JPEG stream")


def frame(data: bytes) -> Frame | None:
    """The frame of a JPEG stream whose block structure the encoder can reproduce: one grey
    component, or three with the luminance sampled 1x1, 2x1 or 2x2 and chroma 1x1. Anything
    else (CMYK, other samplings, arithmetic coding, a malformed header) is None."""
    try:
        markers = _markers(data)
    except ValueError:
        return None
    for marker, at, _ in markers:
        if marker not in _SOF:
            continue
        height = int.from_bytes(data[at + 1 : at + 3], "big")
        width = int.from_bytes(data[at + 3 : at + 5], "big")
        count = data[at + 5]
        factors = [(data[at + 7 + 3 * k] >> 4, data[at + 7 + 3 * k] & 15) for k in range(count)]
        if count == 1 and height and width:
            return Frame(height, width, (8, 8), None)
        codes = {(1, 1): 0, (2, 1): 1, (2, 2): 2}
        if count == 3 and height and width and factors[1:] == [(1, 1), (1, 1)] \
                and factors[0] in codes:
            h, v = factors[0]
            return Frame(height, width, (8 * v, 8 * h), codes[factors[0]])
        return None
    return None


@dataclass(frozen=True)
class Pair:
    """Two markings of one image, cut into restart segments: `head` (SOI to the scan header,
    with the image's own height), then per segment k the bytes pieces[k][v] of marking v,
    each followed by its RST marker but the last."""

    head: bytes
    pieces: tuple[tuple[bytes, bytes], ...]

    @property
    def segments(self) -> int:
        return len(self.pieces)

    @property
    def nbytes(self) -> int:
        return len(self.head) + sum(len(a) + len(b) + 120 for a, b in self.pieces)


def _entropy_segments(data: bytes) -> tuple[bytes, list[bytes]]:
    """The header (to the end of the scan header) and the entropy-coded segments between RST
    markers (stuffed 0xFF 0x00 bytes are data, not markers)."""
    _, at, length = _markers(data)[-1]
    start = at + length
    raw = data[start : data.rindex(_EOI)]
    segments, begin = [], 0
    k = raw.find(b"\xff")
    while k != -1 and k + 1 < len(raw):
        if 0xD0 <= raw[k + 1] <= 0xD7:
            segments.append(raw[begin:k])
            begin = k + 2
        k = raw.find(b"\xff", k + 2)
    segments.append(raw[begin:])
    return data[:start], segments


def _with_height(head: bytes, height: int) -> bytes:
    out = bytearray(head)
    for marker, at, _ in _markers(head):
        if marker in _SOF:
            out[at + 1 : at + 3] = height.to_bytes(2, "big")
            return bytes(out)
    raise ValueError("no frame header")


def _padded(pixels: NDArray[np.uint8], rows: int) -> NDArray[np.uint8]:
    """`pixels` extended to `rows` rows by repeating its last row (as the encoder pads)."""
    extra = rows - pixels.shape[0]
    return pixels if extra <= 0 else np.concatenate([pixels, np.repeat(pixels[-1:], extra, 0)])


def encode_pair(one: NDArray[np.uint8], zero: NDArray[np.uint8], fr: Frame, run: int,
                qtables: Any) -> Pair:
    """Both markings (pixel arrays of the frame's size; identical in the last segment) encoded
    in one image with restart segments of `run` MCUs, cut apart again."""
    from PIL import Image

    rows, cols = fr.rows, fr.cols
    # Padding rows between the two, so that the lower marking starts at a segment boundary.
    gap = next(g for g in range(run + 1) if ((rows + g) * cols) % run == 0)
    stacked = np.concatenate([_padded(one, (rows + gap) * fr.mcu[0]), zero])
    if stacked.shape[0] > MAX_HEIGHT:
        raise ValueError("image too tall to stack")
    kw: dict[str, Any] = {"qtables": qtables} if qtables else {"quality": 90}
    if fr.subsampling is not None:
        kw["subsampling"] = fr.subsampling
    buf = io.BytesIO()
    Image.fromarray(stacked, "L" if stacked.ndim == 2 else "RGB").save(
        buf, format="JPEG", optimize=True, restart_marker_blocks=run, **kw)
    head, coded = _entropy_segments(buf.getvalue())
    count, lower = -(-rows * cols // run), (rows + gap) * cols // run
    if len(coded) != lower + count:
        raise ValueError("unexpected restart segments")
    last = coded[-1]  # marking 0 is the lower image, marking 1 the upper
    pieces = tuple((coded[lower + k] + _RST[k % 8], coded[k] + _RST[k % 8])
                   for k in range(count - 1)) + ((last, last),)
    return Pair(_with_height(head, fr.height), pieces)


def assemble(pair: Pair, ones: NDArray[np.bool_]) -> list[bytes]:
    """The JPEG whose segment k comes from marking 1 where ones[k], else from marking 0, as
    the list of byte strings it is made of (the writer copies each once, into the file)."""
    return [pair.head, *map(tuple.__getitem__, pair.pieces, ones.tolist()), _EOI]
