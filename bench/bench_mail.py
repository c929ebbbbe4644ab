"""Mail delivery: the worker's throughput against a local SMTP server, and whether a burst of
notifications slows requests, each against a baseline measured in the same run.

- Throughput: ``--events`` notification mails (a settlement offer to a party with many
  counsel) delivered by ``DeliveryWorker.drain()`` to an aiosmtpd server on loopback,
  against the same number of messages sent with bare ``smtplib``, one connection per batch
  of 50 as the worker keeps. Printed: worker / bare (target: close to 1; the worker adds
  a lease, a read and a write per mail).
- Requests during a burst: ``GET /api/v1/cases/{id}`` timed while a worker drains the
  burst, against the same request with no worker running. Printed: median during / median
  idle (target <= 1.2 for the default), for the embedded default (the thread of
  ``settleroom serve``, which yields to requests in flight), for the same thread without
  yielding (``drain()``, as before), and for a ``settleroom worker`` process (it shares
  only the cores).
- The price of yielding: the embedded default's delivery rate while the requests run,
  against the rate of ``drain()`` without yielding.
Absolute figures go to comments only.

Usage: .venv/bin/python bench/bench_mail.py [--events 1000] [--rounds 200]
"""

from __future__ import annotations

import argparse
import os
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402

from app.config import Settings  # noqa: E402
from app.main import create_app  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.notifications.worker import BATCH  # noqa: E402
from tests.factories import Api  # noqa: E402
from tests.mailserver import smtp_server  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
COUNSEL = 25  # recipients per offer: events = offers * COUNSEL


