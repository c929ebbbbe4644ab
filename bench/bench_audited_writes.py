"""Audited writes on PostgreSQL against a raw write, both measured in the same run.

Audited write: one request's work through the real service path, ``POST
/cases/{id}/parties`` without HTTP: a session from the app's factory, the case guard's
membership load, ``cases.service.add_party`` (party row + pending audit event), commit.
The app's background sequencer runs meanwhile, integrating the events in batches.

Baseline: raw SQL on the same engine: ``SELECT ... FOR UPDATE`` of the writer's case row,
INSERT of a party row, COMMIT. For attribution, the same service path with ``record`` made
a no-op is measured too ("unaudited"): audited / unaudited is what the audit log costs.

Each writer works in its own case (independent rooms must not wait for each other; the
old design serialised every audited write on one counter row). Throughput is measured for
``--seconds`` per run at c=1 and c=8, alternating audited and baseline runs for
``--rounds`` rounds and comparing medians. Printed:
- audited / baseline throughput at c=1 (goal >= 0.80),
- audited c=8 / c=1 throughput (goal >= 3x), with the baseline's own c=8 / c=1 beside it,
- what the two goals together ask of c=8: 3 x 0.80 = 2.4x the raw c=1 rate, against what
  the raw write (no event, no guard, no sequencer) reaches at c=8 on the same host,
- the worst sequencing delay seen: from an action's commit to its batch's commit (goal
  < 1 s), and from the action's timestamp (which adds the rest of the action's own
  transaction),
- where the CPU goes, when PostgreSQL runs on this host (its processes are read from
  ``/proc``): CPU per write of this process (writers and sequencer) and of the throwaway
  database's backends, and from them the most c=8 can reach over c=1 on this host's cores
  however the writers are spread over processes: cores x (c=1 time per write) / (CPU per
  write at c=8). At c=1 a write's Python and its backend's work run one after the other
  with little idle time between them, so one writer already keeps about one core busy.
  Under load from other work the c=1 time per write includes waits for a core, which
  raises this ceiling above what a dedicated host allows.
Afterwards the log must be gapless, fully sequenced and pass ``verify_log``.

Commits are durable, as deployed and as issue #12 measured them: each waits for its WAL to
reach the disk (``synchronous_commit`` as the server has it, ``on`` by default), so a c=1
write also waits for a flush and concurrent commits share flushes; this is where a design
that serialises writers shows (the old counter-row lock gave x1.04 from c=1 to c=8).
``--async-commit`` commits as the tests' throwaway databases do (``synchronous_commit=off``):
no write waits for the disk, and the figures measure the service's CPU alone.

Usage: .venv/bin/python bench/bench_audited_writes.py [--seconds 3] [--rounds 3]
       [--async-commit] [--server postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, make_url, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from app.audit import sequencer  # noqa: E402
from app.audit.log import LogSigner  # noqa: E402
from app.audit.repository import count_pending  # noqa: E402
from app.audit.verify import verify_log  # noqa: E402
from app.authz.permissions import Permission  # noqa: E402
from app.cases import service as cases_service  # noqa: E402
from app.cases.schemas import CaseCreate, PartyCreate  # noqa: E402
from app.context import Principal  # noqa: E402
from app.db import make_engine, make_sessionmaker, transaction  # noqa: E402
from app.deps import load_case_context  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.models.users import User  # noqa: E402
from crypto import signing  # noqa: E402
from crypto.providers import provider_from_settings  # noqa: E402
from tests import dbutil  # noqa: E402

ORIGIN = "bench.settleroom/audit-log"
CONCURRENCY = (1, 8)

Write = Callable[[int], None]  # one write by writer w


def setup_cases(factory: sessionmaker[Session], writers: int,
                key_dir: Path) -> tuple[Principal, list[uuid.UUID]]:
    """A user who is room admin of one case per writer."""
    provider = provider_from_settings("local", key_dir, master_key=os.urandom(32))
    with transaction(factory) as session:
        user = User(email="bench@example.com", name="Bench", password_hash="-")
        session.add(user)
        session.flush()
        principal = Principal(user_id=user.id, email=user.email, name=user.name,
                              is_platform_admin=False)
        cases = [cases_service.create_case(session, principal, provider, data=CaseCreate(
            caption="Bench v. Bench", court="N.D. Cal.", court_state="CA",
            docket_number=f"3:26-cv-{i:05d}")).id for i in range(writers)]
    return principal, cases


def audited_write(factory: sessionmaker[Session], principal: Principal,
                  cases: list[uuid.UUID]) -> Write:
    def write(w: int) -> None:
        with transaction(factory) as session:
            ctx = load_case_context(session, principal, cases[w], Permission.CASE_MANAGE)
            cases_service.add_party(session, ctx, data=PartyCreate(
                name="Party", side="plaintiff", represented=True))
    return write


class CpuMeter:
    """CPU seconds of this process and of the database's PostgreSQL backends, the latter
    from ``/proc/<pid>/schedstat`` (nanoseconds on CPU), so only when the server runs on
    this host; ``available`` is False otherwise. The WAL writer and the checkpointer are
    not counted: they serve every database of the server, and others' work would count."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        self.available = _schedstat(pid) is not None

    def backends(self) -> set[int]:
        with self.engine.connect() as conn:
            return set(conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            )).scalars())

    def sample(self, pids: set[int]) -> tuple[float, float]:
        """(this process, the backends ``pids``); a backend gone since counts 0."""
        return time.process_time(), sum(_schedstat(pid) or 0.0 for pid in pids)


