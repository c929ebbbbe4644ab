"""Large PDFs are downloaded through spool files (SETTLEROOM_PDF_SPOOL_ABOVE_BYTES, set to 0
here so a small PDF takes that path): the answer, the record and the audit event are those
of a copy made in memory, the copy traces to its recipient, and no spool file outlives the
request, whether the copy was sent or refused.

A spool file has no name; while open it shows in /proc/self/fd as a deleted file under the
data directory, which is what these tests look for."""

from __future__ import annotations

import importlib
import io
import os
import uuid
from pathlib import Path

import pikepdf
import pytest
from sqlalchemy import update

from app.db import transaction
from app.models.documents import Document
from tests.api.documents.helpers import pdf_doc
from tests.api.offers.conftest import events_named

# The module (the package exports its ``download`` function under the same name).
download_service = importlib.import_module("app.documents.service.download")
SAME_HEADERS = ("content-type", "content-disposition", "cache-control", "pragma",
                "x-content-type-options")


def open_spool_files(data_dir: Path) -> list[str]:
    """Files of this process under ``data_dir`` that are open and have no name."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(data_dir.resolve())) and target.endswith("(deleted)"):
            found.append(target)
    return found


@pytest.fixture
def spooled(app, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setattr(app.state.services.settings, "pdf_spool_above_bytes", 0)
    return app.state.settings.data_dir


def _download(api, room, doc_id: str, who: str):  # noqa: ANN001, ANN202
    return api.download(room, doc_id, who)


def test_a_spooled_copy_is_answered_recorded_and_traced_like_one_made_in_memory(
        api, app, monkeypatch):  # noqa: ANN001
    room = api.room()
    doc = api.document(room, pdf_doc(), filename="order.pdf")
    in_memory = _download(api, room, doc["id"], "defense_counsel")
    monkeypatch.setattr(app.state.services.settings, "pdf_spool_above_bytes", 0)
    made = []
    real = download_service._spooled_copy
    monkeypatch.setattr(download_service, "_spooled_copy",
                        lambda *a: made.append(1) or real(*a))
    copy = _download(api, room, doc["id"], "pro_se")
    assert made == [1]  # this copy went through the spool files
    assert in_memory.status_code == copy.status_code == 200, copy.text
    for name in SAME_HEADERS:
        assert copy.headers[name] == in_memory.headers[name], name
    assert int(copy.headers["content-length"]) == len(copy.content)
    assert copy.headers["x-download-id"] != in_memory.headers["x-download-id"]
    with pikepdf.open(io.BytesIO(copy.content)) as pdf:
        assert len(pdf.pages) == len(pikepdf.open(io.BytesIO(pdf_doc())).pages)
    assert open_spool_files(app.state.settings.data_dir) == []

    traced = api.client.post("/api/v1/traces", headers=room.users["auditor"].headers,
                             files=[("file", ("leak.pdf", copy.content, "application/pdf"))])
    assert traced.status_code == 200, traced.text
    assert [m["download_id"] for m in traced.json()["matches"]] == [
        copy.headers["x-download-id"]]
    records = api.client.get(f"/api/v1/cases/{room.id}/documents/{doc['id']}/downloads",
                             headers=room.users["auditor"].headers).json()
    by_id = {r["id"]: r for r in records}
    spooled_record = by_id[copy.headers["x-download-id"]]
    memory_record = by_id[in_memory.headers["x-download-id"]]
    assert spooled_record["user_id"] == room.users["pro_se"].id
    for key in ("version", "version_id", "channels"):
        assert spooled_record[key] == memory_record[key], key
    events = {str(e.object_id): e.details for e in events_named(app, "document.download")}
    spooled_event = events[copy.headers["x-download-id"]]
    memory_event = events[in_memory.headers["x-download-id"]]
    assert set(spooled_event) == set(memory_event)
    for key in ("document_id", "version", "media_type", "layers", "content_mac",
                "designation"):
        assert spooled_event[key] == memory_event[key], key


def test_a_document_hidden_while_its_copy_is_made_is_not_served(api, app, spooled,
                                                                 monkeypatch):  # noqa: ANN001
    """The copy is made between two transactions; the second one reads the document again
    and refuses as for any caller who may not see it. The copy is discarded unsent."""
    room = api.room()
    doc = api.document(room, pdf_doc(), filename="order.pdf")
    real = download_service._spooled_copy
    seen: list[int] = []

    def hide_meanwhile(*args):  # noqa: ANN002, ANN202
        body = real(*args)
        seen.append(len(open_spool_files(spooled)))  # the decrypted original and the copy
        with transaction(app.state.sessionmaker) as session:  # another request's commit
            session.execute(update(Document).where(Document.id == uuid.UUID(doc["id"]))
                            .values(audience_all=False,
                                    audience_party_ids=[room.parties["plaintiff"]]))
        return body

    monkeypatch.setattr(download_service, "_spooled_copy", hide_meanwhile)
    r = _download(api, room, doc["id"], "defense_counsel")
    assert r.status_code == 404, r.text
    assert r.json()["code"] == "document_not_found"
    assert seen == [2] and open_spool_files(spooled) == []
    records = api.client.get(f"/api/v1/cases/{room.id}/documents/{doc['id']}/downloads",
                             headers=room.users["auditor"].headers).json()
    assert records == []
    assert [e.details.get("document_id") or str(e.object_id)
            for e in events_named(app, "document.download", "denied")] == [doc["id"]]


def test_a_copy_that_cannot_be_marked_is_refused_and_its_files_freed(api, app, spooled,
                                                                     monkeypatch):  # noqa: ANN001
    room = api.room()
    doc = api.document(room, pdf_doc(), filename="order.pdf")

    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError("a message that could quote the document")

    monkeypatch.setattr(download_service, "embed_into", broken)
    r = _download(api, room, doc["id"], "defense_counsel")
    assert r.status_code == 500 and r.json()["code"] == "watermark_failed", r.text
    assert "quote" not in r.text
    assert open_spool_files(spooled) == []
    assert api.client.get(f"/api/v1/cases/{room.id}/documents/{doc['id']}/downloads",
                          headers=room.users["auditor"].headers).json() == []


def test_a_production_counts_pages_from_a_spool_file(api, app, spooled):  # noqa: ANN001
    room = api.room()
    doc = api.document(room, pdf_doc(), filename="order.pdf")
    r = api.client.post(f"/api/v1/cases/{room.id}/productions",
                        headers=room.users["plaintiff_counsel"].headers,
                        json={"prefix": "DOE", "document_ids": [doc["id"]],
                              "party_id": room.parties["plaintiff"]})
    assert r.status_code == 201, r.text
    with pikepdf.open(io.BytesIO(pdf_doc())) as pdf:
        assert r.json()["page_count"] == len(pdf.pages)
    assert open_spool_files(spooled) == []
