"""PNG/JPEG uploads: a visible stamp plus a keyed luminance pattern decoded against the original.

The stamp stays in the bottom band in every legend position: the pattern's layout leaves that
band free (and is a function of the original alone, so it cannot move without losing the
copies already issued). With a protective order's legend the stamp's first line names it.

Each 8x8 block outside the stamp band is assigned (from the original's hash, not the code) to one
of n bits and to a fixed smooth +/-1 pattern; the download's bit flips the pattern's sign. The
decoder subtracts the stored original, correlates each block with its pattern and sums per bit;
a sum too close to zero is an erasure. Amplitude 3 grey levels, invisible on photographs and
scans, robust to re-encoding at JPEG quality >= 75.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from functools import partial

import numpy as np
from numpy.typing import NDArray

from crypto.fingerprint import code_bits

from .footer import bates_of, footer_lines
from .model import Evidence, MarkSpec
from .prepared import Prepared
from .reading import BitReading, Reading, Unreadable, guarded

IMAGE_LABEL = "image/v1"
BLOCK = 8
AMPLITUDE = 3.0
STAMP_BAND = 28
Array = NDArray[np.float64]


def _load(data: bytes) -> Array:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB"), dtype=np.float64)


Layout = tuple[NDArray[np.int64], Array, int, tuple[int, int]]


def _layout(prep: Prepared) -> Layout:
    """The block layout of a prepared original, built once and kept with it."""
    return prep.derive("image.layout", lambda: layout(prep.original),
                       lambda lay: lay[0].nbytes + lay[1].nbytes)


def layout(original: bytes) -> Layout:
    """(bit index per block, pattern per block, nbits, grid shape) -- a function of the original."""
    img = _load(original)
    h, w = img.shape[0] - STAMP_BAND, img.shape[1]
    gy, gx = max(0, h // BLOCK), w // BLOCK
    nblocks = gy * gx
    nbits = max(1, min(256, nblocks // 8))
    seed = int.from_bytes(hashlib.sha256(b"image-layout|" + original).digest()[:8], "big")
    rng = np.random.default_rng(seed)
    assign = rng.permutation(nblocks) % nbits
    coarse = rng.choice([-1.0, 1.0], size=(nblocks, BLOCK // 2, BLOCK // 2))
    pattern = np.repeat(np.repeat(coarse, 2, axis=1), 2, axis=2)
    return assign, pattern, nbits, (gy, gx)


def _delta(lay: Layout, bits: tuple[int, ...], shape: tuple[int, ...]) -> Array:
    assign, pattern, _, (gy, gx) = lay
    signs = np.array([1.0 if b else -1.0 for b in bits])[assign]
    blocks = pattern * signs[:, None, None] * AMPLITUDE
    grid = blocks.reshape(gy, gx, BLOCK, BLOCK).transpose(0, 2, 1, 3)
    tiled = grid.reshape(gy * BLOCK, gx * BLOCK)
    out = np.zeros(shape[:2])
    out[: gy * BLOCK, : gx * BLOCK] = tiled
    return out


def _stamp(img: Array, mark: MarkSpec) -> Array:
    from PIL import Image, ImageDraw, ImageFont

    pil = Image.fromarray(img.clip(0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(pil)
    h = pil.size[1]
    draw.rectangle((0, h - STAMP_BAND, pil.size[0], h), fill=(255, 255, 255))
    font = ImageFont.load_default(size=11)
    line1, line2 = footer_lines(mark)
    if mark.order_legend:  # the band holds two lines: the order's legend joins the first
        line1 = f"Copy for {mark.recipient_name} ({mark.party_name}) - {mark.order_legend}"
    draw.text((4, h - STAMP_BAND + 1), line1, fill=(40, 40, 40), font=font)
    draw.text((4, h - STAMP_BAND + 14), line2, fill=(0, 0, 0), font=font)
    stamp = bates_of(mark, 0)
    if stamp:  # right-aligned on the tag's line, inside the band the footer already owns
        width = draw.textlength(stamp, font=font)
        draw.text((max(4.0, pil.size[0] - 4 - width), h - STAMP_BAND + 14), stamp,
                  fill=(0, 0, 0), font=font)
    return np.asarray(pil, dtype=np.float64)


def embed_image(prep: Prepared, media_type: str, mark: MarkSpec) -> bytes:
    from PIL import Image

    img = _load(prep.original)
    if "image" in mark.channels and img.shape[0] > STAMP_BAND + BLOCK:
        lay = _layout(prep)
        bits = code_bits(mark.download_code, IMAGE_LABEL, lay[2])
        img = img + _delta(lay, bits, img.shape)[:, :, None]
    img = _stamp(img, mark)
    pil = Image.fromarray(img.clip(0, 255).round().astype(np.uint8))
    buf = io.BytesIO()
    if media_type == "image/jpeg":
        pil.save(buf, format="JPEG", quality=92)
    else:
        pil.save(buf, format="PNG")
    return buf.getvalue()


def decode_image(evidence: bytes, prep: Prepared) -> list[int | None]:
    from PIL import Image

    orig = _load(prep.original).mean(axis=2)
    try:
        ev_file = Image.open(io.BytesIO(evidence))
    except (OSError, Image.DecompressionBombError):  # not an image we can read: no marks
        raise Unreadable() from None
    with ev_file as im:
        ev_img = im.convert("L")
        if ev_img.size != (orig.shape[1], orig.shape[0]):
            ev_img = ev_img.resize((orig.shape[1], orig.shape[0]), Image.Resampling.BICUBIC)
        ev = np.asarray(ev_img, dtype=np.float64)
    assign, pattern, nbits, (gy, gx) = _layout(prep)
    resid = (ev - orig)[: gy * BLOCK, : gx * BLOCK]
    blocks = resid.reshape(gy, BLOCK, gx, BLOCK).transpose(0, 2, 1, 3).reshape(-1, BLOCK, BLOCK)
    corr = (blocks * pattern).sum(axis=(1, 2)) / pattern[0].size
    sums = np.bincount(assign, weights=corr, minlength=nbits)
    counts = np.bincount(assign, minlength=nbits)
    mean = sums / np.maximum(counts, 1)
    return [1 if m > AMPLITUDE / 3 else 0 if m < -AMPLITUDE / 3 else None for m in mean]


def read_image_evidence(evidence: Evidence, prep: Prepared,
                        ocr: Callable[[bytes], str] | None) -> Reading:
    r = Reading()
    if isinstance(evidence, str):
        r.tag_texts.append(evidence)
        return r
    pages = evidence if isinstance(evidence, list) else [evidence]
    for page in pages[:1]:
        guarded(r, "image", partial(_image_layer, page, prep))
    if ocr is not None:
        read = ocr
        guarded(r, "ocr", lambda: Reading(tag_texts=[read(p) for p in pages]))
    return r


def _image_layer(page: bytes, prep: Prepared) -> Reading:
    r = Reading()
    values = decode_image(page, prep)
    r.bits["image"] = BitReading(IMAGE_LABEL, values)
    if sum(v is not None for v in values) >= 0.5 * len(values) and len(values) >= 16:
        r.found.add("image")
    return r