def _schedstat(pid: int) -> float | None:
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class Profile:
    """Where the time goes: each run's CPU per write (this process, the backends) per kind
    and concurrency, and every c=1 write's own latency per kind (its median, unlike the
    mean, is hardly moved by the few writes that waited long for a core on a busy host)."""

    meter: CpuMeter
    cpu: dict[tuple[str, int], list[tuple[float, float]]] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=dict)


def measure(kind: str, write: Write, writers: int, seconds: float,
            profile: Profile | None = None) -> float:
    """Writes per second. The "unaudited" kind runs the audited write with ``record`` made
    a no-op. With ``profile``, the run's CPU and latencies are added to it."""
    real = cases_service.record
    if kind == "unaudited":
        cases_service.record = lambda *_, **__: None  # type: ignore[assignment]
    try:
        if profile is None:
            return throughput(write, writers, seconds)[0]
        if writers == 1:
            write = timed(write, profile.latencies.setdefault(kind, []))
        pids = profile.meter.backends()  # the pool's and the sequencer's, warmed up
        own0, pg0 = profile.meter.sample(pids)
        rate, writes = throughput(write, writers, seconds)
        own1, pg1 = profile.meter.sample(pids)
        profile.cpu.setdefault((kind, writers), []).append(
            ((own1 - own0) / writes, (pg1 - pg0) / writes))
        return rate
    finally:
        cases_service.record = real


def timed(write: Write, latencies: list[float]) -> Write:
    """``write`` appending its latency; for one writer thread only (no lock)."""
    def run(w: int) -> None:
        began = time.perf_counter()
        write(w)
        latencies.append(time.perf_counter() - began)
    return run


def raw_write(engine: Engine, cases: list[uuid.UUID]) -> Write:
    lock = text("SELECT id FROM cases WHERE id = :id FOR UPDATE")
    insert = text("INSERT INTO parties (id, case_id, name, side, represented, created_at) "
                  "VALUES (:id, :case_id, 'Party', 'plaintiff', true, now())")

    def write(w: int) -> None:
        with engine.begin() as conn:
            conn.execute(lock, {"id": cases[w]})
            conn.execute(insert, {"id": uuid.uuid4(), "case_id": cases[w]})
    return write


