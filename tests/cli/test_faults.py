"""Faults of a real ``settleroom serve``, each with nothing lost and nothing half-written:

- PostgreSQL unreachable under load (a TCP proxy in front of the shared server is cut;
  the server itself is never touched): every request answers at once with 503
  ``database_unavailable`` (never a 500, never a hang), ``/readyz`` says so, and once the
  proxy is back the same server recovers without a restart; a write refused during the
  outage left nothing.
- The process killed with SIGKILL in the middle of an upload: after a restart no row
  names a missing blob, no half-written document is listed, and what the killed request
  left on disk is removed by the orphan sweep.

Nothing here measures time: "at once" is "before the client's own timeout", and the
client's timeout is far shorter than any wait a hung request would show."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, make_url, text

from tests import dbutil
from tests.api.documents.helpers import MARKER, text_doc
from tests.factories import Api, Room
from tests.serveproc import ServeProcess, admin_room, base_env
from tests.tcpproxy import TcpProxy

HELD_AT = 256 * 1024  # bytes of the file part sent before the upload stalls
OUTAGE_CLIENT_TIMEOUT = 30  # a request hanging on the lost database would exceed it
READERS = 4


@pytest.fixture
def pg_url() -> Iterator[str]:
    if not dbutil.pg_server_url():
        pytest.skip("needs PostgreSQL (SETTLEROOM_TEST_DATABASE_URL)")
    with dbutil.throwaway_pg_database() as url:
        yield url


def _offer_body(room: Room) -> dict[str, object]:
    return {"from_party_id": room.parties["plaintiff"], "to_party_id": room.parties["defendant"],
            "amount_cents": 1_234_567, "terms": "Mutual release"}


def _offers(api: Api, room: Room) -> int:
    r = api.client.get(f"/api/v1/cases/{room.id}/offers",
                       headers=room.users["plaintiff_counsel"].headers)
    assert r.status_code == 200, r.text
    return len(r.json())


def _unavailable(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "database_unavailable" and "retry-after" in r.headers
    assert "127.0.0.1" not in r.text and "postgres" not in r.text.lower()


class Readers:
    """Threads reading the room's offers as fast as they can, tallying the answers."""

    def __init__(self, server: ServeProcess, room: Room) -> None:
        self.answers: Counter[str] = Counter()
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._url = f"{server.url}/api/v1/cases/{room.id}/offers"
        self._headers = room.users["defense_counsel"].headers
        self._threads = [threading.Thread(target=self._read, daemon=True)
                         for _ in range(READERS)]
        for t in self._threads:
            t.start()

    def _read(self) -> None:
        with httpx.Client(timeout=OUTAGE_CLIENT_TIMEOUT) as client:
            while not self.stop.is_set():
                try:
                    r = client.get(self._url, headers=self._headers)
                    answer = str(r.status_code) + (
                        f" {r.json().get('code')}" if r.status_code >= 400 else "")
                except httpx.HTTPError as exc:
                    answer = type(exc).__name__
                with self._lock:
                    self.answers[answer] += 1

    def seen(self) -> Counter[str]:
        with self._lock:
            return Counter(self.answers)

    def finish(self) -> Counter[str]:
        self.stop.set()
        for t in self._threads:
            t.join(OUTAGE_CLIENT_TIMEOUT * 2)
        return self.seen()


def _wait_for(predicate, what: str, seconds: float = 60) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}", pytrace=False)


@pytest.mark.slow
@pytest.mark.postgres
def test_a_lost_database_fails_requests_fast_with_503_and_the_server_recovers(
        tmp_path, pg_url):
    server_url = make_url(pg_url)
    proxy = TcpProxy(server_url.host or "127.0.0.1", server_url.port or 5432)
    via_proxy = server_url.set(host="127.0.0.1", port=proxy.port).render_as_string(
        hide_password=False)
    server = ServeProcess(base_env(tmp_path / "data", via_proxy))
    readers = None
    try:
        api, room = admin_room(server)
        api.consent_all(room)
        api.client.timeout = httpx.Timeout(OUTAGE_CLIENT_TIMEOUT)
        counsel = room.users["plaintiff_counsel"].headers
        assert api.client.post(f"/api/v1/cases/{room.id}/offers", headers=counsel,
                               json=_offer_body(room)).status_code == 201
        before = _offers(api, room)
        readers = Readers(server, room)
        _wait_for(lambda: readers.seen()["200"] >= READERS, "reads before the outage")

        proxy.cut()
        during = readers.seen()
        _wait_for(lambda: readers.seen()["503 database_unavailable"]
                  > during["503 database_unavailable"] + 2 * READERS, "503s during the outage")
        _unavailable(api.client.post(f"/api/v1/cases/{room.id}/offers", headers=counsel,
                                     json=_offer_body(room)))
        _unavailable(api.login(room.users["plaintiff_counsel"].email))
        ready = api.client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["code"] == "database_unavailable"
        assert ready.json()["checks"]["database"] in ("unavailable", "timeout")

        proxy.restore()
        _wait_for(lambda: api.client.get("/readyz").status_code == 200, "readiness again")
        after = readers.seen()
        _wait_for(lambda: readers.seen()["200"] > after["200"] + 2 * READERS,
                  "reads after the outage")
        answers = readers.finish()
        assert set(answers) <= {"200", "503 database_unavailable"}, answers
        # The offer refused during the outage is not there; a new one is taken.
        assert _offers(api, room) == before
        assert api.client.post(f"/api/v1/cases/{room.id}/offers", headers=counsel,
                               json=_offer_body(room)).status_code == 201
        assert _offers(api, room) == before + 1
    finally:
        if readers is not None:
            readers.finish()
        proxy.close()
        server.stop()
    assert "Traceback" not in server.output(), server.output()