def build(api: Api, events: int, *, case_id: str | None = None,
          headers: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """A case whose defendant has ``COUNSEL`` counsel, and ``events`` mails to them (again
    in the same case when ``case_id`` is given)."""
    if case_id is not None and headers is not None:
        _offers(api, case_id, headers, events)
        return case_id, headers
    admin = api.user("admin")
    case_id = api.case(admin)
    plaintiff = api.party(case_id, admin, "Jane Doe", "plaintiff")
    defendant = api.party(case_id, admin, "Acme Corp.", "defendant")
    maker = api.user("maker")
    api.member(case_id, admin, maker, "counsel", plaintiff)
    for i in range(COUNSEL):
        api.member(case_id, admin, api.user(f"defense{i}"), "counsel", defendant)
    api.app.state.mailer.drain()  # the seat notices are not part of the burst
    _offers(api, case_id, maker.headers, events)
    return case_id, maker.headers


def _offers(api: Api, case_id: str, headers: dict[str, str], events: int) -> None:
    parties = api.client.get(f"/api/v1/cases/{case_id}/parties", headers=headers).json()
    side = {p["side"]: p["id"] for p in parties}
    body = {"from_party_id": side["plaintiff"], "to_party_id": side["defendant"],
            "amount_cents": 100_000, "terms": "Mutual release"}
    for _ in range(events // COUNSEL):
        r = api.client.post(f"/api/v1/cases/{case_id}/offers", headers=headers, json=body)
        assert r.status_code == 201, r.text


def worker_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SETTLEROOM_")}
    assert settings.secret_key is not None
    env.update({"SETTLEROOM_DATABASE_URL": settings.resolved_database_url,
                "SETTLEROOM_DATA_DIR": str(settings.data_dir),
                "SETTLEROOM_SECRET_KEY": settings.secret_key.get_secret_value(),
                "SETTLEROOM_SMTP_HOST": "127.0.0.1",
                "SETTLEROOM_SMTP_PORT": str(settings.smtp_port),
                "SETTLEROOM_SMTP_STARTTLS": "false"})
    return env


def bare_smtp(port: int, count: int) -> float:
    """The same number of messages with bare smtplib, one connection per ``BATCH`` as the
    worker keeps one per batch."""
    start = time.perf_counter()
    for first in range(0, count, BATCH):
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            for i in range(first, min(first + BATCH, count)):
                msg = EmailMessage()
                msg["From"], msg["To"] = "a@example.org", "b@example.org"
                msg["Subject"] = f"m{i}"
                msg.set_content("A settlement offer was made.\n")
                smtp.send_message(msg)
    return time.perf_counter() - start


def timed_reads(client: TestClient, path: str, headers: dict[str, str], n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        assert client.get(path, headers=headers).status_code == 200
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, smtp_server() as inbox:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        app = create_app(Settings(  # type: ignore[call-arg]
            env="dev", data_dir=Path(tmp) / "data", database_url=url,
            secret_key="bench-secret-key-0123456789abcdef0123456789",
            argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1,
            smtp_host="127.0.0.1", smtp_port=inbox.port, smtp_starttls=False,
            worker="external"))
        with TestClient(app) as client:
            api = Api(client, app)
            case_id, headers = build(api, args.events)
            seated = len(inbox.received)
            path = f"/api/v1/cases/{case_id}"
            timed_reads(client, path, headers, args.rounds)  # warm-up: caches, first imports
            idle = timed_reads(client, path, headers, args.rounds)
            worker_seconds: list[float] = []

            def drain() -> None:
                start = time.perf_counter()
                app.state.mailer.drain()
                worker_seconds.append(time.perf_counter() - start)

            thread = threading.Thread(target=drain)
            thread.start()
            during = timed_reads(client, path, headers, args.rounds)
            thread.join()
            delivered = len(inbox.received) - seated
            bare = bare_smtp(inbox.port, delivered)
            # The embedded default: the thread of ``settleroom serve``, yielding to requests.
            build(api, args.events, case_id=case_id, headers=headers)
            before, start = len(inbox.received), time.perf_counter()
            app.state.mailer.start()
            app.state.mailer.wake()
            yielding = timed_reads(client, path, headers, args.rounds)
            timed, timed_seconds = len(inbox.received) - before, time.perf_counter() - start
            while len(inbox.received) - before < delivered:
                time.sleep(0.01)
            yielding_seconds = time.perf_counter() - start
            app.state.mailer.stop()
            assert timed < delivered, "the burst ended before the timing did: raise --events"
            build(api, args.events, case_id=case_id, headers=headers)
            delivered_before = len(inbox.received)
            process = subprocess.Popen(
                [sys.executable, "-m", "app.cli", "worker", "--once"],
                env=worker_env(app.state.settings), cwd=ROOT, stdout=subprocess.DEVNULL)
            while len(inbox.received) == delivered_before:  # until the process is delivering
                assert process.poll() is None, "the worker process ended early"
                time.sleep(0.01)
            beside = timed_reads(client, path, headers, args.rounds)
            still_running = process.poll() is None
            process.wait(600)
            assert still_running, "the burst ended before the timing did: raise --events"
        worker_rate, bare_rate = delivered / worker_seconds[0], delivered / bare
        median_idle = statistics.median(idle)
        print(f"mail worker: {delivered} mails; worker / bare smtplib throughput = "
              f"{worker_rate / bare_rate:.2f} (target close to 1)")
        print(f"  # worker {worker_rate:.0f} mails/s, bare smtplib {bare_rate:.0f} mails/s")
        print("requests during the burst / idle (median GET case; target <= 1.2 for the "
              "default):")
        print(f"  embedded default (yields to requests) "
              f"{statistics.median(yielding) / median_idle:.2f}, in-process without "
              f"yielding {statistics.median(during) / median_idle:.2f}, worker process "
              f"{statistics.median(beside) / median_idle:.2f}")
        yielding_rate = timed / timed_seconds
        print(f"embedded default's throughput while requests run / without yielding = "
              f"{yielding_rate / worker_rate:.2f}; the whole burst / without yielding = "
              f"{delivered / yielding_seconds / worker_rate:.2f}")
        print(f"  # idle {median_idle * 1000:.1f} ms; embedded default "
              f"{statistics.median(yielding) * 1000:.1f} ms, without yielding "
              f"{statistics.median(during) * 1000:.1f} ms, process "
              f"{statistics.median(beside) * 1000:.1f} ms; embedded default "
              f"{yielding_rate:.0f} mails/s while requests run ({timed} mails)")


if __name__ == "__main__":
    main()
