"""Audit-log benchmarks on PostgreSQL, each reported against a baseline measured in the same run.

(b) appends per second: one event per transaction, and 100 events per transaction; the
    ratio batched / single shows what batching buys. Then the sequencer's rate integrating
    them into the Merkle log, as a ratio to the single appends.
(c) ``audit verify`` of N events (default 1,000,000) against the baseline of hashing the same
    entries and building the tree in memory (target: verify <= 3x the baseline).
(d) inclusion-proof generation from the database at N leaves (target: under 2 ms each);
    reported as a ratio to computing one SHA-256 node hash chain of the same depth in memory.

The N events are bulk-loaded with COPY (entries, leaf hashes, subtree rows and two signed
tree heads built in memory exactly as the service builds them), so the database holds a
log that ``verify_log`` accepts. A throwaway database is created and dropped.

Usage: .venv/bin/python bench/bench_audit.py [--events 1000000] [--appends 500]
       [--server postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from app.audit import log, sequencer  # noqa: E402
from app.audit.entry import build_entry  # noqa: E402
from app.audit.service import record  # noqa: E402
from app.audit.verify import build_levels, root_from_levels, verify_log  # noqa: E402
from app.db import make_engine, make_sessionmaker  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from crypto import merkle, signing  # noqa: E402
from tests import dbutil  # noqa: E402

ORIGIN = "bench.settleroom/audit-log"


def bench_appends(url: str, n: int) -> None:
    key = signing.generate_private_key()
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    signer = log.LogSigner(key, ORIGIN, 60)
    case_id = uuid.uuid4()

    def one_per_tx() -> float:
        start = time.perf_counter()
        for _ in range(n):
            with factory.begin() as s:
                record(s, None, "bench.append", "case", case_id, {"count": 1}, case_id=case_id)
        return n / (time.perf_counter() - start)

    def batched(size: int = 100) -> float:
        start = time.perf_counter()
        for _ in range(n // size):
            with factory.begin() as s:
                for _ in range(size):
                    record(s, None, "bench.append", "case", case_id, {"count": 1},
                           case_id=case_id)
        return (n // size) * size / (time.perf_counter() - start)

    single, batch = one_per_tx(), batched()
    start = time.perf_counter()
    done = sequencer.sequence_pending(factory, signer)
    sequenced = done / (time.perf_counter() - start)
    print(f"(b) appends/s: one per transaction {single:,.0f}; 100 per transaction "
          f"{batch:,.0f}; ratio batched/single = {batch / single:.2f}; sequencing "
          f"{done:,} of them: {sequenced / single:.1f}x the single-append rate")
    engine.dispose()


def _entries(n: int) -> tuple[list[bytes], list[bytes]]:
    case_id, ts = uuid.uuid4(), datetime(2026, 1, 1, tzinfo=UTC)
    fields = {"case_id": case_id, "actor_user_id": uuid.uuid4(), "actor_party_id": None,
              "action": "document.download", "outcome": "ok", "object_type": "document"}
    entries = []
    for i in range(n):
        entries.append(build_entry(i, ts, {**fields, "object_id": str(i), "details": {},
                                           "case_seq": i + 1}))
    return entries, [merkle.leaf_hash(e) for e in entries]


def bulk_load(url: str, entries: list[bytes], leaves: list[bytes]) -> list[list[bytes]]:
    """COPY the events, every perfect subtree and two signed heads into an empty log."""
    import json

    levels = build_levels(leaves)
    key = signing.generate_private_key()
    engine = make_engine(url)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        with cur.copy("COPY audit_events (leaf_index, timestamp, case_id, actor_user_id, "
                      "actor_party_id, action, outcome, object_type, object_id, details, entry, "
                      "leaf_hash, case_seq) FROM STDIN") as copy:
            for i, entry in enumerate(entries):
                f = json.loads(entry)
                copy.write_row((i, f["timestamp"], f["case_id"], f["actor_user_id"], None,
                                f["action"], f["outcome"], f["object_type"], f["object_id"],
                                "{}", entry, leaves[i], f["case_seq"]))
        with cur.copy('COPY audit_subtrees (start, "end", hash) FROM STDIN') as copy:
            for k, level in enumerate(levels):
                for j, h in enumerate(level):
                    copy.write_row((j << k, (j + 1) << k, h))
        n = len(leaves)
        for size in (n // 2, n):
            root = root_from_levels(levels, size)
            head = signing.sign_tree_head(key, size, root, int(time.time() * 1000))
            cur.execute("INSERT INTO tree_heads (tree_size, root_hash, timestamp_ms, key_id, "
                        "signature, checkpoint) VALUES (%s, %s, %s, %s, %s, %s)",
                        (size, root, head.timestamp_ms, head.key_id, head.signature,
                         signing.make_checkpoint(ORIGIN, size, root, key, ORIGIN)))
        cur.execute("INSERT INTO signing_keys (key_id, algorithm, public_key_pem, note_name, "
                    "created_at) VALUES (%s, 'Ed25519', %s, %s, now())",
                    (signing.key_id(key), signing.public_key_to_pem(key.public_key()).decode(),
                     ORIGIN))
        cur.execute("UPDATE audit_log_state SET tree_size = %s", (n,))
        raw.commit()
    finally:
        raw.close()
        engine.dispose()
    return levels


def bench_verify(url: str, entries: list[bytes], rounds: int = 3) -> None:
    """Alternate the baseline and ``verify_log`` ``rounds`` times; compare the medians."""
    engine = make_engine(url)
    baselines, verifies = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        baseline_root = merkle.root_from_leaf_hashes([merkle.leaf_hash(e) for e in entries])
        baselines.append(time.perf_counter() - start)
        with make_sessionmaker(engine)() as session:
            start = time.perf_counter()
            report = verify_log(session)
            verifies.append(time.perf_counter() - start)
        assert report.ok, report.problems[:3]
    engine.dispose()
    took, baseline = statistics.median(verifies), statistics.median(baselines)
    print(f"(c) verify {len(entries):,} events: median {took:.2f} s of {rounds} "
          f"({', '.join(f'{t:.2f}' for t in verifies)}); in-memory hash + tree baseline "
          f"median {baseline:.2f} s (root {baseline_root.hex()[:12]}); ratio = "
          f"{took / baseline:.2f} (target <= 3)")


def bench_proofs(url: str, n: int, samples: int = 200) -> None:
    engine = make_engine(url)
    rng = random.Random(7)
    times = []
    with make_sessionmaker(engine)() as session:
        for _ in range(samples):
            index = rng.randrange(n)
            start = time.perf_counter()
            log.inclusion_proof(session, index, n)
            times.append(time.perf_counter() - start)
    engine.dispose()
    depth = n.bit_length()
    h = b"\0" * 32
    start = time.perf_counter()
    for _ in range(samples):
        for _ in range(depth):
            h = merkle.node_hash(h, h)
    in_memory = (time.perf_counter() - start) / samples
    median = statistics.median(times)
    print(f"(d) inclusion proof at {n:,} leaves: median {median * 1000:.3f} ms, p95 "
          f"{sorted(times)[int(samples * 0.95)] * 1000:.3f} ms (target < 2 ms); "
          f"ratio to a {depth}-level in-memory hash chain = {median / in_memory:.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=500)
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    import os

    os.environ[dbutil.PG_ENV] = args.server
    with dbutil.throwaway_pg_database("settleroom_bench") as url:
        upgrade(url)
        bench_appends(url, args.appends)
    with dbutil.throwaway_pg_database("settleroom_bench") as url:
        upgrade(url)
        entries, leaves = _entries(args.events)
        start = time.perf_counter()
        bulk_load(url, entries, leaves)
        print(f"(loaded {args.events:,} events in {time.perf_counter() - start:.1f} s)")
        engine = make_engine(url)
        # A live log's rows were hinted and frozen long ago: do it here rather than let
        # the first timed scan write every page of a freshly copied table.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (FREEZE, ANALYZE)"))
        engine.dispose()
        bench_verify(url, entries)
        bench_proofs(url, args.events)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
