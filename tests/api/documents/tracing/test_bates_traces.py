"""Leak tracing of produced copies: the Bates number stamped on each page sits in the same
footer stream as the download tag, and must not hide the tag or add an accusation. Each
layer is read (no detector error), the right recipient and only them is named."""

from __future__ import annotations

import pytest

from tests.api.documents.helpers import pdf_doc, png_doc, text_doc
from tests.api.documents.tracing.test_traces import (
    HAVE_OCR,
    _copies,
    _rasterize,
    trace_files,
    trace_text,
)


def _produce(api, room, doc_id: str, prefix: str = "DOE") -> dict:  # noqa: ANN001
    r = api.client.post(f"/api/v1/cases/{room.id}/productions",
                        headers=room.users["plaintiff_counsel"].headers,
                        json={"document_ids": [doc_id], "prefix": prefix})
    assert r.status_code == 201, r.text
    return r.json()


def test_produced_pdf_copies_traced_from_the_file(api):
    room = api.room()
    doc = api.document(room, pdf_doc(), filename="order.pdf")
    _produce(api, room, doc["id"], "BOSSIS")  # letters that OCR folds into digits
    copies = _copies(api, room, doc["id"])
    for who in ("defense_counsel", "pro_se"):
        download_id, content = copies[who]
        got = trace_files(api, room.users["auditor"], [("leak.pdf", content)])
        assert [m["download_id"] for m in got["matches"]] == [download_id]


def test_produced_text_and_image_copies_traced(api):
    room = api.room()
    text = api.document(room, text_doc())
    image = api.document(room, png_doc(), filename="photo.png")
    _produce(api, room, text["id"])
    _produce(api, room, image["id"])
    download_id, content = _copies(api, room, text["id"])["defense_client"]
    assert b"DOE000001" in content
    got = trace_text(api, room.users["auditor"], content.decode())
    assert [m["download_id"] for m in got["matches"]] == [download_id]
    download_id, content = _copies(api, room, image["id"])["pro_se"]
    got = trace_files(api, room.users["auditor"], [("leak.png", content)])
    assert [m["download_id"] for m in got["matches"]] == [download_id]


# OCR of the page images: once, in the SQLite pass. The copies, their downloads and the
# trace's lookups are the same as ``test_produced_pdf_copies_traced_from_the_file``'s,
# which runs on both.
@pytest.mark.once
@pytest.mark.skipif(not HAVE_OCR, reason="tesseract / poppler-utils not installed")
def test_page_images_of_a_produced_pdf_copy_traced_with_ocr(api):
    room = api.room()
    doc = api.document(room, pdf_doc(), filename="order.pdf")
    _produce(api, room, doc["id"])
    download_id, content = _copies(api, room, doc["id"])["defense_client"]
    pages = _rasterize(content)
    got = trace_files(api, room.users["auditor"],
                      [(f"p{i}.png", p) for i, p in enumerate(pages)])
    assert [m["download_id"] for m in got["matches"]] == [download_id]
