"""The local blob store (the embedded default): a full disk refuses the upload with 503
``blob_store_unavailable`` and leaves no file and no row; readiness notices it."""

from __future__ import annotations

import errno
import os

from sqlalchemy import func, select

from app.models.documents import DocumentVersion
from tests.api.documents.helpers import text_doc


def _versions(api) -> int:  # noqa: ANN001
    with api.app.state.sessionmaker() as s:
        return s.execute(select(func.count()).select_from(DocumentVersion)).scalar_one()


def _full(*args: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_refuses_the_upload_and_leaves_nothing(api, monkeypatch):
    room = api.room()
    before = _versions(api)
    monkeypatch.setattr("app.blobs.local.os.fsync", _full)
    r = api.upload(room, text_doc())
    assert r.status_code == 503 and r.json()["code"] == "blob_store_unavailable"
    assert "/" not in r.json()["detail"]  # no path
    r = api.client.get("/readyz")
    assert r.status_code == 503 and r.json()["checks"] == {
        "database": "ok", "blob_store": "unavailable", "key_store": "ok"}
    monkeypatch.undo()
    assert _versions(api) == before
    folder = api.app.state.settings.data_dir / "blobs" / room.id
    assert [p for p in folder.rglob("*") if p.is_file()] == []
    assert api.client.get("/readyz").status_code == 200
    assert api.upload(room, text_doc()).status_code == 201
