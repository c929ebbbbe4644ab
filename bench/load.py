"""Load and the audit log's append rate, measured on PostgreSQL over loopback.

Part 1, load (default): a fresh database is created on ``--server`` (and dropped after),
``settleroom serve`` is started on it on a loopback port, rooms are built through the API
(one room per ``USERS_PER_ROOM`` simulated users, every role seated), and ``--users``
simulated users (one thread and one HTTP connection each) run the whole flow for
``--seconds``, each as fast as the server answers:

    sign in -> offer -> list offers -> Rule 68 offer -> ENE message -> ENE messages list
    -> (every UPLOAD_EVERY rounds) upload -> download (a traced copy)
    -> (every TRACE_EVERY rounds) trace that copy

Printed per action: count, throughput, p50 and p99 latency; then the total, and every
error (a status that is not the action's success, or a connection failure) by kind. The
run exits 1 on any error: "zero errors" is the bar. Passwords are hashed at the tests'
argon2 cost (t=1, 64 KiB), so sign-in measures the service, not argon2; audit events are
sequenced in the background, as in production.

Part 2, ``--audit``: audited writes (one request's service path: case guard, a party row,
its audit event, commit) by 1, 8 and 32 concurrent writers, each in its own case, with two
baselines at the same concurrency: the same path with the audit record made a no-op
("unaudited"), and raw SQL (``SELECT ... FOR UPDATE`` + INSERT + COMMIT); medians of
``--rounds`` runs of ``--audit-seconds``. Printed: each kind's rate at c=8 and c=32 as a
ratio to its c=1, and audited / unaudited at each concurrency: if the audited rate
flattened while the unaudited one still grew (audited / unaudited falling with c), the
log would be the limit. (Appends insert into ``audit_pending`` without a shared lock; one sequencer
integrates them in batches, as transparency logs do.)

Part 3, ``--faults``: the same users while PostgreSQL is lost for ``--outage`` seconds (a
TCP proxy in front of it is cut, then restored; the shared server is never restarted).
Printed: how many requests were refused with 503 ``database_unavailable`` and how fast
(p50, p99, max), ``/readyz`` during the outage, and the time from the restore to the first
success. Exits 1 on any other error, a success-less recovery, or a traceback in the
server's log. The other faults (SIGKILL mid-upload, the object store unreachable, a full
disk) are tests: tests/cli/test_faults.py, tests/api/blobs/test_unavailable.py,
tests/api/blobs/test_local_store.py.

Absolute figures depend on the machine; README states the one measured on.

Usage: .venv/bin/python bench/load.py [--users 50] [--seconds 300]
       .venv/bin/python bench/load.py --users 4 --seconds 20        (a quick run)
       .venv/bin/python bench/load.py --faults [--users 50] [--outage 10]
       .venv/bin/python bench/load.py --audit [--audit-seconds 3] [--rounds 3]
       [--server postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from tests import dbutil  # noqa: E402
from tests.api.documents.helpers import text_doc  # noqa: E402
from tests.factories import OWN_PASSWORD, Api, Room, User  # noqa: E402
from tests.serveproc import ADMIN_EMAIL, ServeProcess, base_env  # noqa: E402

USERS_PER_ROOM = 2
# The mix: documents are filed less often than offers and messages are exchanged, and a
# leak investigation is rarer still. A trace looks its candidates up in the trace index and
# compares only those (README "Tracing at scale: the trace index"); the figures in README's
# "Load and faults" were measured before the index, when it compared every downloaded
# version in the tracer's cases.
UPLOAD_EVERY = 3  # rounds: upload one document and download a traced copy of it
TRACE_EVERY = 15  # rounds: trace that copy (a multiple of UPLOAD_EVERY)
CLIENT_TIMEOUT = 60.0  # a request slower than this is an error, not a long sample
AUDIT_WRITERS = (1, 8, 32)
FAULT_STEADY_SECONDS = 10.0  # of load before the cut and after the restore
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass
class Recorder:
    """Latencies per action, and errors by kind (status and problem code, or exception
    type); never a body."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    # Every answer: (sent at, answered at, "ok" or the error's kind), perf_counter seconds.
    answers: list[tuple[float, float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, action: str, ok: int, send: Callable[..., httpx.Response], url: str,
             **kw: Any) -> httpx.Response | None:
        began = time.perf_counter()
        try:
            r = send(url, **kw)
        except httpx.HTTPError as exc:
            self._error(action, type(exc).__name__, began)
            return None
        elapsed = time.perf_counter() - began
        if r.status_code != ok:
            code = r.json().get("code") if r.headers.get("content-type", "").endswith(
                "json") else ""
            self._error(action, f"{r.status_code} {code}", began)
            return None
        with self.lock:
            self.latencies[action].append(elapsed)
            self.answers.append((began, began + elapsed, "ok"))
        return r

    def _error(self, action: str, kind: str, began: float) -> None:
        with self.lock:
            self.errors[f"{action}: {kind}"] += 1
            self.answers.append((began, time.perf_counter(), kind))


@dataclass
class Scene:
    """One room and what its users act on: the ENE session hosted by its neutral."""

    room: Room
    ene_session_id: str


def admin_of(server: ServeProcess) -> Api:
    api = Api(server.client(), None)  # type: ignore[arg-type]
    r = api.login(ADMIN_EMAIL)
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    me = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    api._admin = User(me["id"], ADMIN_EMAIL, token, r.json()["refresh_token"])
    return api


def build_scenes(api: Api, rooms: int) -> list[Scene]:
    scenes = []
    for _ in range(rooms):
        room = api.http_room()
        api.consent_all(room)
        scenes.append(Scene(room, api.ene_session(room)["id"]))
    return scenes


def simulated_user(url: str, scene: Scene, rec: Recorder, stop: threading.Event) -> None:
    room, case = scene.room, f"/api/v1/cases/{scene.room.id}"
    parties, counsel = room.parties, room.users["plaintiff_counsel"]
    defense, admin = room.users["defense_counsel"].headers, room.users["room_admin"].headers
    ene = f"{case}/ene-sessions/{scene.ene_session_id}"
    doc = text_doc()  # a one-page order, about 3 KB
    offer = {"from_party_id": parties["plaintiff"], "to_party_id": parties["defendant"],
             "amount_cents": 1_234_567, "terms": "Mutual release; dismissal with prejudice"}
    rule68 = {"offeror_party_id": parties["defendant"], "offeree_party_id": parties["plaintiff"],
              "amount_cents": 7_654_321, "costs": "plus_accrued",
              "terms": "Judgment against Acme for the sum stated"}
    message = {"channel": f"caucus:{parties['plaintiff']}",
               "body": "Our client would consider a structured payment."}
    upload = {"data": {"designation": "CONFIDENTIAL", "audience": "all"},
              "files": {"file": ("exhibit.txt", doc, "application/octet-stream")}}
    page = {"limit": 20}
    with httpx.Client(base_url=url, timeout=CLIENT_TIMEOUT) as c:
        for round_no in itertools.count(1):
            if stop.is_set():
                return
            r = rec.call("sign in", 200, c.post, "/api/v1/auth/token",
                         data={"username": counsel.email, "password": OWN_PASSWORD})
            me = {"Authorization": f"Bearer {r.json()['access_token']}"} if r else counsel.headers
            rec.call("offer", 201, c.post, f"{case}/offers", headers=me, json=offer)
            rec.call("list offers", 200, c.get, f"{case}/offers", headers=me, params=page)
            rec.call("Rule 68 offer", 201, c.post, f"{case}/rule68-offers", headers=defense,
                     json=rule68)
            rec.call("ENE message", 201, c.post, f"{ene}/messages", headers=me, json=message)
            rec.call("ENE messages", 200, c.get, f"{ene}/messages", headers=me, params=page)
            if round_no % UPLOAD_EVERY:
                continue
            up = rec.call("upload", 201, c.post, f"{case}/documents", headers=me, **upload)
            if up is None:
                continue
            got = rec.call("download", 200, c.get,
                           f"{case}/documents/{up.json()['id']}/content", headers=defense)
            if got is None or round_no % TRACE_EVERY:
                continue
            rec.call("trace", 200, c.post, "/api/v1/traces", headers=admin,
                     json={"text": got.content.decode()})


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_load(args: argparse.Namespace) -> int:
    os.environ[dbutil.PG_ENV] = args.server
    rooms = max(1, -(-args.users // USERS_PER_ROOM))
    with dbutil.throwaway_pg_database("settleroom_load") as url, \
            tempfile.TemporaryDirectory() as tmp:
        server = ServeProcess(base_env(Path(tmp) / "data", url, audit_sequencing="background"),
                              name="load")
        try:
            api = admin_of(server)
            began = time.perf_counter()
            scenes = build_scenes(api, rooms)
            print(f"setup: {rooms} room(s) built through the API in "
                  f"{time.perf_counter() - began:.1f} s")
            rec, stop = Recorder(), threading.Event()
            threads = [threading.Thread(target=simulated_user,
                                        args=(server.url, scenes[i % rooms], rec, stop))
                       for i in range(args.users)]
            began = time.perf_counter()
            for t in threads:
                t.start()
            time.sleep(args.seconds)
            stop.set()
            for t in threads:
                t.join(CLIENT_TIMEOUT * 2)
            wall = time.perf_counter() - began
            load1 = os.getloadavg()[0]
        finally:
            server.stop()
            api.client.close()
    report(args, rec, wall, load1)
    return 1 if rec.errors else 0


def run_faults(args: argparse.Namespace) -> int:
    """The database lost under load: a TCP proxy in front of ``--server`` is cut for
    ``--outage`` seconds (the shared server itself is never restarted), then restored."""
    from sqlalchemy import make_url  # noqa: PLC0415

    from tests.tcpproxy import TcpProxy  # noqa: PLC0415

    os.environ[dbutil.PG_ENV] = args.server
    rooms = max(1, -(-args.users // USERS_PER_ROOM))
    with dbutil.throwaway_pg_database("settleroom_faults") as url, \
            tempfile.TemporaryDirectory() as tmp:
        target = make_url(url)
        proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
        via = target.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False)
        server = ServeProcess(base_env(Path(tmp) / "data", via, audit_sequencing="background"),
                              name="faults")
        try:
            api = admin_of(server)
            scenes = build_scenes(api, rooms)
            rec, stop = Recorder(), threading.Event()
            threads = [threading.Thread(target=simulated_user,
                                        args=(server.url, scenes[i % rooms], rec, stop))
                       for i in range(args.users)]
            for t in threads:
                t.start()
            time.sleep(FAULT_STEADY_SECONDS)
            cut_at = time.perf_counter()
            proxy.cut()
            time.sleep(args.outage / 2)
            ready = api.client.get("/readyz")
            readiness = f"{ready.status_code} {ready.json().get('code', '')}"
            time.sleep(args.outage / 2)
            restored_at = time.perf_counter()
            proxy.restore()
            time.sleep(FAULT_STEADY_SECONDS)
            stop.set()
            for t in threads:
                t.join(CLIENT_TIMEOUT * 2)
        finally:
            server.stop()
            proxy.close()
            api.client.close()
        traceback = "Traceback" in server.output()
    return fault_report(args, rec, cut_at, restored_at, readiness, traceback)


def fault_report(args: argparse.Namespace, rec: Recorder, cut_at: float, restored_at: float,
                 readiness: str, traceback: bool) -> int:
    """Before the cut every answer is a success; from the cut until the first success after
    the restore, each is a success (it finished in time) or a 503 ``database_unavailable``;
    after that, successes again. Anything else fails the run."""
    lost = "503 database_unavailable"
    recovered_at = min((end for start, end, kind in rec.answers
                        if kind == "ok" and start >= restored_at), default=None)
    wrong = Counter(kind for start, end, kind in rec.answers if kind != "ok" and (
        kind != lost or end < cut_at or (recovered_at is not None and start > recovered_at)))
    # Fail fast: the requests sent once the database was gone (those already in flight at
    # the cut are counted apart: they waited on the work they had started).
    refused = [end - start for start, end, kind in rec.answers
               if kind == lost and start >= cut_at]
    in_flight = sum(1 for start, _, kind in rec.answers if kind == lost and start < cut_at)
    print(f"\ndatabase lost for {args.outage:g} s under {args.users} simulated users "
          f"(PostgreSQL behind a TCP proxy that was cut; load average "
          f"{os.getloadavg()[0]:.1f})")
    print(f"  answers: {len(rec.answers)}; 503 database_unavailable to requests sent "
          f"during the outage: {len(refused)} (and to {in_flight} in flight at the cut)"
          + (f", p50 {percentile(refused, 0.5) * 1000:.0f} ms, p99 "
             f"{percentile(refused, 0.99) * 1000:.0f} ms, max {max(refused) * 1000:.0f} ms"
             if refused else ""))
    print(f"  /readyz during the outage: {readiness}")
    print("  first success after the restore: " + (
        f"{recovered_at - restored_at:.2f} s" if recovered_at is not None else "never"))
    print(f"  other errors: {sum(wrong.values())}; tracebacks in the server's log: "
          f"{'yes' if traceback else 'no'}")
    for kind, n in sorted(wrong.items()):
        print(f"  {n:>6}  {kind}")
    failed = (wrong or not refused or recovered_at is None or traceback
              or readiness != "503 database_unavailable")
    return 1 if failed else 0


def report(args: argparse.Namespace, rec: Recorder, wall: float, load1: float) -> None:
    print(f"\n{args.users} simulated users for {wall:.0f} s, PostgreSQL, one `settleroom serve`"
          f" process, loopback (load average at the end: {load1:.1f})")
    print(f"{'action':<16}{'count':>8}{'per s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    total = 0
    for action, values in rec.latencies.items():
        total += len(values)
        print(f"{action:<16}{len(values):>8}{len(values) / wall:>9.1f}"
              f"{percentile(values, 0.50) * 1000:>9.0f}{percentile(values, 0.99) * 1000:>9.0f}")
    print(f"{'all':<16}{total:>8}{total / wall:>9.1f}")
    print(f"errors: {sum(rec.errors.values())}")
    for kind, n in sorted(rec.errors.items()):
        print(f"  {n:>6}  {kind}")


def run_audit(args: argparse.Namespace) -> int:
    import bench_audited_writes as aw  # noqa: PLC0415 - beside this file; loads the app

    from app.audit import sequencer  # noqa: PLC0415
    from app.audit.log import LogSigner  # noqa: PLC0415
    from app.db import make_engine, make_sessionmaker  # noqa: PLC0415
    from app.migrate import upgrade  # noqa: PLC0415
    from crypto import signing  # noqa: PLC0415

    os.environ[dbutil.PG_ENV] = args.server
    writers = max(AUDIT_WRITERS)
    with dbutil.throwaway_pg_database("settleroom_bench") as url, \
            tempfile.TemporaryDirectory() as key_dir:
        upgrade(url)
        engine = make_engine(url, pool_size=writers + 4)
        factory = make_sessionmaker(engine)
        seq = sequencer.Sequencer(factory, LogSigner(signing.generate_private_key(),
                                                     aw.ORIGIN, 60))
        seq.start()
        try:
            principal, cases = aw.setup_cases(factory, writers, Path(key_dir))
            audited = aw.audited_write(factory, principal, cases)
            kinds = {"audited": audited, "unaudited": audited,
                     "raw": aw.raw_write(engine, cases)}
            for kind, write in kinds.items():  # warm up pools, caches, prepared statements
                aw.measure(kind, write, writers, 0.5)
            rates: dict[tuple[str, int], list[float]] = defaultdict(list)
            for _ in range(args.rounds):
                for c in AUDIT_WRITERS:
                    for kind, write in kinds.items():
                        rates[kind, c].append(aw.measure(kind, write, c, args.audit_seconds))
            summary = aw.check_log(factory, seq)
        finally:
            seq.stop()
            engine.dispose()
    med = {k: statistics.median(v) for k, v in rates.items()}
    print(f"audit appends (audited writes) by concurrent writers, PostgreSQL, median of "
          f"{args.rounds} x {args.audit_seconds:g} s; baseline: raw SELECT FOR UPDATE + "
          f"INSERT + COMMIT at the same concurrency (load average {os.getloadavg()[0]:.1f})")
    print("  (unaudited: the same service path with the audit record made a no-op)")
    for c in AUDIT_WRITERS:
        print(f"  c={c:<3} audited / c=1: {med['audited', c] / med['audited', 1]:5.2f}x   "
              f"unaudited / c=1: {med['unaudited', c] / med['unaudited', 1]:5.2f}x   "
              f"raw / c=1: {med['raw', c] / med['raw', 1]:5.2f}x   "
              f"audited / unaudited: {med['audited', c] / med['unaudited', c]:.2f}   "
              f"({med['audited', c]:,.0f} appends/s)")  # absolute: this machine only
    print(f"  log afterwards: {summary}")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--audit", action="store_true",
                        help="measure the audit log's append rate instead of the load")
    parser.add_argument("--faults", action="store_true",
                        help="cut the database away under load, then restore it")
    parser.add_argument("--outage", type=float, default=10.0)
    parser.add_argument("--audit-seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--server", default=os.environ.get(dbutil.PG_ENV, DEFAULT_SERVER))
    args = parser.parse_args()
    if args.users < 1 or args.seconds <= 0:
        parser.error("--users and --seconds must be positive")
    if args.audit:
        sys.exit(run_audit(args))
    sys.exit(run_faults(args) if args.faults else run_load(args))


if __name__ == "__main__":
    main()
