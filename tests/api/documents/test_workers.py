"""The inspection worker pool: limits applied in the worker, a dead or hung worker refuses
its upload and is replaced, a worker is recycled after its quota, the pool stops with the
app and with the interpreter."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.documents import inspection
from app.documents.pool import WorkerPool
from tests.api.documents.helpers import pdf_doc, png_doc, png_flood
from tests.testclient import TestClient

POOL = inspection.POOL
# Processes, signals and resource limits: checked once, in the SQLite pass. What the
# database sees of them is covered on both: a refused upload (``pdf_too_complex``,
# ``image_too_large``) leaves no row (``test_upload.py::test_bad_upload_refused_and_nothing_
# stored``), and a served one is stored as every other upload is.
pytestmark = [pytest.mark.once]


@pytest.fixture(autouse=True)
def fresh_workers():
    """Each test starts with no worker running, so the first upload starts one."""
    POOL.close()
    yield
    POOL.close()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state != "Z"


def _only_worker() -> int:
    pids = POOL.pids()
    assert pids["busy"] == [] and len(pids["idle"]) == 1, pids
    return pids["idle"][0]


def _wait_until_busy(pid: int) -> None:
    deadline = time.monotonic() + 20
    while pid not in POOL.pids()["busy"]:
        assert time.monotonic() < deadline, "the upload never reached the worker"
        time.sleep(0.01)


def test_limits_are_applied_in_the_worker(api):
    room = api.room()
    assert api.upload(room, png_doc(), filename="a.png").status_code == 201
    limits = Path(f"/proc/{_only_worker()}/limits").read_text()
    rows = {line[:26].strip(): line[26:].split() for line in limits.splitlines()[1:]}
    assert rows["Max address space"][:2] == [str(inspection.WORKER_MEMORY_BYTES)] * 2
    assert rows["Max file size"][:2] == ["0", "0"]
    assert rows["Max core file size"][:2] == ["0", "0"]
    soft, hard = (int(v) for v in rows["Max cpu time"][:2])
    assert soft < hard  # one job's budget, below the budget of the worker's whole life


def test_uploads_reuse_a_warm_worker(api):
    room = api.room()
    assert api.upload(room, pdf_doc(), filename="a.pdf").status_code == 201
    first = _only_worker()
    assert api.upload(room, png_doc(), filename="b.png").status_code == 201
    assert _only_worker() == first


def test_a_worker_that_died_while_idle_is_replaced_and_the_upload_served(api):
    room = api.room()
    assert api.upload(room, pdf_doc(), filename="a.pdf").status_code == 201
    dead = _only_worker()
    os.kill(dead, signal.SIGKILL)
    # Until the kernel has ended it, the pipe still takes the job, and a worker that dies
    # with a job in its pipe counts as killed by that job (the pool cannot tell): wait.
    deadline = time.monotonic() + 20
    while _alive(dead):
        assert time.monotonic() < deadline, "SIGKILL did not end the worker"
        time.sleep(0.01)
    r = api.upload(room, pdf_doc(), filename="b.pdf")
    assert r.status_code == 201, r.text  # the file was not at fault
    assert _only_worker() != dead and not _alive(dead)


def test_a_worker_killed_during_its_job_refuses_that_upload_and_is_replaced(api):
    room = api.room()
    assert api.upload(room, pdf_doc(), filename="a.pdf").status_code == 201
    victim = _only_worker()
    os.kill(victim, signal.SIGSTOP)  # holds the next job inside the worker
    result: list = []
    upload = threading.Thread(target=lambda: result.append(
        api.upload(room, pdf_doc(), filename="b.pdf")))
    upload.start()
    _wait_until_busy(victim)
    os.kill(victim, signal.SIGKILL)  # what a limit (SIGXCPU, the OOM killer) does
    upload.join(60)
    r = result[0]
    assert (r.status_code, r.json()["code"]) == (422, "pdf_too_complex"), r.text
    assert not _alive(victim) and POOL.pids() == {"idle": [], "busy": []}
    assert api.upload(room, pdf_doc(), filename="c.pdf").status_code == 201
    assert _only_worker() != victim


def test_a_timeout_is_refused_and_the_pool_serves_the_next_upload(api, monkeypatch):
    room = api.room()
    assert api.upload(room, png_doc(), filename="a.png").status_code == 201
    hung = _only_worker()
    os.kill(hung, signal.SIGSTOP)  # a parser stuck without using CPU: only the clock ends it
    monkeypatch.setattr(POOL, "timeout", 1.0)
    started = time.monotonic()
    r = api.upload(room, png_doc(), filename="b.png")
    assert (r.status_code, r.json()["code"]) == (422, "image_too_large"), r.text
    assert time.monotonic() - started < 30
    assert not _alive(hung)
    monkeypatch.setattr(POOL, "timeout", inspection.WORKER_TIMEOUT_SECONDS)
    assert api.upload(room, png_doc(), filename="c.png").status_code == 201
    assert _only_worker() != hung


def test_a_worker_is_recycled_after_its_quota_of_jobs(api, monkeypatch):
    monkeypatch.setattr(POOL, "max_jobs", 2)
    room = api.room()
    assert api.upload(room, png_doc(), filename="a.png").status_code == 201
    first = _only_worker()
    assert api.upload(room, png_doc(), filename="b.png").status_code == 201
    assert POOL.pids() == {"idle": [], "busy": []} and not _alive(first)
    assert api.upload(room, png_doc(), filename="c.png").status_code == 201
    assert _only_worker() != first


def test_a_file_that_hits_a_limit_retires_its_worker(api):
    room = api.room()
    assert api.upload(room, pdf_doc(), filename="a.pdf").status_code == 201
    worker = _only_worker()
    r = api.upload(room, png_flood(), filename="b.png")
    assert (r.status_code, r.json()["code"]) == (422, "image_too_large")
    assert not _alive(worker) and POOL.pids() == {"idle": [], "busy": []}


def test_the_workers_stop_when_the_app_stops(app, api, monkeypatch):
    own = WorkerPool(inspection.worker_command(), size=1, max_jobs=10, timeout=30,
                     queue_timeout=30)
    monkeypatch.setattr(inspection, "POOL", own)
    monkeypatch.setattr("app.main.INSPECTION_WORKERS", own)
    room = api.room()
    with TestClient(app) as client:
        r = client.post(f"/api/v1/cases/{room.id}/documents",
                        headers=room.users["plaintiff_counsel"].headers,
                        data={"designation": "CONFIDENTIAL", "audience": "all"},
                        files={"file": ("a.png", png_doc(), "application/octet-stream")})
        assert r.status_code == 201, r.text
        (worker,) = own.pids()["idle"]
        assert _alive(worker)
    assert not _alive(worker) and own.pids() == {"idle": [], "busy": []}


def test_no_worker_outlives_its_server_process(tmp_path):
    image = tmp_path / "a.png"
    image.write_bytes(png_doc())
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from app.documents import inspection as i\n"
        "assert i.run_worker(i.PNG, Path(sys.argv[1]), 'evidence') is None\n"
        "print(i.POOL.pids()['idle'][0])\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(image)], capture_output=True,
                          text=True, timeout=120, cwd=Path(__file__).resolve().parents[3],
                          check=True)
    assert not _alive(int(done.stdout.strip()))
