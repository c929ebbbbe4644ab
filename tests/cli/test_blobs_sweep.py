"""``settleroom blobs sweep``: a failed upload's file goes once it is old, nothing else."""

from __future__ import annotations

import os
import time

from app import cli
from tests.api.documents.helpers import text_doc
from tests.conftest import make_settings


def _use_app_settings(monkeypatch, app):  # noqa: ANN001, ANN202
    monkeypatch.setattr(cli, "get_settings", lambda: make_settings(
        app.state.settings.data_dir, app.state.settings.database_url))


def test_sweep_removes_old_orphans_and_keeps_stored_versions(api, app, monkeypatch, capsys):
    room = api.room()
    doc = api.document(room, text_doc())
    folder = app.state.settings.data_dir / "blobs" / room.id
    orphan = folder / "00000000-0000-4000-8000-0000000000aa"
    orphan.write_bytes(b"ciphertext left by a failed request")
    old = time.time() - 2 * 3600
    os.utime(orphan, (old, old))
    young = folder / "00000000-0000-4000-8000-0000000000bb"
    young.write_bytes(b"an upload still in flight")
    _use_app_settings(monkeypatch, app)

    assert cli.main(["blobs", "sweep"]) == 0
    assert "removed 1 orphan blob(s) older than 3600 s" in capsys.readouterr().out
    assert not orphan.exists() and young.exists()
    assert (folder / doc["version_id"]).exists()
    assert api.download(room, doc["id"], "defense_counsel").status_code == 200

    assert cli.main(["blobs", "sweep", "--grace-seconds", "0"]) == 0
    assert not young.exists() and (folder / doc["version_id"]).exists()


def test_a_negative_grace_period_is_refused(app, monkeypatch, capsys):
    _use_app_settings(monkeypatch, app)
    assert cli.main(["blobs", "sweep", "--grace-seconds", "-5"]) == 2
    assert "must not be negative" in capsys.readouterr().err
