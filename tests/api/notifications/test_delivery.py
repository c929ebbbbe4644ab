"""The delivery worker under failure and concurrency: killed in the middle of a batch it
loses nothing and sends nothing twice; several workers at once deliver each mail once; the
in-process worker of ``settleroom serve`` delivers without being asked."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models.base import utcnow
from app.models.notifications import MAIL_PENDING, MAIL_SENDING, MAIL_SENT, MailOutbox
from app.notifications.worker import DeliveryWorker
from tests.factories import Api, Room
from tests.mailserver import Inbox


@pytest.fixture
def worker_mode() -> str:
    return "external"


@pytest.fixture
def mail_settings(worker_mode: str) -> dict[str, object]:
    return {"mail_from": "settleroom <rooms@example.org>", "worker": worker_mode,
            "mail_poll_seconds": 0.05}


@pytest.fixture
def room(api: Api) -> Room:
    return api.room()


def _states(app) -> Counter[str]:  # noqa: ANN001
    with app.state.sessionmaker() as s:
        return Counter(s.execute(select(MailOutbox.status)).scalars())


def _message_ids(inbox: Inbox) -> Counter[str]:
    return Counter(str(r.message["Message-ID"]) for r in inbox.received)


def _worker_env(settings) -> dict[str, str]:  # noqa: ANN001
    env = {k: v for k, v in os.environ.items() if not k.startswith("SETTLEROOM_")}
    env.update({
        "SETTLEROOM_DATABASE_URL": settings.resolved_database_url,
        "SETTLEROOM_DATA_DIR": str(settings.data_dir),
        "SETTLEROOM_SECRET_KEY": settings.secret_key.get_secret_value(),
        "SETTLEROOM_SMTP_HOST": "127.0.0.1",
        "SETTLEROOM_SMTP_PORT": str(settings.smtp_port),
        "SETTLEROOM_SMTP_STARTTLS": "false",
        "SETTLEROOM_MAIL_FROM": settings.mail_from,
        "SETTLEROOM_MAIL_POLL_SECONDS": "0.05",
        "SETTLEROOM_MAIL_LEASE_SECONDS": "60",
    })
    return env


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(api, app, room,
                                                                        inbox):
    for _ in range(3):
        api.offer(room)  # two recipients each: six mails
    reached, killed, seen = threading.Event(), threading.Event(), []

    def hold(_to: list[str]) -> str | None:
        seen.append(1)
        if len(seen) == 3:  # the third mail is on the wire when the worker dies
            reached.set()
            killed.wait(30)
            return "451 4.3.0 Connection lost"
        return None

    inbox.hold = hold
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "worker"],
                            env=_worker_env(app.state.settings), cwd=Path.cwd(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert reached.wait(60), proc.stderr.read() if proc.poll() is not None else "no mail"
        proc.kill()
        proc.wait(30)
    finally:
        killed.set()
        if proc.poll() is None:
            proc.kill()
    inbox.hold = None
    assert len(inbox.received) == 2
    assert _states(app) == {MAIL_SENT: 2, MAIL_SENDING: 4}  # its batch stays leased
    # A worker started after the dead one's lease ran out finishes the batch.
    later = DeliveryWorker(app.state.sessionmaker, app.state.settings,
                           clock=lambda: utcnow() + timedelta(minutes=5))
    assert later.drain() == 4
    assert _states(app) == {MAIL_SENT: 6}
    ids = _message_ids(inbox)
    assert len(ids) == 6 and set(ids.values()) == {1}


def test_workers_side_by_side_deliver_each_mail_once(api, app, room, inbox):
    for _ in range(8):
        api.offer(room)
    workers = [DeliveryWorker(app.state.sessionmaker, app.state.settings) for _ in range(3)]
    start = threading.Barrier(len(workers))
    counts: list[int] = []

    def run(worker: DeliveryWorker) -> None:
        start.wait()
        total = 0
        while done := worker.run_once(limit=2):
            total += done
        counts.append(total)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(counts) == 16
    ids = _message_ids(inbox)
    assert len(ids) == 16 and set(ids.values()) == {1}
    assert _states(app) == {MAIL_SENT: 16}


@pytest.mark.parametrize("worker_mode", ["internal"])
def test_serve_delivers_in_process_without_being_asked(api, app, room, inbox, worker_mode):
    api.offer(room)
    deadline = time.monotonic() + 30
    # The server has a mail a moment before the worker records it as sent: wait for both.
    while (len(inbox.received) < 2 or _states(app) != {MAIL_SENT: 2}) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(inbox.received) == 2
    assert _states(app) == {MAIL_SENT: 2}


def test_an_external_worker_setting_leaves_delivery_to_worker_processes(api, app, room, inbox):
    api.offer(room)
    time.sleep(0.5)  # several poll intervals of an in-process worker, were one running
    assert inbox.received == [] and _states(app) == {MAIL_PENDING: 2}
    r = subprocess.run([sys.executable, "-m", "app.cli", "worker", "--once"],
                       env=_worker_env(app.state.settings), cwd=Path.cwd(),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "2 mails attempted" in r.stdout
    assert len(inbox.received) == 2 and _states(app) == {MAIL_SENT: 2}
