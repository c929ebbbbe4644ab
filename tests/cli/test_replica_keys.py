"""A replica whose key store lacks a case: two real ``settleroom serve`` processes on one
PostgreSQL database and one S3 bucket, each with its OWN local key store (its own master
key file and ``keys/kek.json``, nothing shared but the two signing keys that let a token
issued by one be honoured by the other). A case opened through one lives in that one's key
store only, as with a replica never given the shared store or HSM. Reading the case's
document through the other answers 503 ``key_unavailable`` with ``Retry-After``: never a
500, never ``410 case_destroyed`` (the key was never there, not shredded), no traceback and
no content in its log, and nothing written to the database."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from app.keyfiles import AUDIT_KEY_FILE, JWT_KEY_FILE
from tests import dbutil
from tests.api.documents.helpers import MARKER, text_doc
from tests.factories import Api, Room
from tests.s3server import S3Server
from tests.serveproc import ServeProcess, admin_api, base_env

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not dbutil.pg_server_url(),
                       reason="replicas share a PostgreSQL database (SQLite is one process's)"),
]
FILENAME = "settlement-memo-4471.txt"


@dataclass
class Pair:
    a: ServeProcess
    b: ServeProcess
    url: str
    root: Path


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    root = tmp_path_factory.mktemp("replica-keys")
    s3 = S3Server()
    s3.start()
    started: list[ServeProcess] = []
    try:
        with dbutil.throwaway_pg_database() as url:
            store = s3.settings(s3.new_bucket())
            # No SETTLEROOM_MASTER_KEY_FILE or SETTLEROOM_KEY_STORE_FILE: each server makes
            # its own beside or in its data directory.
            started.append(ServeProcess(base_env(root / "a" / "data", url, **store), "a"))
            (root / "b" / "data").mkdir(parents=True, mode=0o700)
            for name in (JWT_KEY_FILE, AUDIT_KEY_FILE):
                shutil.copy2(root / "a" / "data" / name, root / "b" / "data" / name)
            started.append(ServeProcess(base_env(root / "b" / "data", url, **store), "b"))
            yield Pair(started[0], started[1], url, root)
            for proc in started:
                proc.stop()
    finally:
        for proc in started:
            proc.stop()
        s3.stop()


def _row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
            return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                    for t in tables}
    finally:
        engine.dispose()


def _key_unavailable(r) -> None:  # noqa: ANN001
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "key_unavailable"
    assert int(r.headers["retry-after"]) > 0


def test_a_replica_without_the_case_key_answers_503_key_unavailable_and_writes_nothing(
        pair: Pair) -> None:
    api_a = admin_api(pair.a)
    room: Room = api_a.http_room()
    doc = api_a.document(room, text_doc(), filename=FILENAME)
    assert api_a.download(room, doc["id"], "defense_counsel").status_code == 200
    master_a, master_b = (pair.root / x / "data.master-key" for x in ("a", "b"))
    assert master_a.read_bytes() != master_b.read_bytes()  # two key stores, not one
    api_b = Api(pair.b.client(), None)  # type: ignore[arg-type]
    api_b._admin = api_a._admin
    # The other replica is healthy and serves what needs no case key.
    me = api_b.client.get("/api/v1/me", headers=room.users["defense_counsel"].headers)
    assert me.status_code == 200, me.text
    before = _row_counts(pair.url)

    _key_unavailable(api_b.download(room, doc["id"], "defense_counsel"))
    path = f"/api/v1/cases/{room.id}/documents/{doc['id']}"
    _key_unavailable(api_b.client.get(path, headers=room.users["defense_counsel"].headers))

    assert _row_counts(pair.url) == before
    log = pair.b.log.read_text(errors="replace")
    assert "key store: unknown case" in log
    for leak in ("Traceback", "internal_error", " 500 ", MARKER, FILENAME):
        assert leak not in log, leak
    # The replica that holds the key still serves the same document.
    r = api_a.download(room, doc["id"], "defense_counsel")
    assert r.status_code == 200 and MARKER.encode() in r.content
    api_a.client.close()
    api_b.client.close()
