"""The spliced per-download writer: valid files, the same document as the pikepdf path,
per-download differences only where marks live, extraction, and unusual originals."""

import io
import shutil
import subprocess
import tempfile

import numpy as np
import pikepdf
import pytest

from app.watermark import (
    CHANNELS,
    LEGENDS,
    Candidate,
    MarkSpec,
    authentication_tag,
    detect,
    embed,
    pdfwriter,
    prepare,
)
from app.watermark.pdf import download_choice, embed_pdf_pikepdf, pdf_template
from app.watermark.pdffill import build_fill, fill_bodies
from app.watermark.pdftemplate import analyse, choices, fill
from crypto.fingerprint import code_bit_bytes, code_bits
from tests.unit.watermark.test_fingerprint_and_text import LETTER
from tests.unit.watermark.test_pdf_layers import HAVE_POPPLER, ORIGINAL, make_pdf, pdftotext

PDF = "application/pdf"
KEY = b"w" * 32
LONG = make_pdf("\n\n".join([LETTER] * 4))


def spec(code: bytes, channels: frozenset[str] = CHANNELS) -> MarkSpec:
    return MarkSpec(code, "Dana Whitfield", "Keystone Mutual", "AEO", LEGENDS[0],
                    authentication_tag(KEY, code), channels)


def qpdf_ok(data: bytes) -> bool:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        res = subprocess.run(["qpdf", "--check", f.name], capture_output=True, text=True)
    return res.returncode == 0 and "No syntax or stream encoding errors" in res.stdout


def decoded(data: bytes) -> tuple:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pages = [([s.read_bytes() for s in p.obj.Contents],
                  sorted(str(k) for k in p.obj.Resources.Font.keys())) for p in pdf.pages]
        info = {str(k): str(v) for k, v in pdf.docinfo.items()}
        meta = pdf.Root.Metadata.read_bytes() if "/Metadata" in pdf.Root else None
    return pages, info, meta


CHANNEL_SETS = [CHANNELS, frozenset({"text"}), frozenset({"geometry"}), frozenset({"metadata"}),
                frozenset()]


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf not installed")
@pytest.mark.parametrize("channels", CHANNEL_SETS, ids=lambda c: "+".join(sorted(c)) or "none")
def test_spliced_file_is_valid_and_equals_the_pikepdf_document(channels):
    for original in (ORIGINAL, LONG):
        prep = prepare(original, PDF)
        assert pdf_template(prep, "text" in channels, "metadata" in channels)
        m = spec(bytes([7]) * 32, channels)
        out = embed(prep, PDF, m)
        assert qpdf_ok(out)
        ref = embed_pdf_pikepdf(prep, m, download_choice(prep, m))
        assert decoded(out) == decoded(ref)


def test_downloads_differ_only_in_their_marks():
    a, b = (embed(LONG, PDF, spec(bytes([i]) * 32)) for i in (1, 2))
    (pa, ia, ma), (pb, ib, mb) = decoded(a), decoded(b)
    assert len(pa) == len(pb) > 1
    for (ca, fa), (cb, fb) in zip(pa, pb, strict=True):
        assert fa == fb and ca[0] != cb[0] and ca[1] != cb[1]  # bodies and footers differ
    assert ia["/SettleroomTag"] == spec(bytes([1]) * 32).tag != ib["/SettleroomTag"]
    assert ma is None and mb is None  # no packet of the copy's own: the original has none
    # fixed objects are the same bytes (packed once); the per-download ones sit at the same
    # numbers
    t = pdf_template(prepare(LONG, PDF), True, True)
    assert t.packed.streams and all(s in a and s in b for s in t.packed.streams)
    with pikepdf.open(io.BytesIO(a)) as x, pikepdf.open(io.BytesIO(b)) as y:
        assert [o.objgen for o in x.objects] == [o.objgen for o in y.objects]
        assert x.trailer.ID[1] != y.trailer.ID[1] and x.trailer.ID[0] == y.trailer.ID[0]


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf not installed")
def test_fixed_objects_in_several_object_streams(monkeypatch):
    monkeypatch.setattr(pdfwriter, "PER_STREAM", 3)
    prep = prepare(LONG, PDF)
    t = pdf_template(prep, True, True)
    assert len(t.packed.streams) > 2
    m = spec(bytes([9]) * 32)
    out = embed(prep, PDF, m)
    assert qpdf_ok(out)
    assert decoded(out) == decoded(embed_pdf_pikepdf(prep, m, download_choice(prep, m)))
    with pikepdf.open(io.BytesIO(out)) as pdf:  # every packed object is found where it is
        packed = {num for num in t.packed.where}
        assert packed <= {o.objgen[0] for o in pdf.objects}


