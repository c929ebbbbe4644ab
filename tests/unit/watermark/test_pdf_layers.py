"""PDF layers alone and combined: validity, extraction, rendering, geometry, images, canaries."""

import io
import os
import shutil
import subprocess
import tempfile
import unicodedata
from functools import cache
from pathlib import Path

import numpy as np
import pikepdf
import pytest

from app.documents.tracing.ocr import OCR_ENV_OVERRIDES
from app.watermark import (
    LEGENDS,
    Canary,
    Candidate,
    MarkSpec,
    authentication_tag,
    detect,
    embed,
)
from tests import producers
from tests.unit.watermark.test_fingerprint_and_text import LETTER, common_parts

KEY = b"t" * 32
PDF = "application/pdf"
HAVE_POPPLER = shutil.which("pdftotext") is not None and shutil.which("pdftoppm") is not None


def make_pdf(text: str = LETTER) -> bytes:
    from reportlab.lib.pagesizes import LETTER as PAGE
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=PAGE, invariant=1)
    style = ParagraphStyle("b", fontName="Times-Roman", fontSize=11, leading=14, alignment=4)
    doc.build([Paragraph(p, style) for p in text.split("\n\n") if p.strip()])
    return buf.getvalue()


ORIGINAL = make_pdf()


def cands(n: int = 6) -> list[Candidate]:
    codes = [bytes([0x40 + i]) * 32 for i in range(n)]
    return [Candidate(f"d{i}", c, authentication_tag(KEY, c)) for i, c in enumerate(codes)]


def spec(c: Candidate, channels: frozenset[str] | None = None, name: str = "Maya Patel"
         ) -> MarkSpec:
    kw = {} if channels is None else {"channels": channels}
    return MarkSpec(c.download_code, name, "Keystone Mutual", "AEO", LEGENDS[1], c.tag, **kw)


def pdftotext(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as td:
        p = Path(td) / "a.pdf"
        p.write_bytes(pdf)
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(p), "-"], check=True,
                              capture_output=True).stdout.decode()


def rasterize(pdf: bytes) -> list[bytes]:
    return producers.rasterize(pdf, 150)


