"""HTTP throughput, tail latency and start-up of the service against bare FastAPI, same run.

The service is started as ``settleroom serve`` starts it (one uvicorn process, migrations,
admin bootstrap) with a throwaway data directory and database; ``bench/bare_app.py`` runs
beside it on the same uvicorn. Both listen on loopback only. ``wrk`` drives a bounded load
(fixed duration, 32 connections) against each target in interleaved rounds, so a busy machine
slows both sides alike; the figures printed are ratios (service / baseline):

- ``GET /api/v1/me`` (authenticated, trivial) vs bare ``GET /json``;
- ``GET /api/v1/cases/{id}`` (authenticated, guarded one-row read) vs bare ``GET /db/{id}``
  (one ORM get), and the p99 latency ratio of the same pair;
- start-up: ``settleroom serve`` until the first 200 of ``/healthz`` vs the bare import time
  of fastapi, sqlalchemy, pikepdf, cryptography and numpy (a fresh interpreter each), in
  wall-clock time and in CPU time (user + system of the process, all its threads, read from
  /proc when the first 200 arrives; the load of other work inflates it far less). Both sides
  read compiled bytecode, as an installed service does: the service's trees get a bytecode
  cache of their own in the throwaway directory (``PYTHONPYCACHEPREFIX``), filled by the
  first start, even when ``PYTHONDONTWRITEBYTECODE`` is set.

``--before PATH`` adds a second service tree (e.g. an export of an earlier commit) measured
in the same interleaved rounds, so before and after share one run.

Usage: .venv/bin/python bench/bench_http.py [--databases sqlite,postgresql] [--rounds 3]
       [--duration 5] [--before /tmp/settleroom-before] [--only-me] [--startup-runs 0]
       [--pg-server postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = 32
ADMIN_EMAIL = "bench-admin@example.com"
ADMIN_PASSWORD = "bench-" + secrets.token_hex(12)
HEAVY_IMPORTS = "import fastapi, sqlalchemy, pikepdf, cryptography, numpy"
SERVE = "import sys; from app.cli import main; sys.exit(main(sys.argv[1:]))"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def throwaway_database(kind: str, server: str, workdir: Path, name: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{workdir / (name + '.db')}"
        return
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    db = f"settleroom_bench_{name}_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{db}"'))
    try:
        yield make_url(server).set(database=db).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :n"), {"n": db})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db}"'))
        admin.dispose()


def service_env(tree: Path, data_dir: Path, database_url: str,
                bytecode: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SETTLEROOM_")}
    if bytecode is not None:  # compiled once (first start), read by every later start
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    env.update({
        "PYTHONPATH": str(tree), "SETTLEROOM_DATA_DIR": str(data_dir),
        "SETTLEROOM_DATABASE_URL": database_url, "SETTLEROOM_ADMIN_EMAIL": ADMIN_EMAIL,
        "SETTLEROOM_ADMIN_PASSWORD": ADMIN_PASSWORD, "SETTLEROOM_ACCESS_TOKEN_MINUTES": "60",
    })
    return env


def wait_ok(url: str, proc: subprocess.Popen[bytes], timeout: float = 120.0) -> float:
    """Poll until ``url`` answers 200; the time from now until then.

    One client serves every attempt: ``httpx.get`` builds a client, and its TLS context,
    per call (some 20 ms of CPU), so polling every 5 ms with it kept most of a CPU busy
    beside the server being timed and, on a small machine, slowed the very start-up it
    measured."""
    start = time.perf_counter()
    with httpx.Client(timeout=1.0) as client:
        while time.perf_counter() - start < timeout:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"server exited with {proc.returncode} before answering {url}")
            try:
                if client.get(url).status_code == 200:
                    return time.perf_counter() - start
            except httpx.TransportError:
                pass
            time.sleep(0.005)
    raise RuntimeError(f"no 200 from {url} within {timeout} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass
class Server:
    name: str
    base: str
    proc: subprocess.Popen[bytes]


def start_service(name: str, tree: Path, data_dir: Path, database_url: str) -> Server:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tree, env=service_env(tree, data_dir, database_url),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_ok(base + "/healthz", proc)
    return Server(name, base, proc)


def start_bare(database_url: str) -> Server:
    port = free_port()
    env = dict(os.environ, BARE_DATABASE_URL=database_url, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "info"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_ok(base + "/json", proc)
    return Server("bare", base, proc)


def sign_in_and_create_case(base: str) -> tuple[str, str]:
    with httpx.Client(base_url=base, timeout=60.0) as c:
        r = c.post("/api/v1/auth/token",
                   data={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        r.raise_for_status()
        token = r.json()["access_token"]
        r = c.post("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}, json={
            "caption": "Doe v. Roe", "court": "N.D. Cal.", "court_state": "CA",
            "docket_number": "3:24-cv-00001", "court_timezone": "America/Los_Angeles"})
        r.raise_for_status()
        return token, r.json()["id"]


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _seconds(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if not m:
        raise ValueError(value)
    return float(m.group(1)) * _UNITS[m.group(2)]


@dataclass
class Sample:
    rps: float
    p99: float


def wrk(url: str, duration: float, token: str | None) -> Sample:
    cmd = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{int(duration)}s", "--latency", "--timeout", "30s"]
    if token:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"errors under load at {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = _seconds(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    # No request completed within the run: the tail is longer than the run, not zero.
    return Sample(rps, p99 if rps > 0 else math.inf)


@dataclass
class Target:
    label: str
    url: str
    token: str | None = None
    samples: list[Sample] = field(default_factory=list)


def run_rounds(targets: list[Target], rounds: int, duration: float) -> None:
    for t in targets:  # warm-up: connections, caches, code paths
        wrk(t.url, 1.0, t.token)
    for r in range(rounds):
        order = targets[r % len(targets):] + targets[:r % len(targets)]
        for t in order:
            t.samples.append(wrk(t.url, duration, t.token))


def ratio_range(num: list[float], den: list[float]) -> str:
    ratios = sorted(a / b for a, b in zip(num, den, strict=True))
    return f"{statistics.median(ratios):.2f} ({ratios[0]:.2f}-{ratios[-1]:.2f})"


def bench_database(kind: str, args: argparse.Namespace, trees: dict[str, Path],
                   work: Path) -> None:
    with contextlib.ExitStack() as stack:
        bare_url = stack.enter_context(throwaway_database(kind, args.pg_server, work, "bare"))
        servers: dict[str, Server] = {"bare": start_bare(bare_url)}
        stack.callback(stop, servers["bare"].proc)
        for name, tree in trees.items():
            data_dir = work / f"{kind}-{name}"
            url = stack.enter_context(throwaway_database(kind, args.pg_server, work, name))
            servers[name] = start_service(name, tree, data_dir, url)
            stack.callback(stop, servers[name].proc)
        bare = servers["bare"].base
        targets = [Target("json", bare + "/json")]
        if not args.only_me:
            targets.append(Target("db", bare + "/db/00000000-0000-4000-8000-000000000001"))
        for name in trees:
            token, case_id = sign_in_and_create_case(servers[name].base)
            targets.append(Target(f"{name}:me", servers[name].base + "/api/v1/me", token))
            if not args.only_me:
                targets.append(Target(f"{name}:case",
                                      f"{servers[name].base}/api/v1/cases/{case_id}", token))
        run_rounds(targets, args.rounds, args.duration)
        by = {t.label: t for t in targets}
        json_rps = [s.rps for s in by["json"].samples]
        print(f"\n[{kind}] c={CONNECTIONS}, {args.rounds} interleaved rounds of {args.duration} s;"
              " median (min-max) over rounds")
        for name in trees:
            me = by[f"{name}:me"].samples
            print(f"  {name:>7}  me / json rps        {ratio_range([s.rps for s in me], json_rps)}")
            if args.only_me:
                continue
            case, db = by[f"{name}:case"].samples, by["db"].samples
            print(f"  {name:>7}  case / db rps        "
                  f"{ratio_range([s.rps for s in case], [s.rps for s in db])}")
            print(f"  {name:>7}  case / db p99        "
                  f"{ratio_range([s.p99 for s in case], [s.p99 for s in db])}")
        # Absolute figures depend on the machine; kept for the record, not for comparison.
        for t in targets:
            rps = statistics.median(s.rps for s in t.samples)
            p99 = statistics.median(s.p99 for s in t.samples)
            print(f"  # {t.label:>12}: {rps:8.0f} req/s, p99 {p99 * 1000:7.1f} ms")


def bare_import_seconds() -> tuple[float, float]:
    """Wall-clock and CPU seconds of a fresh interpreter importing the heavy libraries."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", HEAVY_IMPORTS], check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process, all its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve_seconds(tree: Path, data_dir: Path, database_url: str) -> tuple[float, float]:
    """From spawning ``settleroom serve`` to its first 200 on /healthz: wall-clock and CPU
    seconds (the CPU time read when the 200 arrives)."""
    port = free_port()
    env = service_env(tree, data_dir, database_url, bytecode=data_dir.parent / (
        data_dir.name + "-bytecode"))
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_ok(f"http://127.0.0.1:{port}/healthz", proc)
        wall = time.perf_counter() - start
        return wall, process_cpu_seconds(proc.pid)
    finally:
        stop(proc)


