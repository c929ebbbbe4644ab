"""The orphan sweep never races an upload in flight, on the local store and on S3.

An upload is held at the one moment a sweep could hurt it: its blob is stored whole and
its version row is not yet committed, so no row names the blob. ``settleroom blobs sweep``
runs right then, through its command (on SQLite it must not wait for, or fail on, the
upload's write lock), and leaves the blob; the upload then commits and the document
downloads intact. The control: a blob no row will ever name, once older than the grace
period, is swept by the same command, and the committed version stays."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from app import cli
from app.blobs import BlobKey
from app.config import Settings
from app.documents import storage
from tests.api.documents.helpers import MARKER, text_doc
from tests.conftest import make_settings
from tests.template import Template, copy_data_dir

WAIT = 60  # seconds; a held upload is let go after this whatever happens


@pytest.fixture(params=["local", "s3"])
def settings(request: pytest.FixtureRequest, tmp_path: Path, database_url: str,
             _template: Template) -> Settings:
    overrides: dict[str, object] = {}
    if request.param == "s3":
        server = request.getfixturevalue("s3_server")
        overrides = server.settings(server.new_bucket())
    return make_settings(copy_data_dir(_template.data_dir, tmp_path / "data"), database_url,
                         **overrides)


class HeldUpload:
    """``storage.seal_file`` wrapped: once the blob is stored, the upload waits for
    ``release`` before it goes on to insert and commit its row."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.stored, self.release = threading.Event(), threading.Event()
        self.key: BlobKey | None = None
        real = storage.seal_file

        def held(*args: Any, case_id: uuid.UUID, version_id: uuid.UUID, **kw: Any) -> bytes:
            header = real(*args, case_id=case_id, version_id=version_id, **kw)
            self.key = storage.blob_key(case_id, version_id)
            self.stored.set()
            self.release.wait(WAIT)
            return header

        monkeypatch.setattr(storage, "seal_file", held)


def _sweep(monkeypatch: pytest.MonkeyPatch, app, capsys, *, later: float = 0) -> str:  # noqa: ANN001
    """``settleroom blobs sweep`` with the app's settings, its clock ``later`` s ahead."""
    monkeypatch.setattr(cli, "get_settings", lambda: app.state.settings)
    clock = SimpleNamespace(time=lambda: time.time() + later)
    monkeypatch.setattr(storage, "time", clock)
    assert cli.main(["blobs", "sweep"]) == 0
    return capsys.readouterr().out


def _names(app) -> set[str]:  # noqa: ANN001
    return {e.key.name for e in app.state.services.blob_store.entries()}


def test_a_sweep_during_an_upload_in_flight_leaves_its_blob_and_an_old_orphan_goes(
        api, app, monkeypatch, capsys):
    room = api.room()
    held = HeldUpload(monkeypatch)
    answer: list[Any] = []
    upload = threading.Thread(target=lambda: answer.append(api.upload(room, text_doc())))
    upload.start()
    try:
        assert held.stored.wait(WAIT), "the upload never stored its blob"
        assert held.key is not None and held.key.name in _names(app)
        assert "removed 0 orphan blob(s)" in _sweep(monkeypatch, app, capsys)
        assert held.key.name in _names(app)
    finally:
        held.release.set()
        upload.join(WAIT)
    [r] = answer
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["version_id"] == held.key.name
    copy = api.download(room, doc["id"], "defense_counsel")
    assert copy.status_code == 200 and MARKER.encode() in copy.content

    # The control: a blob of a request that failed after storing it.
    orphan = BlobKey(uuid.UUID(room.id), str(uuid.uuid4()))
    with app.state.services.blob_store.writer(orphan) as out:
        out.write(b"ciphertext left by a failed request")
    assert "removed 0 orphan blob(s)" in _sweep(monkeypatch, app, capsys)
    assert orphan.name in _names(app)
    later = storage.SWEEP_GRACE_SECONDS + 60
    assert "removed 1 orphan blob(s)" in _sweep(monkeypatch, app, capsys, later=later)
    assert orphan.name not in _names(app) and doc["version_id"] in _names(app)
    app.state.services.originals.drop_case(uuid.UUID(room.id))  # read the blob again
    copy = api.download(room, doc["id"], "defense_counsel")
    assert copy.status_code == 200 and MARKER.encode() in copy.content
