"""Stateless replicas: two real ``settleroom serve`` processes on one PostgreSQL database
and one S3 bucket, each with its own data directory, sharing only their key material.
Whatever one request leaves for the next must be found by the other process: a document
uploaded through one is downloaded through the other and the copy traced back through the
first; failed sign-ins split between them reach one limit; a token issued by one works on
the other and is revoked on both by a sign-out on either (the other one's account cache
forgets it when the notification of the commit arrives); audited writes on both leave one
log that ``settleroom audit verify`` accepts.

How the keys are shared here: the master key file and the local key store file are named
by both servers' settings (one file each, on this host; the key store serialises writers
with fcntl locks), and the two signing keys (access tokens, tree heads), created by the
first server on its start, are copied into the second one's data directory before it
starts, as a deployment provisions them into every replica."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.keyfiles import AUDIT_KEY_FILE, JWT_KEY_FILE
from tests import dbutil
from tests.api.documents.helpers import MARKER, text_doc
from tests.factories import Api, Room, User
from tests.s3server import S3Server
from tests.serveproc import ADMIN_EMAIL, ServeProcess, base_env

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not dbutil.pg_server_url(),
                       reason="replicas share a PostgreSQL database (SQLite is one process's)"),
]
WRONG = "not the password at all"


class Replicas:
    def __init__(self, a: ServeProcess, b: ServeProcess, env_b: dict[str, str]) -> None:
        self.a, self.b, self.env_b = a, b, env_b
        self.api_a = Api(a.client(), None)  # type: ignore[arg-type]
        self.api_b = Api(b.client(), None)  # type: ignore[arg-type]
        r = self.api_a.login(ADMIN_EMAIL)
        assert r.status_code == 200, r.text
        admin_id = self.api_a.client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"}
        ).json()["id"]
        admin = User(admin_id, ADMIN_EMAIL, r.json()["access_token"], r.json()["refresh_token"])
        self.api_a._admin = self.api_b._admin = admin

    def close(self) -> None:
        for api in (self.api_a, self.api_b):
            api.client.close()


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    root = tmp_path_factory.mktemp("replicas")
    s3 = S3Server()
    s3.start()
    started: list[ServeProcess] = []
    try:
        with dbutil.throwaway_pg_database() as url:
            bucket = s3.new_bucket()
            shared = {**s3.settings(bucket),
                      "master_key_file": root / "master-key" / "master.key",
                      "key_store_file": root / "key-store" / "kek.json"}
            env_a = base_env(root / "a" / "data", url, **shared)
            env_b = base_env(root / "b" / "data", url, **shared)
            started.append(ServeProcess(env_a, "a"))
            (root / "b").mkdir()
            (root / "b" / "data").mkdir(mode=0o700)
            for name in (JWT_KEY_FILE, AUDIT_KEY_FILE):
                shutil.copy2(root / "a" / "data" / name, root / "b" / "data" / name)
            started.append(ServeProcess(env_b, "b"))
            group = Replicas(started[0], started[1], env_b)
            yield group
            group.close()
            for proc in started:
                proc.stop()
    finally:
        for proc in started:
            proc.stop()
        s3.stop()


@pytest.fixture(scope="module")
def room(replicas: Replicas) -> Room:
    return replicas.api_a.http_room()


def test_an_upload_through_one_is_downloaded_through_the_other_and_traced_back(
        replicas: Replicas, room: Room) -> None:
    a, b = replicas.api_a, replicas.api_b
    doc = a.document(room, text_doc())
    r = b.download(room, doc["id"], "defense_counsel")
    assert r.status_code == 200, r.text
    assert MARKER.encode() in r.content
    download_id = r.headers["x-download-id"]
    r = a.client.post("/api/v1/traces", headers=room.users["auditor"].headers,
                      json={"text": r.content.decode()})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["verdict"] == "identified" and got["errors"] == []
    assert [m["download_id"] for m in got["matches"]] == [download_id]


def test_failed_sign_ins_split_between_the_replicas_meet_one_limit(replicas: Replicas) -> None:
    a, b = replicas.api_a, replicas.api_b
    user = a.user("throttled")
    free = 5  # the default SETTLEROOM_LOGIN_PAIR_FREE_FAILURES
    for i in range(free):
        r = (a if i % 2 == 0 else b).login(user.email, WRONG)
        assert r.status_code == 401, (i, r.text)
    # Replica b saw two of the five failures: only a count kept in the database stops it.
    r = b.login(user.email, WRONG)
    assert r.status_code == 429, r.text
    r = a.login(user.email, user.password)
    assert r.status_code == 429, r.text


def test_a_sign_in_on_one_works_on_the_other_and_a_sign_out_ends_it_on_both(
        replicas: Replicas) -> None:
    a, b = replicas.api_a, replicas.api_b
    user = a.user("roaming")
    assert b.client.get("/api/v1/me", headers=user.headers).json()["id"] == user.id
    r = b.client.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert r.status_code == 200, r.text
    fresh = {"Authorization": f"Bearer {r.json()['access_token']}"}
    for _ in range(5):  # a's account cache holds the account now (once its listener is up)
        assert a.client.get("/api/v1/me", headers=fresh).status_code == 200
    assert b.client.post("/api/v1/auth/logout", headers=fresh).status_code == 204
    for headers in (user.headers, fresh):  # the process that signed out: at once
        assert b.client.get("/api/v1/me", headers=headers).status_code == 401
    # The other process learns of it through its listener, milliseconds after the commit:
    # polled, bounded, never timed.
    deadline = time.monotonic() + 20
    while a.client.get("/api/v1/me", headers=fresh).status_code != 401:
        assert time.monotonic() < deadline, "the sign-out never reached the other replica"
        time.sleep(0.05)
    assert a.client.get("/api/v1/me", headers=user.headers).status_code == 401


def test_audited_writes_on_both_leave_one_log_that_verifies(replicas: Replicas,
                                                           room: Room) -> None:
    first = replicas.api_a.offer(room)
    second = replicas.api_b.offer(room, by="defense_counsel", from_party="defendant",
                                  to_party="plaintiff")
    assert first["id"] != second["id"]
    heads = [api.client.get("/api/v1/audit/tree-head", headers=room.admin.headers)
             for api in (replicas.api_a, replicas.api_b)]
    assert [h.status_code for h in heads] == [200, 200]
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "app.cli", "audit", "verify"], env=replicas.env_b, cwd=Path.cwd(),
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: "), done.stdout
