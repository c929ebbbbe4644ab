"""Test documents: real court orders (shared/context) as text and rendered to PDF."""

from __future__ import annotations

import io
import struct
import zlib
from functools import cache
from pathlib import Path

CONTEXT = Path("/work/shared/context")
MARKER = "ZQXJ-MARKER-7731"


@cache
def order_text(name: str = "order-settlement-letter-disclosure.txt") -> str:
    path = CONTEXT / name
    if path.exists():
        raw = path.read_text("utf-8")
        # Drop the pleading-paper line numbers: they are not prose.
        lines = [ln for ln in raw.splitlines() if not ln.strip().isdigit()]
        return "\n".join(lines).strip() + "\n"
    return ("The Court has considered the parties' settlement correspondence and finds that "
            "the disclosure of the offer letter did not violate the protective order. ") * 30


def text_doc(marker: str = MARKER) -> bytes:
    return (order_text() + f"\nReference {marker}.\n").encode()


@cache
def pdf_doc(text: str | None = None) -> bytes:
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    body = text or order_text("order-protective-order-violation.txt")
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=LETTER, invariant=1)
    style = ParagraphStyle("b", fontName="Times-Roman", fontSize=11, leading=14)
    paras = [p.replace("&", "&amp;").replace("<", "&lt;") for p in body.split("\n\n")]
    doc.build([Paragraph(p, style) for p in paras if p.strip()][:40])
    return buf.getvalue()


def png_doc(width: int = 320, height: int = 200) -> bytes:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(7)
    base = (np.linspace(30, 220, width)[None, :, None] * np.ones((height, 1, 3))
            + rng.normal(0, 8, (height, width, 3)))
    buf = io.BytesIO()
    Image.fromarray(base.clip(0, 255).astype(np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def png_flood(width: int = 100_000, height: int = 100_000) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b""))


def encrypted_pdf(user_password: str = "secret") -> bytes:
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf_doc())) as pdf:
        out = io.BytesIO()
        pdf.save(out, encryption=pikepdf.Encryption(owner="owner", user=user_password))
        return out.getvalue()


def bomb_pdf() -> bytes:
    """A one-page PDF with a FlateDecode stream of 400 MiB of zeros (~400 KiB stored)."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    comp = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    data = b"".join(comp.compress(chunk) for _ in range(400)) + comp.flush()
    stream = pikepdf.Stream(pdf, data)
    stream.Filter = pikepdf.Name.FlateDecode
    pdf.Root.Payload = pdf.make_indirect(stream)
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


def deep_pdf(depth: int = 300) -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    nested = pikepdf.Array([])
    for _ in range(depth):
        nested = pikepdf.Array([nested])
    pdf.Root.Deep = nested
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def blob_files(api, room_id: str) -> list[Path]:  # noqa: ANN001
    folder = api.app.state.settings.data_dir / "blobs" / room_id
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _jpeg_page_pdf(jpeg: bytes, width: int, height: int) -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(612, 792))
    image = pdf.make_stream(jpeg, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                            Width=width, Height=height, ColorSpace=pikepdf.Name.DeviceGray,
                            BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.Contents = pdf.make_stream(b"q 612 0 0 792 0 0 cm /Im0 Do Q")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def jpeg_bomb_pdf() -> bytes:
    """A scanned page whose JPEG header claims 60,000 x 60,000 pixels (a few bytes stored)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (64, 64), 255).save(buf, format="JPEG")
    data = bytearray(buf.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 60000, 60000)
    return _jpeg_page_pdf(bytes(data), 64, 64)


def broken_jpeg_pdf() -> bytes:
    """A scanned page whose DCT stream is not a JPEG at all."""
    return _jpeg_page_pdf(b"\x00not a jpeg\x00" * 64, 64, 64)


def large_pdf(path: Path, target_bytes: int) -> int:
    """A valid PDF of at least ``target_bytes`` written to ``path``; returns its page count.

    Every page has two lines of text (so the text, geometry and footer layers have something
    to mark) and its own copy of one incompressible JPEG (noise), drawn small: not a scanned
    page, so no page image is re-encoded per download. Quick to build: one JPEG, copied."""
    import numpy as np
    import pikepdf
    from PIL import Image

    side = 1400
    noise = np.random.default_rng(5).integers(0, 256, (side, side, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(noise).save(buf, format="JPEG", quality=95)
    jpeg = buf.getvalue()
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica,
        Encoding=pikepdf.Name.WinAnsiEncoding))
    pages = -(-target_bytes // len(jpeg))
    for number in range(1, pages + 1):
        page = pdf.add_blank_page(page_size=(612, 792))
        image = pdf.make_stream(jpeg, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                                Width=side, Height=side, ColorSpace=pikepdf.Name.DeviceRGB,
                                BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image),
                                            Font=pikepdf.Dictionary(F1=font))
        page.Contents = pdf.make_stream(
            b"BT /F1 11 Tf 72 720 Td 14 TL (Exhibit page %d: the parties agree that the "
            b"settlement terms remain confidential.) Tj T* (The receiving party shall not "
            b"disclose these documents to anyone outside the case.) Tj ET\n"
            b"q 200 0 0 200 72 300 cm /Im0 Do Q\n" % number)
    pdf.save(path)
    return pages