class HeldUpload:
    """A document upload of about a megabyte whose body stalls in the middle of its file
    part until ``release``: the server has spooled part of the plaintext by then."""

    def __init__(self, server: ServeProcess, room: Room) -> None:
        content = text_doc() + b"x" * (1024 * 1024)
        request = httpx.Request(
            "POST", f"{server.url}/api/v1/cases/{room.id}/documents",
            data={"designation": "CONFIDENTIAL", "audience": "all"},
            files={"file": ("order.txt", content, "application/octet-stream")})
        self._body = request.read()
        self._cut = self._body.index(content[:64]) + HELD_AT
        self._headers = {**room.users["plaintiff_counsel"].headers,
                         "Content-Type": request.headers["Content-Type"]}
        self._url = str(request.url)
        self.started, self._released = threading.Event(), threading.Event()
        self.response: httpx.Response | None = None
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._send, daemon=True)
        self._thread.start()

    def _chunks(self) -> Iterator[bytes]:
        yield self._body[:self._cut]
        self.started.set()
        self._released.wait(300)
        yield self._body[self._cut:]

    def _send(self) -> None:
        try:
            with httpx.Client(timeout=300) as client:
                self.response = client.post(self._url, headers=self._headers,
                                            content=self._chunks())
        except httpx.HTTPError as exc:
            self.error = exc

    def release(self) -> None:
        self._released.set()
        self._thread.join(300)


def _spooled(data_dir: Path, case_id: str) -> int:
    """Bytes in the case's temp files (the spooled plaintext of an upload in flight)."""
    folder = data_dir / "blobs" / case_id
    return sum(p.stat().st_size for p in folder.glob(".tmp-*")) if folder.exists() else 0


@pytest.fixture
def database_url() -> Iterator[str | None]:
    with dbutil.throwaway_pg_database() if dbutil.pg_server_url() else nullcontext() as url:
        yield url


def _blob_files(data_dir: Path) -> dict[str, set[str]]:
    """Case id -> names of the files in its blob folder (blobs and temp files)."""
    root = data_dir / "blobs"
    return {d.name: {p.name for p in d.iterdir()} for d in root.iterdir() if d.is_dir()}


def _version_rows(database_url: str | None, data_dir: Path) -> set[tuple[str, str]]:
    url = database_url or dbutil.sqlite_url(data_dir / "settleroom.db")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            # SQLite keeps ids as bare hex: normalised to the folder names' form.
            return {(str(uuid.UUID(str(c))), str(uuid.UUID(str(v)))) for c, v in conn.execute(text(
                "SELECT d.case_id, v.id FROM document_versions v "
                "JOIN documents d ON d.id = v.document_id"))}
    finally:
        engine.dispose()


@pytest.mark.slow
def test_sigkill_in_the_middle_of_an_upload_loses_nothing_and_leaves_no_half(
        tmp_path, database_url):
    data_dir = tmp_path / "data"
    server = ServeProcess(base_env(data_dir, database_url))
    try:
        api, room = admin_room(server)
        kept = api.document(room, text_doc())
        upload = HeldUpload(server, room)  # its body stops after the first 100 bytes
        assert upload.started.wait(120)
        # The server has spooled the part of the file it received.
        _wait_for(lambda: _spooled(data_dir, room.id) >= HELD_AT // 2, "the spooled part")
        server.proc.send_signal(signal.SIGKILL)
        assert server.proc.wait(60) == -signal.SIGKILL
        upload.release()
        assert upload.response is None and upload.error is not None
    finally:
        server.stop()
        api.client.close()

    rows = _version_rows(database_url, data_dir)
    files = _blob_files(data_dir)
    # Every row names a whole blob; the killed upload left a temp file and no row.
    assert all(v in files.get(c, ()) for c, v in rows), (rows, files)
    stray = {n for n in files[room.id] if n.startswith(".tmp-")}
    assert stray

    again = ServeProcess(base_env(data_dir, database_url))
    try:
        api.client = again.client()
        listed = api.client.get(f"/api/v1/cases/{room.id}/documents",
                                headers=room.users["plaintiff_counsel"].headers).json()
        assert [d["id"] for d in listed] == [kept["id"]]  # the killed upload is not there
        r = api.download(room, kept["id"], "defense_counsel")
        assert r.status_code == 200 and MARKER.encode() in r.content
    finally:
        api.client.close()
        again.stop()
    assert _version_rows(database_url, data_dir) == rows
    # The sweep (grace period 0: the killed request is long gone) removes the stray file
    # and keeps every stored version.
    sweep = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "app.cli", "blobs", "sweep", "--grace-seconds", "0"],
        env=base_env(data_dir, database_url), capture_output=True, text=True, timeout=300,
        cwd=os.getcwd(), check=False)
    assert sweep.returncode == 0, sweep.stdout + sweep.stderr
    files = _blob_files(data_dir)
    assert not {n for n in files[room.id] if n.startswith(".tmp-")}
    assert all(v in files.get(c, ()) for c, v in rows)
