"""The object store unreachable: uploads refused with 503 ``blob_store_unavailable`` and
nothing written (no row, no spooled plaintext); downloads of stored documents fail the
same clean way, never with a 500; each failed call moves ``settleroom_blob_store_errors``
by its operation."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import delete, func, select

from app.config import Settings
from app.models.documents import Document, DocumentAnalysis, DocumentVersion
from tests.api.documents.helpers import text_doc
from tests.conftest import make_settings
from tests.s3server import S3Server
from tests.template import Template, copy_data_dir


@pytest.fixture
def settings(tmp_path: Path, database_url: str, _template: Template,
             outage_s3: S3Server) -> Settings:
    return make_settings(copy_data_dir(_template.data_dir, tmp_path / "data"), database_url,
                         **outage_s3.settings(outage_s3.new_bucket()))


def _rows(api) -> tuple[int, int]:  # noqa: ANN001
    with api.app.state.sessionmaker() as s:
        return (s.execute(select(func.count()).select_from(Document)).scalar_one(),
                s.execute(select(func.count()).select_from(DocumentVersion)).scalar_one())


def _spooled(api) -> list[Path]:  # noqa: ANN001
    spool = api.app.state.settings.data_dir / "spool"
    return [p for p in spool.rglob("*") if p.is_file()] if spool.exists() else []


def _unavailable(r) -> None:  # noqa: ANN001
    assert r.status_code == 503, r.text
    body = r.json()
    assert body["code"] == "blob_store_unavailable"
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "127.0.0.1" not in r.text and "settleroom-" not in r.text  # no endpoint, no bucket


def test_uploads_are_refused_and_downloads_fail_cleanly_while_the_store_is_down(
        api, outage_s3):
    room = api.room()
    doc = api.document(room, text_doc())
    copy = api.download(room, doc["id"], "defense_counsel").content
    rows = _rows(api)
    outage_s3.stop()

    _unavailable(api.upload(room, text_doc("NEVER-STORED-3301")))
    assert _rows(api) == rows and _spooled(api) == []

    url = f"/api/v1/cases/{room.id}/documents/{doc['id']}/versions"
    _unavailable(api.client.post(url, headers=room.users["plaintiff_counsel"].headers,
                                 files={"file": ("v2.txt", text_doc(), "text/plain")}))
    assert _rows(api) == rows and _spooled(api) == []

    api.app.state.services.originals.drop_case(uuid.UUID(room.id))  # no cached original
    _unavailable(api.download(room, doc["id"], "defense_counsel"))
    # A text excerpt is read against the version's stored text layer, not its original.
    traced = api.client.post("/api/v1/traces", headers=room.users["auditor"].headers,
                             json={"text": copy.decode()})
    assert traced.status_code == 200 and traced.json()["verdict"] == "identified", traced.text
    # A trace that needs an original it cannot read (here: a version stored before the
    # trace index): 503, never "no_watermark".
    with api.app.state.sessionmaker.begin() as s:
        s.execute(delete(DocumentAnalysis).where(
            DocumentAnalysis.case_id == uuid.UUID(room.id)))
    _unavailable(api.client.post("/api/v1/traces", headers=room.users["auditor"].headers,
                                 json={"text": copy.decode()}))
    r = api.client.get("/readyz")
    assert r.status_code == 503 and r.json()["code"] == "blob_store_unavailable"
    assert r.json()["checks"]["blob_store"] == "unavailable"


def _blob_errors(api) -> dict[str, float]:  # noqa: ANN001
    r = api.client.get("/metrics")
    assert r.status_code == 200
    return {s.labels["operation"]: s.value for f in text_string_to_metric_families(r.text)
            for s in f.samples if s.name == "settleroom_blob_store_errors_total"}


def test_the_blob_store_error_counter_moves_with_each_failed_call_and_only_then(
        api, outage_s3):
    """``settleroom_blob_store_errors`` by operation: nothing while the store answers; a
    refused upload is a failed write, a failed download a failed read."""
    room = api.room()
    start = _blob_errors(api)
    doc = api.document(room, text_doc())
    assert api.download(room, doc["id"], "defense_counsel").status_code == 200
    assert _blob_errors(api) == start
    outage_s3.stop()

    _unavailable(api.upload(room, text_doc("NEVER-STORED-3302")))
    after_upload = _blob_errors(api)
    assert after_upload.get("write", 0) - start.get("write", 0) == 1
    assert after_upload.get("read", 0) == start.get("read", 0)

    api.app.state.services.originals.drop_case(uuid.UUID(room.id))  # no cached original
    _unavailable(api.download(room, doc["id"], "defense_counsel"))
    after_download = _blob_errors(api)
    assert after_download.get("read", 0) - start.get("read", 0) == 1
    assert after_download.get("write") == after_upload.get("write")
