"""The documents litigators actually produce, through upload, download and trace: a PDF
printed by Chromium (CID fonts, Identity-H), a TrueType PDF, a scanned (image-only) PDF and
one in vertical writing (a CID font with Identity-V).

Each copy is traced from what survives a leak without the visible footer: the extracted text
(and an excerpt of it), page images with the footer painted over, and for scans the PDF with
its footer and metadata stripped; the unmarked original accuses no one."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

from tests.api.documents.tracing.test_traces import _copies, trace_files, trace_text
from tests.producers import (
    chromium_pdf,
    rasterize,
    scan_pdf,
    stripped,
    ttf_pdf,
    vertical_pdf,
)
from tests.tools import require

pytestmark = [pytest.mark.once]

FOOTER_BAND = 140  # rows at 150 dpi: the visible footer


def _without_footer(pages: list[bytes], jpeg: bool = False) -> list[bytes]:
    out = []
    for png in pages:
        g = np.asarray(Image.open(io.BytesIO(png)).convert("L")).copy()
        g[-FOOTER_BAND:] = 255
        buf = io.BytesIO()
        Image.fromarray(g).save(buf, format="JPEG" if jpeg else "PNG", quality=75)
        out.append(buf.getvalue())
    return out


def _pdftotext(pdf: bytes) -> str:
    exe = require("pdftotext")
    with tempfile.TemporaryDirectory() as td:
        p = Path(td) / "a.pdf"
        p.write_bytes(pdf)
        return subprocess.run([exe, "-enc", "UTF-8", str(p), "-"], check=True,
                              capture_output=True).stdout.decode()


def _ids(result: dict) -> list[str]:
    return [m["download_id"] for m in result["matches"]]


@pytest.mark.parametrize("make", [chromium_pdf, ttf_pdf], ids=["chromium", "ttf"])
def test_text_pdf_traced_from_text_excerpt_and_footerless_pages(api, make):
    room = api.room()
    doc = api.document(room, make(), filename="letter.pdf")
    copies = _copies(api, room, doc["id"])
    tracer = room.users["auditor"]
    for who in ("defense_counsel", "pro_se"):
        download_id, content = copies[who]
        assert _ids(trace_files(api, tracer, [("leak.pdf", content)])) == [download_id]
        body = _pdftotext(content).split("Copy for")[0]
        got = trace_text(api, tracer, body)
        assert _ids(got) == [download_id] and "text" in got["matches"][0]["layers"]
        words = body.split()
        excerpt = " ".join(words[len(words) // 3 : len(words) // 3 + len(words) // 5])
        assert _ids(trace_text(api, tracer, excerpt)) == [download_id]
        pages = _without_footer(rasterize(content))
        got = trace_files(api, tracer, [(f"p{i}.png", p) for i, p in enumerate(pages)])
        assert _ids(got) == [download_id] and "geometry" in got["matches"][0]["layers"]
    unmarked = trace_text(api, tracer, " ".join(_pdftotext(make()).split()))
    assert unmarked["matches"] == []


def test_scanned_pdf_accepted_marked_and_traced_from_pages_and_file(api):
    room = api.room()
    original = scan_pdf()
    r = api.upload(room, original, filename="exhibit-scan.pdf")
    assert r.status_code == 201, r.text
    assert r.json()["media_type"] == "application/pdf"
    copies = _copies(api, room, r.json()["id"])
    tracer = room.users["auditor"]
    for who in ("defense_client", "pro_se"):
        download_id, content = copies[who]
        assert len(content) < 1.5 * len(original)
        with pikepdf.open(io.BytesIO(content)) as pdf:  # the visible footer is on every page
            assert all(bytes(p.obj.Contents[1].read_bytes()).startswith(b"% settleroom footer")
                       for p in pdf.pages)
        got = trace_files(api, tracer, [("leak.pdf", stripped(content))])
        assert _ids(got) == [download_id] and "image" in got["matches"][0]["layers"]
        pages = _without_footer(rasterize(content), jpeg=True)
        got = trace_files(api, tracer, [(f"p{i}.jpg", p) for i, p in enumerate(pages)])
        assert _ids(got) == [download_id] and "image" in got["matches"][0]["layers"]
    assert trace_files(api, tracer, [("scan.pdf", original)])["matches"] == []
    pages = rasterize(original)
    assert trace_files(api, tracer, [(f"p{i}.png", p) for i, p in enumerate(pages)]
                       )["matches"] == []


def _screen_grab(pdf: bytes) -> bytes:
    """The first page at 96 dpi, its top 60 % only (the footer cut off), as a PNG."""
    page = Image.open(io.BytesIO(rasterize(pdf, dpi=96)[0])).convert("RGB")
    buf = io.BytesIO()
    page.crop((0, 0, page.width, int(page.height * 0.6))).save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize(("make", "layer"), [(chromium_pdf, "geometry"), (scan_pdf, "image")],
                         ids=["chromium", "scan"])
def test_screen_grab_of_the_top_of_a_page_traced_to_its_recipient(api, make, layer):
    room = api.room()
    doc = api.document(room, make(), filename="letter.pdf")
    copies = _copies(api, room, doc["id"])
    tracer = room.users["auditor"]
    for who in ("defense_counsel", "pro_se"):
        download_id, content = copies[who]
        got = trace_files(api, tracer, [("grab.png", _screen_grab(content))])
        assert _ids(got) == [download_id] and layer in got["matches"][0]["layers"]
    assert trace_files(api, tracer, [("grab.png", _screen_grab(make()))])["matches"] == []


def test_vertical_writing_pdf_traced_from_its_file_text_and_footerless_pages(api):
    """Columns of a Type0 font with Identity-V: the copy's own text layer (variants and the
    tokens beside each column), the text pdftotext extracts, and page images with the footer
    painted over (words moved down or up their column) each name the recipient alone."""
    room = api.room()
    doc = api.document(room, vertical_pdf(), filename="letter-vertical.pdf")
    copies = _copies(api, room, doc["id"])
    tracer = room.users["auditor"]
    for who in ("defense_counsel", "pro_se"):
        download_id, content = copies[who]
        got = trace_files(api, tracer, [("leak.pdf", stripped(content))])
        assert _ids(got) == [download_id] and "text" in got["matches"][0]["layers"]
        got = trace_text(api, tracer, _pdftotext(content).split("Copy for")[0])
        assert _ids(got) == [download_id]
        pages = _without_footer(rasterize(content))
        got = trace_files(api, tracer, [(f"p{i}.png", p) for i, p in enumerate(pages)])
        assert _ids(got) == [download_id] and "geometry" in got["matches"][0]["layers"]
    assert trace_files(api, tracer, [("letter.pdf", vertical_pdf())])["matches"] == []
    pages = _without_footer(rasterize(vertical_pdf()))
    assert trace_files(api, tracer, [(f"p{i}.png", p) for i, p in enumerate(pages)]
                       )["matches"] == []
