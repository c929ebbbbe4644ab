"""Scanned pages under mark scheme 3: a JPEG page image assembled per download from restart
segments of two prepared markings (scan.py, scanjpeg.py).

What must hold: the assembled image is exactly the image that marking the pixels directly
gives (any sampling, any size); copies stay about the original's size; each copy is traced to
its recipient from its pages; a copy issued under scheme 2 (the block layout) is still traced,
and only under its own scheme; images that cannot be segmented keep the block layout."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pikepdf
import pytest
from PIL import Image

from app.watermark import detect, embed, prepare, scan
from app.watermark.model import SPARSE_SCHEME
from app.watermark.pdfcontent import open_original
from app.watermark.scan import assembled_images, layout, marked_images
from app.watermark.scanjpeg import frame
from tests.producers import rasterize, scan_pdf
from tests.unit.watermark.test_pdf_layers import PDF, cands, layers, spec


def _letter_pixels(width: int, height: int, rgb: bool) -> np.ndarray:
    """A page of paper with lines of 'text' (dark bars) and a grey stamp, as a scan shows."""
    rng = np.random.default_rng(width * 7 + height)
    page = np.full((height, width), 246, dtype=np.uint8)
    for top in range(height // 10, height * 9 // 10, max(12, height // 60)):
        for left in range(width // 10, width * 9 // 10, max(9, width // 70)):
            if rng.random() < 0.8:
                page[top : top + max(4, height // 200), left : left + max(5, width // 90)] = 30
    page[height // 20 : height // 8, width * 2 // 3 : width * 5 // 6] = 160
    page = (page.astype(np.int16) + rng.integers(-3, 4, page.shape)).clip(0, 255)
    page = page.astype(np.uint8)
    return np.stack([page, page, (page * 0.97).astype(np.uint8)], axis=2) if rgb else page


def jpeg_scan(width: int, height: int, dpi: float, subsampling: int | None,
              pages: int = 1, flate: bool = False) -> bytes:
    """An image-only PDF of `pages` letter pages, each one image of width x height pixels
    drawn over the whole page (JPEG at quality 85 with the given sampling, or Flate)."""
    pdf = pikepdf.new()
    for k in range(pages):
        pixels = _letter_pixels(width, height + k, subsampling is not None)
        img = Image.fromarray(pixels)
        w_pt, h_pt = width * 72 / dpi, (height + k) * 72 / dpi
        if flate:
            data, filt = pixels.tobytes(), None
        else:
            buf = io.BytesIO()
            kw = {} if subsampling is None else {"subsampling": subsampling}
            img.save(buf, format="JPEG", quality=85, **kw)
            data, filt = buf.getvalue(), pikepdf.Name.DCTDecode
        xobj = pikepdf.Stream(pdf, data) if filt else pdf.make_stream(data)
        xobj.Type, xobj.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        xobj.Width, xobj.Height, xobj.BitsPerComponent = width, height + k, 8
        xobj.ColorSpace = pikepdf.Name.DeviceRGB if pixels.ndim == 3 else pikepdf.Name.DeviceGray
        if filt:
            xobj.Filter = filt
        page = pdf.add_blank_page(page_size=(w_pt, h_pt))
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobj))
        page.Contents = pdf.make_stream(f"q {w_pt:.4f} 0 0 {h_pt:.4f} 0 0 cm /Im0 Do Q".encode())
    out = io.BytesIO()
    pdf.save(out, static_id=True)
    return out.getvalue()


SCANS = {  # (width, height, dpi, sampling, pages): the bench's 200 dpi colour, grey 300 dpi,
    # odd sizes (a second page one pixel taller than the first)
    "rgb420-200dpi": (1700, 2200, 200, 2, 2),
    "rgb422-odd": (1283, 1651, 150, 1, 2),
    "rgb444-odd": (1277, 1663, 150, 0, 2),
    "grey-300dpi": (2550, 3300, 300, None, 1),
    "grey-odd": (1283, 1657, 150, None, 2),
}


@pytest.mark.parametrize("name", sorted(SCANS))
def test_an_assembled_page_is_the_page_marked_from_its_pixels(name):
    width, height, dpi, sampling, pages = SCANS[name]
    original = jpeg_scan(width, height, dpi, sampling, pages=pages)
    prep = prepare(original, PDF)
    lay = layout(prep, segmented=True)
    assert lay.segmented and all(seg is not None for seg in lay.segments)
    for c in cands(2):
        fast = assembled_images(prep, c.download_code)
        with open_original(prep) as pdf:
            slow = marked_images(pdf, lay, c.download_code)
        assert fast.keys() == slow.keys() and len(fast) == pages
        for key, (parts, filt) in fast.items():
            assert isinstance(parts, list) and filt == "/DCTDecode"
            data = b"".join(parts)
            assert frame(data) == frame(slow[key][0])
            got = np.asarray(Image.open(io.BytesIO(data)))
            want = np.asarray(Image.open(io.BytesIO(slow[key][0])))
            assert got.shape == want.shape and np.array_equal(got, want)
            # and the mark is there: about half the blocks of each marked segment are darker
            with pikepdf.open(io.BytesIO(original)) as pdf:
                base = np.asarray(pikepdf.PdfImage(pdf.get_object(key)).as_pil_image())
            darker = base.astype(np.int16) - got.astype(np.int16)
            assert 2.0 < darker.mean() < 4.5


def test_an_image_the_encoder_does_not_cut_as_expected_is_marked_from_its_pixels(monkeypatch):
    original = jpeg_scan(1283, 1657, 150, None, pages=2)
    prep = prepare(original, PDF)
    lay = layout(prep, segmented=True)
    real = scan.encode_pair
    calls = []

    def first_fails(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("unexpected restart segments")
        return real(*args, **kwargs)

    monkeypatch.setattr(scan, "encode_pair", first_fails)
    code = cands(1)[0].download_code
    got = assembled_images(prep, code)
    assert len(calls) == 2 and len(got) == 2
    with open_original(prep) as pdf:
        want = marked_images(pdf, lay, code)
    kinds = sorted(type(data).__name__ for data, _ in got.values())
    assert kinds == ["bytes", "list"]  # one from its pixels, one assembled
    for key, (data, _) in got.items():
        data = b"".join(data) if isinstance(data, list) else data
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))),
                              np.asarray(Image.open(io.BytesIO(want[key][0]))))


def test_copies_of_a_scan_stay_its_size_and_differ_per_recipient():
    for original in (scan_pdf(), jpeg_scan(*SCANS["rgb420-200dpi"][:4], pages=2)):
        copies = [embed(original, PDF, spec(c)) for c in cands(3)]
        assert len(set(copies)) == 3
        assert max(len(c) for c in copies) <= 1.1 * len(original)


def _pages(pdf: bytes) -> list[bytes]:
    """The copy's pages at 150 dpi, the footer painted over, as JPEGs (a scan of a print)."""
    out = []
    for png in rasterize(pdf):
        g = np.asarray(Image.open(io.BytesIO(png)).convert("L")).copy()
        g[-140:] = 255
        buf = io.BytesIO()
        Image.fromarray(g).save(buf, format="JPEG", quality=75)
        out.append(buf.getvalue())
    return out


