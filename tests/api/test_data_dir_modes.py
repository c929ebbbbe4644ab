"""Every file under the data directory is 0600 and every directory 0700: the SQLite
database and its -wal/-shm files, keys, secrets, ciphertext blobs and spool files, after
start-up (an old data dir created with a permissive umask is tightened) and after writes."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.documents.helpers import text_doc
from tests.conftest import make_settings
from tests.template import Template, copy_data_dir


@pytest.fixture(autouse=True)
def _permissive_umask() -> Iterator[None]:
    """The usual default: files 0644 and directories 0755 unless the code says otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def settings(tmp_path: Path, database_url: str, _template: Template):  # noqa: ANN201
    """The embedded default on SQLite: the database inside the data dir, as an old data dir
    left it (database 0644, directories 0755)."""
    data = copy_data_dir(_template.data_dir, tmp_path / "data")
    if database_url.startswith("sqlite"):
        db = data / "settleroom.db"
        shutil.copyfile(database_url.removeprefix("sqlite:///"), db)
        os.chmod(db, 0o644)
        database_url = f"sqlite:///{db}"
    os.chmod(data, 0o755)
    for folder in data.rglob("*"):
        if folder.is_dir():
            os.chmod(folder, 0o755)
    return make_settings(data, database_url)


def _loose(root: Path) -> list[str]:
    found = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        want = 0o700 if path.is_dir() else 0o600
        if mode != want:
            found.append(f"{path.relative_to(root)} {oct(mode)}")
    return found


def test_data_dir_private_after_start_and_writes(api, settings):  # noqa: ANN001
    data = settings.data_dir
    assert _loose(data) == []  # start-up tightened the old data dir
    room = api.room()
    doc = api.document(room, text_doc())
    assert api.download(room, doc["id"], "defense_counsel").status_code == 200
    r = api.client.post("/api/v1/traces", headers=room.users["auditor"].headers,
                        files={"file": ("leak.txt", text_doc(), "text/plain")})
    assert r.status_code == 200, r.text
    if settings.database_url.startswith("sqlite"):
        names = {p.name for p in data.iterdir()}
        assert {"settleroom.db", "settleroom.db-wal", "settleroom.db-shm"} <= names
    assert any((data / "blobs").rglob("*"))
    assert _loose(data) == []


def test_new_embedded_database_is_private(tmp_path):  # noqa: ANN001
    """A database created by the migrations in a new data dir starts 0600, and so do the
    WAL and shared-memory files SQLite creates beside it."""
    from fastapi import FastAPI

    from app.main import configure
    from app.migrate import upgrade

    settings = make_settings(tmp_path / "fresh", "")
    settings = settings.model_copy(update={"database_url": None})
    app = FastAPI()
    configure(app, settings)
    upgrade(settings.resolved_database_url)
    with app.state.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE probe (x INTEGER)")
        conn.exec_driver_sql("INSERT INTO probe VALUES (1)")
    assert (settings.data_dir / "settleroom.db-wal").exists()
    assert _loose(settings.data_dir) == []
    app.state.engine.dispose()
