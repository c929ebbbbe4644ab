"""Content at rest: neither the document text nor its filename is readable in the database
file or the blob folder after upload and download; orphan ciphertext files are swept."""

from __future__ import annotations

import os
import time

import pytest

from app.documents.storage import sweep_orphans
from tests import dbutil
from tests.api.documents.helpers import MARKER, blob_files, text_doc

NAME_MARKER = "QWVZ-FILENAME-4410"


@pytest.mark.skipif(bool(dbutil.pg_server_url()), reason="scans the SQLite file")
def test_marker_not_found_in_database_or_blobs(api, settings):
    room = api.room()
    doc = api.document(room, text_doc(), filename=f"{NAME_MARKER}.txt")
    assert doc["filename"] == f"{NAME_MARKER}.txt"
    r = api.download(room, doc["id"], "defense_counsel")
    assert MARKER.encode() in r.content
    api.app.state.engine.dispose()  # checkpoint the WAL into the file
    db_file = settings.resolved_database_url.removeprefix("sqlite:///")
    files = [p for p in settings.data_dir.rglob("*") if p.is_file()]
    candidates = [db_file, *[str(p) for p in files],
                  *[db_file + s for s in ("-wal", "-shm") if os.path.exists(db_file + s)]]
    for path in candidates:
        data = open(path, "rb").read()  # noqa: SIM115
        for marker in (MARKER, NAME_MARKER):
            assert marker.encode() not in data, path
            assert marker.encode("utf-16-le") not in data, path


def test_no_plaintext_temp_files_left(api):
    room = api.room()
    api.document(room, text_doc())
    leftovers = [p for p in api.app.state.settings.data_dir.rglob(".tmp-*")]
    assert leftovers == []
    assert len(blob_files(api, room.id)) == 1


def test_sweep_removes_only_old_orphans(api):
    room = api.room()
    doc = api.document(room, text_doc())
    folder = api.app.state.settings.data_dir / "blobs" / room.id
    orphan = folder / "00000000-0000-4000-8000-000000000001"
    orphan.write_bytes(b"ciphertext of a failed request")
    old = time.time() - 7200
    os.utime(orphan, (old, old))
    fresh = folder / "00000000-0000-4000-8000-000000000002"
    fresh.write_bytes(b"an upload in flight")
    with api.app.state.sessionmaker() as s:
        removed = sweep_orphans(s, api.app.state.services.blob_store)
    assert [e.key.name for e in removed] == [orphan.name]
    assert (folder / doc["version_id"]).exists() and fresh.exists()