def layers(det, cid):
    r = next(r for r in det.results if r.candidate_id == cid)
    return {s.layer: (s.agree, s.compared) for s in r.layers}


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf not installed")
def test_marked_pdf_is_valid():
    out = embed(ORIGINAL, PDF, spec(cands()[0]))
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(out)
        f.flush()
        res = subprocess.run(["qpdf", "--check", f.name], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout


def test_three_recipients_identified_from_the_pdf():
    cs = cands(3)
    for c in cs:
        det = detect(embed(ORIGINAL, PDF, spec(c)), ORIGINAL, PDF, cs)
        assert det.identified == (c.id,)


def test_metadata_layer_alone():
    c = cands()[1]
    out = embed(ORIGINAL, PDF, spec(c, frozenset({"metadata"})))
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert str(pdf.docinfo["/SettleroomTag"]) == c.tag
    det = detect(out, ORIGINAL, PDF, cands())
    assert det.identified == (c.id,) and layers(det, c.id)["metadata"] == (1, 1)


@pytest.mark.skipif(not HAVE_POPPLER, reason="poppler-utils not installed")
def test_text_layer_alone_survives_extraction_and_rendering_is_unchanged():
    cs = cands()
    out = embed(ORIGINAL, PDF, spec(cs[2], frozenset({"text"})))
    for extract in (pdftotext, lambda b: __import__("pdfminer.high_level").high_level
                    .extract_text(io.BytesIO(b))):
        text = extract(out)
        assert "settlement" in unicodedata.normalize("NFKC", text).replace("\u0435", "e")
        body = text.split("Download tag")[0]
        det = detect(body, ORIGINAL, PDF, cs)
        assert det.identified == (cs[2].id,)
        assert layers(det, cs[2].id)["text"][0] >= 100
    # what is drawn above the footer band is pixel-identical
    a = np.asarray(__import__("PIL.Image").Image.open(io.BytesIO(rasterize(ORIGINAL)[0])))
    b = np.asarray(__import__("PIL.Image").Image.open(io.BytesIO(rasterize(out)[0])))
    assert a.shape == b.shape and np.array_equal(a[:1450], b[:1450])


@pytest.mark.skipif(not HAVE_POPPLER, reason="poppler-utils not installed")
def test_geometry_layer_alone_from_page_images_and_average_collusion():
    cs = cands()
    pages = [rasterize(embed(ORIGINAL, PDF, spec(c, frozenset({"geometry"})))) for c in cs[:2]]
    det = detect(pages[0], ORIGINAL, PDF, cs)
    assert det.identified == (cs[0].id,)
    agree, compared = layers(det, cs[0].id)["geometry"]
    assert compared > 100 and agree >= compared - 2
    from PIL import Image

    avg = []
    for a, b in zip(pages[0], pages[1], strict=True):
        xa = np.asarray(Image.open(io.BytesIO(a)).convert("L"), dtype=float)
        xb = np.asarray(Image.open(io.BytesIO(b)).convert("L"), dtype=float)
        buf = io.BytesIO()
        Image.fromarray(((xa + xb) / 2).round().astype(np.uint8)).save(buf, format="PNG")
        avg.append(buf.getvalue())
    det = detect(avg, ORIGINAL, PDF, cs)
    assert set(det.identified) <= {cs[0].id, cs[1].id}


@pytest.mark.skipif(not HAVE_POPPLER, reason="poppler-utils not installed")
def test_unmarked_pdf_text_and_pages_accuse_no_one():
    cs = cands()
    for ev in (ORIGINAL, pdftotext(ORIGINAL), rasterize(ORIGINAL)):
        det = detect(ev, ORIGINAL, PDF, cs)
        assert det.verdict in ("no_watermark", "inconclusive") and det.errors == ()
    other = make_pdf("A different memo about parking permits and the office rota. " * 30)
    det = detect(other, ORIGINAL, PDF, cs)
    assert det.verdict != "identified" and det.errors == ()


@pytest.mark.skipif(not HAVE_POPPLER, reason="poppler-utils not installed")
def test_pdf_text_collusion_never_names_an_innocent():
    cs = cands(6)
    for i in (0, 2, 4):
        a = pdftotext(embed(ORIGINAL, PDF, spec(cs[i])))
        b = pdftotext(embed(ORIGINAL, PDF, spec(cs[i + 1])))
        det = detect(common_parts(a, b), ORIGINAL, PDF, cs)
        assert det.verdict == "identified"
        assert set(det.identified) <= {cs[i].id, cs[i + 1].id}


def test_footer_edited_to_a_colleague_accuses_only_the_tag_owner():
    cs = cands(3)
    out = embed(ORIGINAL, PDF, spec(cs[0], frozenset()))
    with pikepdf.open(io.BytesIO(out)) as pdf:
        for page in pdf.pages:
            last = page.obj.Contents[len(page.obj.Contents) - 1]
            last.write(last.read_bytes().replace(b"Maya Patel", b"Liam Gallagher"))
        buf = io.BytesIO()
        pdf.save(buf)
    det = detect(buf.getvalue(), ORIGINAL, PDF, cs)
    assert det.identified == (cs[0].id,)


def test_image_layer_and_stamp():
    from PIL import Image

    rng = np.random.default_rng(3)
    base = (np.linspace(30, 220, 300)[None, :, None] * np.ones((200, 1, 3))
            + rng.normal(0, 8, (200, 300, 3)))
    buf = io.BytesIO()
    Image.fromarray(base.clip(0, 255).astype(np.uint8)).save(buf, format="PNG")
    orig = buf.getvalue()
    cs = cands()
    out = embed(orig, "image/png", spec(cs[4]))
    jpeg = io.BytesIO()
    Image.open(io.BytesIO(out)).convert("RGB").save(jpeg, format="JPEG", quality=75)
    det = detect(jpeg.getvalue(), orig, "image/png", cs)
    assert det.identified == (cs[4].id,)
    assert detect(orig, orig, "image/png", cs).verdict == "no_watermark"


def test_canaries_survive_retyping():
    canaries = tuple(
        Canary(p, alts) for p, alts in [
            ("As discussed during our call", ("As we discussed on our call",
                                              "Following our call")),
            ("to convey a settlement proposal", ("to present a settlement proposal",)),
            ("would bear its own", ("would be responsible for its own",)),
            ("reflects a realistic assessment", ("reflects a sober assessment",
                                                 "is a realistic assessment")),
            ("would avoid the substantial expense", ("would spare both sides the expense",)),
            ("scheduled to begin soon", ("set to begin soon",)),
        ]
    )
    cs = cands(2)
    text = LETTER[: len(LETTER) // 2].encode()
    copies = {}
    for c in cs:
        m = spec(c, frozenset({"canary"}))
        m = MarkSpec(m.download_code, m.recipient_name, m.party_name, m.designation, m.legend,
                     m.tag, m.channels, canaries)
        copies[c.id] = embed(text, "text/plain", m).decode().split("\n--\n")[0]
    assert copies["d0"] != copies["d1"]
    for cid, body in copies.items():
        retyped = " ".join(body.split())
        det = detect(retyped, text, "text/plain", cs, canaries=canaries)
        score = layers(det, cid)["canary"]
        assert score[0] == score[1] == 6
        other = [c.id for c in cs if c.id != cid][0]
        assert layers(det, other)["canary"][0] < 6 or det.verdict != "identified"


@cache
def tesseract(image: bytes) -> str:
    """Read as the server reads (one thread); a page read twice in a test is read once."""
    with tempfile.TemporaryDirectory() as td:
        p = Path(td) / "p.png"
        p.write_bytes(image)
        return subprocess.run(["tesseract", str(p), "stdout", "-l", "eng"], check=True,
                              env=os.environ | OCR_ENV_OVERRIDES,
                              capture_output=True).stdout.decode()


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_POPPLER or shutil.which("tesseract") is None,
                    reason="poppler-utils / tesseract not installed")
def test_footer_tag_alone_read_by_ocr_at_150_dpi():
    cs = cands()
    out = embed(ORIGINAL, PDF, spec(cs[5], frozenset()))
    pages = rasterize(out)
    det = detect(pages, ORIGINAL, PDF, cs, ocr=tesseract)
    assert det.identified == (cs[5].id,)
    assert layers(det, cs[5].id)["footer"] == (1, 1)
    text = "\n".join(tesseract(p) for p in pages)
    assert detect(text, ORIGINAL, PDF, cs).identified == (cs[5].id,)
