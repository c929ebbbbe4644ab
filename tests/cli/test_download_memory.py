"""Downloads run in bounded memory: five recipients downloading a 50 MB PDF at once raise
the resident memory of a real ``settleroom serve`` process by less than 100 MB, and each
gets a valid copy marked for them. A recipient who leaves mid-download leaves no spool file
open behind.

The server's RSS is sampled from /proc while the downloads run, against a baseline taken
just before them (after a small warm-up download, so the modules that marking imports once
per process are not counted as the downloads' memory). Nothing here measures time."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import httpx
import pikepdf
import pytest

from tests.api.documents.helpers import large_pdf, pdf_doc
from tests.factories import Room
from tests.serveproc import ServeProcess, admin_room, base_env

pytestmark = [pytest.mark.once, pytest.mark.slow]

MiB = 1024 * 1024
DOCUMENT_BYTES = 50 * MiB
BOUND_BYTES = 100 * MiB
RECIPIENTS = ("plaintiff_counsel", "plaintiff_client", "defense_counsel", "defense_client",
              "pro_se")
NAMES = {label: label.replace("_", "-").title() for label in RECIPIENTS}  # tests.factories


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS line")


class RssSampler:
    """The highest RSS of ``pid`` seen until ``stop``, read every few milliseconds."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, rss_bytes(pid)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.wait(0.005):
            self.peak = max(self.peak, rss_bytes(self.pid))

    def stop(self) -> int:
        self._done.set()
        self._thread.join()
        return max(self.peak, rss_bytes(self.pid))


def _upload(server: ServeProcess, room: Room, path: Path) -> str:
    with path.open("rb") as f, server.client() as client:
        r = client.post(f"/api/v1/cases/{room.id}/documents",
                        headers=room.users["plaintiff_counsel"].headers,
                        data={"designation": "CONFIDENTIAL", "audience": "all"},
                        files={"file": ("exhibits.pdf", f, "application/octet-stream")})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _download(server: ServeProcess, room: Room, doc_id: str, who: str, dest: Path,
              answers: dict[str, httpx.Response | Exception]) -> None:
    """Stream the copy to ``dest`` (the test process holds none of it in memory)."""
    try:
        with server.client() as client, client.stream(
                "GET", f"/api/v1/cases/{room.id}/documents/{doc_id}/content",
                headers=room.users[who].headers) as r, dest.open("wb") as out:
            for chunk in r.iter_bytes(1 << 20):
                out.write(chunk)
        answers[who] = r
    except Exception as exc:  # noqa: BLE001 - reported by the test's assertion
        answers[who] = exc


def open_spool_files(pid: int, data_dir: Path) -> list[str]:
    """Files the server holds open under its data directory that have no name (spool files:
    ``app.blobs.base.anonymous_file``)."""
    found = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(data_dir.resolve())) and target.endswith("(deleted)"):
            found.append(target)
    return found


def _left_after_first_chunk(server: ServeProcess, room: Room, doc_id: str, who: str,
                            data_dir: Path) -> None:
    """A small receive buffer: loopback buffers would otherwise take in most of the copy,
    and the server would be done with its file before the client leaves."""
    small = httpx.HTTPTransport(socket_options=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)])
    with httpx.Client(base_url=server.url, timeout=120, transport=small) as client, \
            client.stream("GET", f"/api/v1/cases/{room.id}/documents/{doc_id}/content",
                          headers=room.users[who].headers) as r:
        assert r.status_code == 200
        chunks = r.iter_raw(1 << 20)  # kept: a dropped iterator closes the connection
        next(chunks)
        assert len(open_spool_files(server.proc.pid, data_dir)) == 1  # the copy, streaming
    # Leaving the block closes the connection with most of the copy unread.


def _footer(copy: pikepdf.Pdf) -> str:
    contents = copy.pages[0].obj.Contents
    return bytes(contents[len(contents) - 1].read_bytes()).decode("latin-1")


def test_five_concurrent_downloads_of_a_50_mb_pdf_stay_within_100_mb(tmp_path):
    source = tmp_path / "exhibits.pdf"
    pages = large_pdf(source, DOCUMENT_BYTES)
    assert source.stat().st_size >= DOCUMENT_BYTES
    data_dir = tmp_path / "data"
    server = ServeProcess(base_env(data_dir, None, max_upload_bytes=64 * MiB))
    try:
        api, room = admin_room(server)
        doc_id = _upload(server, room, source)
        small = api.document(room, pdf_doc(), filename="order.pdf")["id"]
        warm = api.download(room, small, "defense_counsel")
        assert warm.status_code == 200, warm.text

        baseline = rss_bytes(server.proc.pid)
        sampler = RssSampler(server.proc.pid)
        answers: dict[str, httpx.Response | Exception] = {}
        threads = [threading.Thread(target=_download, args=(
            server, room, doc_id, who, tmp_path / f"{who}.pdf", answers)) for who in RECIPIENTS]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        peak = sampler.stop()

        for who in RECIPIENTS:
            r = answers.get(who)
            assert isinstance(r, httpx.Response) and r.status_code == 200, (who, r)
        growth = peak - baseline
        assert growth < BOUND_BYTES, (
            f"RSS rose by {growth / MiB:.1f} MiB (baseline {baseline / MiB:.1f} MiB, "
            f"peak {peak / MiB:.1f} MiB)")

        tags = set()
        for who in RECIPIENTS:
            with pikepdf.open(tmp_path / f"{who}.pdf") as copy:
                assert len(copy.pages) == pages
                assert f"Copy for {NAMES[who]} " in _footer(copy)
                tags.add(str(copy.docinfo["/SettleroomTag"]))
        assert len(tags) == len(RECIPIENTS)  # one code per download

        # The server notices the disconnect and closes the copy's file: nothing stays open.
        _left_after_first_chunk(server, room, doc_id, "plaintiff_counsel", data_dir)
        deadline = time.monotonic() + 60
        while open_spool_files(server.proc.pid, data_dir) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert open_spool_files(server.proc.pid, data_dir) == []

        leaked = tmp_path / "defense_client.pdf"
        with leaked.open("rb") as f, server.client() as client:
            traced = client.post("/api/v1/traces", headers=room.users["auditor"].headers,
                                 files=[("file", ("leak.pdf", f, "application/octet-stream"))])
        assert traced.status_code == 200, traced.text
        got = traced.json()
        assert got["verdict"] == "identified", got
        download = answers["defense_client"]
        assert isinstance(download, httpx.Response)
        assert [m["download_id"] for m in got["matches"]] == [download.headers["x-download-id"]]
    finally:
        server.stop()
    assert "Traceback" not in server.output(), server.output()
