"""Graceful shutdown of ``settleroom serve``: on SIGTERM an upload in flight still finishes
and is stored, then the app's threads stop and the process exits 0; a request that
outlasts SETTLEROOM_SHUTDOWN_GRACE_SECONDS is cut off rather than holding the exit.

The upload's body is held back by the client between its first part and the rest, so the
signal arrives while the server is reading it; nothing here measures time."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import httpx
import pytest

from tests import dbutil
from tests.api.documents.helpers import MARKER, text_doc
from tests.factories import Room
from tests.serveproc import ServeProcess, admin_room, base_env

pytestmark = [pytest.mark.once]

SETTLE_SECONDS = 2.0  # lets the server read the request's head before the signal


@pytest.fixture
def database_url() -> Iterator[str | None]:
    with dbutil.throwaway_pg_database() if dbutil.pg_server_url() else nullcontext() as url:
        yield url


def _serve(tmp_path: Path, database_url: str | None, **settings: object) -> ServeProcess:
    # The in-process mail worker runs too: shutting down must stop it.
    return ServeProcess(base_env(tmp_path / "data", database_url, worker="internal",
                                 **settings))


class HeldUpload:
    """A document upload whose body stops after its first part until ``release``."""

    def __init__(self, server: ServeProcess, room: Room) -> None:
        request = httpx.Request(
            "POST", f"{server.url}/api/v1/cases/{room.id}/documents",
            data={"designation": "CONFIDENTIAL", "audience": "all"},
            files={"file": ("order.txt", text_doc(), "application/octet-stream")})
        self._body = request.read()
        self._headers = {**room.users["plaintiff_counsel"].headers,
                         "Content-Type": request.headers["Content-Type"]}
        self._url = str(request.url)
        self.started, self._released = threading.Event(), threading.Event()
        self.response: httpx.Response | None = None
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._send, daemon=True)
        self._thread.start()

    def _chunks(self) -> Iterator[bytes]:
        yield self._body[:100]
        self.started.set()
        self._released.wait(300)
        yield self._body[100:]

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


def test_sigterm_lets_an_upload_in_flight_finish_then_exits_cleanly(tmp_path, database_url):
    server = _serve(tmp_path, database_url)
    try:
        api, room = admin_room(server)
        upload = HeldUpload(server, room)
        assert upload.started.wait(120)
        time.sleep(SETTLE_SECONDS)
        server.terminate()
        time.sleep(SETTLE_SECONDS)  # the server is now shutting down, the upload unfinished
        assert server.proc.poll() is None, server.output()
        upload.release()
        assert upload.error is None, upload.error
        assert upload.response is not None and upload.response.status_code == 201, (
            upload.response.text if upload.response is not None else None)
        assert server.proc.wait(120) == 0, server.output()
    finally:
        server.stop()
    out = server.output()
    assert "Application shutdown complete" in out and "Traceback" not in out, out
    # The upload was stored, not lost: a fresh server on the same data serves it.
    doc_id = upload.response.json()["id"]
    again = ServeProcess(base_env(tmp_path / "data", database_url))
    try:
        api.client = again.client()
        r = api.download(room, doc_id, "defense_counsel")
        assert r.status_code == 200 and MARKER.encode() in r.content
    finally:
        api.client.close()
        again.stop()


def test_a_request_outlasting_the_grace_period_is_cut_off(tmp_path, database_url):
    server = _serve(tmp_path, database_url, shutdown_grace_seconds=1)
    try:
        _, room = admin_room(server)
        upload = HeldUpload(server, room)
        assert upload.started.wait(120)
        time.sleep(SETTLE_SECONDS)
        server.terminate()
        assert server.proc.wait(120) == 0, server.output()  # without the upload's end
        upload.release()
        assert upload.response is not None, upload.error
        assert upload.response.status_code == 503
        assert upload.response.json()["code"] == "shutting_down"
    finally:
        server.stop()
    assert "timeout graceful shutdown exceeded" in server.output()