def bench_startup(trees: dict[str, Path], runs: int, work: Path) -> None:
    imports: list[tuple[float, float]] = []
    first: dict[str, tuple[float, float]] = {}
    again: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    for name, tree in trees.items():  # first start: empty database, keys created, admin hashed
        data_dir = work / f"startup-{name}"
        first[name] = serve_seconds(tree, data_dir, f"sqlite:///{data_dir}/settleroom.db")
    for _ in range(runs):
        imports.append(bare_import_seconds())
        for name, tree in trees.items():
            data_dir = work / f"startup-{name}"
            again[name].append(serve_seconds(tree, data_dir,
                                             f"sqlite:///{data_dir}/settleroom.db"))
    print(f"\n[start-up] SQLite, {runs} interleaved runs; median (min-max)")
    for i, clock in enumerate(("wall-clock", "CPU")):
        base = statistics.median(x[i] for x in imports)
        for name in trees:
            print(f"  {name:>7}  serve to first 200 / bare import, {clock}   "
                  f"{ratio_range([x[i] for x in again[name]], [x[i] for x in imports])}")
            print(f"  {name:>7}  first start (migrate, keys, admin) / bare import, {clock}   "
                  f"{first[name][i] / base:.2f}")
        print(f"  # bare import {base * 1000:.0f} ms {clock}; serve "
              + ", ".join(f"{name} {statistics.median(x[i] for x in again[name]) * 1000:.0f} ms"
                          for name in trees))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--startup-runs", type=int, default=5)
    parser.add_argument("--before", type=Path, default=None,
                        help="another source tree measured in the same rounds")
    parser.add_argument("--only-me", action="store_true",
                        help="only GET /me against bare /json (no case read, no ORM get)")
    parser.add_argument("--pg-server", default=os.environ.get(
        "SETTLEROOM_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed (apt-get install wrk)")
    trees = {"after": ROOT}
    if args.before is not None:
        trees = {"before": args.before.resolve(), "after": ROOT}
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory(prefix="settleroom-bench-") as tmp:
        work = Path(tmp)
        for kind in filter(None, (k.strip() for k in args.databases.split(","))):
            bench_database(kind, args, trees, work)
        if args.startup_runs:
            bench_startup(trees, args.startup_runs, work)
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
