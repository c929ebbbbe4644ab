"""The local blob store (the embedded default): a full disk refuses the upload with 503
``blob_store_unavailable`` and leaves no file and no row, whether it fills while the
plaintext is spooled or while the ciphertext is written; readiness notices it."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models.documents import DocumentVersion
from tests.api.documents.helpers import text_doc
from tests.factories import Room

TINY_DISK = 256 * 1024


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


@pytest.fixture
def tiny_disk(api) -> Iterator[tuple[Room, Path]]:  # noqa: ANN001
    """The standard room's blob folder on a real file system of ``TINY_DISK`` bytes (a
    tmpfs mounted over it; needs root, as in the project's containers)."""
    room = api.room()
    folder = api.app.state.settings.data_dir / "blobs" / room.id
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(  # noqa: S603 - fixed arguments
        ["mount", "-t", "tmpfs", "-o", f"size={TINY_DISK},mode=0700", "tmpfs", str(folder)],
        capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield room, folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)  # noqa: S603, S607


def test_a_really_full_disk_refuses_uploads_cleanly_wherever_it_fills(api, tiny_disk):
    room, folder = tiny_disk
    before = _versions(api)
    # Fills while the ciphertext is written (the plaintext spool fits), then while the
    # plaintext itself is spooled: both are the server's fault, a 503, never a 4xx or 500.
    for size in (TINY_DISK * 6 // 10, TINY_DISK * 2):
        r = api.upload(room, text_doc() + b"x" * size)
        assert r.status_code == 503, (size, r.text)
        assert r.json()["code"] == "blob_store_unavailable" and "/" not in r.json()["detail"]
        assert [p for p in folder.iterdir()] == []  # no half blob, no spooled plaintext
    assert _versions(api) == before
    assert api.upload(room, text_doc()).status_code == 201  # a document that fits