def throughput(write: Write, writers: int, seconds: float) -> tuple[float, int]:
    """Writes per second by ``writers`` threads writing as fast as they can, and how many
    writes they made (those finishing after the stop included, as in the rate)."""
    stop, counts = threading.Event(), [0] * writers
    start_line = threading.Barrier(writers + 1)

    def run(w: int) -> None:
        start_line.wait()
        while not stop.is_set():
            write(w)
            counts[w] += 1

    threads = [threading.Thread(target=run, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    start_line.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - began), sum(counts)


def check_log(factory: sessionmaker[Session], seq: sequencer.Sequencer) -> str:
    seq.sequence_pending()
    with factory() as session:
        indices = session.execute(text("SELECT leaf_index FROM audit_events ORDER BY 1")
                                  ).scalars().all()
        assert indices == list(range(len(indices))), "leaf indices have a gap"
        assert count_pending(session) == 0
        report = verify_log(session)
        assert report.ok, report.problems[:3]
    return f"{report.events:,} events gapless, verify ok"


def durable(url: str) -> str:
    """``url`` with the server's own commit durability (``synchronous_commit`` as the
    server is configured, ``on`` by default) instead of the throwaway database's ``off``."""
    parsed = make_url(url)
    return parsed.set(query={k: v for k, v in parsed.query.items() if k != "options"}
                      ).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--server", default=os.environ.get(
        dbutil.PG_ENV, "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--async-commit", action="store_true", help=(
        "commit without waiting for the WAL to reach the disk (synchronous_commit=off, as "
        "the tests' databases do) instead of durably, as a deployment does"))
    args = parser.parse_args()
    os.environ[dbutil.PG_ENV] = args.server
    writers = max(CONCURRENCY)
    with dbutil.throwaway_pg_database("settleroom_bench") as throwaway, \
            tempfile.TemporaryDirectory() as key_dir:
        url = throwaway if args.async_commit else durable(throwaway)
        upgrade(url)
        engine = make_engine(url, pool_size=writers + 4)
        factory = make_sessionmaker(engine)
        signer = LogSigner(signing.generate_private_key(), ORIGIN, 60)
        seq = sequencer.Sequencer(factory, signer)
        seq.start()
        try:
            principal, cases = setup_cases(factory, writers, Path(key_dir))
            audited = audited_write(factory, principal, cases)
            kinds = {"audited": audited, "unaudited": audited, "raw": raw_write(engine, cases)}
            for kind, write in kinds.items():  # warm up pools, caches, prepared statements
                measure(kind, write, writers, 0.5)
            seq.stats = sequencer.Stats()
            meter = CpuMeter(engine)
            profile = Profile(meter) if meter.available else None
            load = [os.getloadavg()[0]]
            rates: dict[tuple[str, int], list[float]] = {}
            for _ in range(args.rounds):
                for c in CONCURRENCY:
                    for kind, write in kinds.items():
                        rates.setdefault((kind, c), []).append(
                            measure(kind, write, c, args.seconds, profile))
            load.append(os.getloadavg()[0])
            stats = seq.stats
            summary = check_log(factory, seq)
        finally:
            seq.stop()
            engine.dispose()
    med = {k: statistics.median(v) for k, v in rates.items()}
    print(f"audited writes vs raw SELECT FOR UPDATE + INSERT + COMMIT, PostgreSQL "
          f"(synchronous_commit={'off' if args.async_commit else 'on'}), "
          f"median of {args.rounds} x {args.seconds:g} s")
    print(f"  c=1 audited / raw throughput:  {med['audited', 1] / med['raw', 1]:.2f}"
          "  (goal >= 0.80)")
    print(f"  c=1 unaudited service path / raw: {med['unaudited', 1] / med['raw', 1]:.2f}; "
          f"audited / unaudited: {med['audited', 1] / med['unaudited', 1]:.2f}")
    print(f"  c=8 audited / raw throughput:  {med['audited', 8] / med['raw', 8]:.2f}; "
          f"audited / unaudited: {med['audited', 8] / med['unaudited', 8]:.2f}")
    print(f"  audited c=8 / c=1 throughput:  {med['audited', 8] / med['audited', 1]:.2f}x"
          f"  (goal >= 3x; raw c=8 / c=1: {med['raw', 8] / med['raw', 1]:.2f}x)")
    # The two goals bound each other: an audited write at c=1 at 0.80 of the raw one, and
    # three times that at c=8, is 2.4x the raw c=1 rate, which the raw write (the same
    # rows' work without the event) must itself reach at c=8 for the audited one to.
    print(f"  both goals at once need audited c=8 >= 3 x 0.80 x raw c=1 = "
          f"{2.4 * med['raw', 1]:,.0f} writes/s; raw c=8 reached {med['raw', 8]:,.0f} "
          f"({med['raw', 8] / med['raw', 1]:.2f}x raw c=1), audited c=8 {med['audited', 8]:,.0f}")
    print(f"  max sequencing delay: {stats.max_commit_delay_seconds:.3f} s after commit "
          f"(goal < 1 s), {stats.max_delay_seconds:.3f} s after the action's timestamp; "
          f"{stats.events:,} events in {stats.batches:,} batches "
          f"({stats.events / max(1, stats.batches):.1f} per batch), {stats.errors} errors")
    print(f"  log afterwards: {summary}")
    print(f"  load average (1 min) {load[0]:.1f} at the start, {load[1]:.1f} at the end")
    if profile:
        print_ceiling(med, profile)
    else:
        print("  CPU per write: not measured (PostgreSQL's processes are not on this host)")


def print_ceiling(med: dict[tuple[str, int], float], profile: Profile) -> None:
    """CPU per write and the c=8 / c=1 ceiling on this host's cores (see the docstring),
    from the c=1 time per write as measured (1 / rate) and as the median write's latency."""
    cores = os.cpu_count() or 1
    print(f"  where the time goes, ms per write (CPU: this process + PostgreSQL backends, "
          f"medians of the runs); c=8 / c=1 ceiling on {cores} cores = {cores} x c=1 time "
          "per write / c=8 CPU per write:")
    for kind in ("audited", "raw"):
        own, pg = (statistics.median(run[i] for run in profile.cpu[kind, 1]) * 1e3
                   for i in (0, 1))
        at8 = statistics.median(sum(run) for run in profile.cpu[kind, 8]) * 1e3
        per_write = 1e3 / med[kind, 1]
        median_write = statistics.median(profile.latencies[kind]) * 1e3
        print(f"    {kind:7s} c=1: {per_write:.3f} per write, median write "
              f"{median_write:.3f}, CPU {own:.3f} + {pg:.3f}; c=8 CPU {at8:.3f}; "
              f"ceiling {cores * per_write / at8:.2f}x ({cores * median_write / at8:.2f}x "
              f"from the median write); measured {med[kind, 8] / med[kind, 1]:.2f}x")


if __name__ == "__main__":
    main()