def test_same_mark_gives_the_same_bytes():
    m = spec(bytes([3]) * 32)
    assert embed(LONG, PDF, m) == embed(LONG, PDF, m)


@pytest.mark.skipif(not HAVE_POPPLER, reason="poppler-utils not installed")
def test_spliced_file_extracts_and_attributes():
    from pdfminer.high_level import extract_text

    codes = [bytes([0x60 + i]) * 32 for i in range(4)]
    cs = [Candidate(f"c{i}", c, authentication_tag(KEY, c)) for i, c in enumerate(codes)]
    out = embed(LONG, PDF, spec(codes[2]))
    for text in (pdftotext(out), extract_text(io.BytesIO(out))):
        assert "Download tag" in text and "Dana Whitfield" in text
        det = detect(text.split("Download tag")[0], LONG, PDF, cs)
        assert det.identified == ("c2",)
    assert detect(out, LONG, PDF, cs).identified == ("c2",)


def _with_xmp_and_object_streams(original: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(original)) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = "Settlement letter"
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf not installed")
def test_original_with_xmp_and_object_streams():
    original = _with_xmp_and_object_streams(ORIGINAL)
    codes = [bytes([0x30 + i]) * 32 for i in range(3)]
    cs = [Candidate(f"x{i}", c, authentication_tag(KEY, c)) for i, c in enumerate(codes)]
    m = spec(codes[1])
    prep = prepare(original, PDF)
    out = embed(prep, PDF, m)
    assert qpdf_ok(out)
    assert decoded(out) == decoded(embed_pdf_pikepdf(prep, m, download_choice(prep, m)))
    with pikepdf.open(io.BytesIO(out)) as pdf:
        meta = pdf.open_metadata()
        assert meta["dc:title"] == "Settlement letter"
        assert m.tag in str(meta["dc:identifier"])
    det = detect(out, original, PDF, cs)
    assert det.identified == ("x1",) and "metadata" in det.found_layers


def test_code_bit_bytes_pack_code_bits():
    for n in (0, 1, 8, 13, 700, 4761):
        raw = np.frombuffer(code_bit_bytes(b"q" * 32, "lbl", n), dtype=np.uint8)
        assert tuple(np.unpackbits(raw)[:n].tolist()) == code_bits(b"q" * 32, "lbl", n)
    assert code_bits(b"q" * 32, "lbl", 9)[:5] == code_bits(b"q" * 32, "lbl", 5)


def test_channels_off_leave_no_marks():
    m = spec(bytes([9]) * 32, frozenset())
    pages, info, _ = decoded(embed(LONG, PDF, m))
    assert "/SettleroomTag" not in info
    assert all(not any(f.startswith("/SRm") for f in fonts) for _, fonts in pages)


@pytest.mark.parametrize("channels", CHANNEL_SETS, ids=lambda c: "+".join(sorted(c)) or "none")
def test_mask_fill_equals_the_reference_join(channels):
    an = analyse(LONG)
    df = build_fill(an.pages)
    n_text, n_geo = len(an.text_slots), len(an.geo_slots)
    for code in (bytes([4]) * 32, bytes([5]) * 32):
        choice = download_choice(prepare(LONG, PDF), spec(code, channels))
        c = choice.tolist()
        ref = choices(c[:n_text], c[n_text:n_text + n_geo], c[n_text + n_geo:-1], c[-1] == 1)
        assert ("text" in channels) == (c[-1] == 1)  # line tokens go with the text channel
        want = [b"q\n" + fill(pt, ref) + b"Q\n" for pt in an.pages]
        assert [bytes(b) for b in fill_bodies(df, choice)] == want