def _as(scheme: int, cs):  # noqa: ANN001, ANN202
    return [dataclasses.replace(c, scheme=scheme) for c in cs]


def test_each_scheme_is_traced_by_its_own_layout_only():
    original = scan_pdf()
    prep = prepare(original, PDF)
    cs = cands(4)
    new = embed(prep, PDF, spec(cs[0]))
    old = embed(prep, PDF, dataclasses.replace(spec(cs[1]), scheme=SPARSE_SCHEME))
    mixed = [cs[0], *_as(SPARSE_SCHEME, cs[1:2]), cs[2], *_as(SPARSE_SCHEME, cs[3:])]
    det = detect(_pages(new), prep, PDF, mixed)
    assert det.identified == ("d0",) and layers(det, "d0")["image"][0] > 0
    det = detect(_pages(old), prep, PDF, mixed)
    assert det.identified == ("d1",) and layers(det, "d1")["image"][0] > 0
    # the new copy scored as if it had scheme 2 names no one (the old copy scored as scheme 3:
    # tests/api/documents/tracing/test_mark_schemes.py; the unmarked original: test_producers)
    assert detect(_pages(new), prep, PDF, _as(SPARSE_SCHEME, cs)).identified == ()


@pytest.mark.parametrize(("dpi", "flate"), [(100, False), (150, True)],
                         ids=["jpeg-100dpi", "flate"])
def test_images_that_cannot_be_segmented_keep_the_block_layout(dpi, flate):
    original = jpeg_scan(850, 1100, dpi, None, flate=flate)
    prep = prepare(original, PDF)
    assert layout(prep, segmented=True) is layout(prep)
    cs = cands(3)
    copy = embed(prep, PDF, spec(cs[2]))  # scheme 3, read with candidates of both schemes
    assert detect(_pages(copy), prep, PDF, [*_as(SPARSE_SCHEME, cs[:2]), cs[2]]
                  ).identified == ("d2",)


def test_frame_describes_only_structures_the_encoder_reproduces():
    pixels = _letter_pixels(64, 48, True)
    for sampling, mcu in ((0, (8, 8)), (1, (8, 16)), (2, (16, 16))):
        buf = io.BytesIO()
        Image.fromarray(pixels).save(buf, format="JPEG", subsampling=sampling)
        fr = frame(buf.getvalue())
        assert fr is not None and (fr.width, fr.height, fr.mcu) == (64, 48, mcu)
        assert fr.subsampling == sampling
    buf = io.BytesIO()
    Image.fromarray(pixels).convert("CMYK").save(buf, format="JPEG")
    assert frame(buf.getvalue()) is None
    assert frame(b"\xff\xd8\xff\xe0\x00") is None and frame(b"not a jpeg") is None
