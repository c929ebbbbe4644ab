"""The audited-writes benchmark's own arithmetic: the durable URL keeps everything but the
throwaway database's ``synchronous_commit=off``, c=1 writes are timed one by one, and CPU is
read from ``/proc/<pid>/schedstat`` (None for a process that is gone)."""

from __future__ import annotations

import os
import sys

import pytest
from sqlalchemy import make_url

bench = pytest.importorskip("bench.bench_audited_writes")


def test_durable_url_drops_only_the_throwaway_commit_setting():
    throwaway = ("postgresql+psycopg://postgres@127.0.0.1:5432/settleroom_bench_ab12"
                 "?options=-c+synchronous_commit%3Doff")
    url = make_url(bench.durable(throwaway))
    assert "options" not in url.query
    assert (url.drivername, url.host, url.port, url.database, url.username) == (
        "postgresql+psycopg", "127.0.0.1", 5432, "settleroom_bench_ab12", "postgres")


def test_timed_write_records_one_latency_per_write():
    done: list[int] = []
    latencies: list[float] = []
    write = bench.timed(done.append, latencies)
    for w in (0, 0, 0):
        write(w)
    assert done == [0, 0, 0]
    assert len(latencies) == 3 and all(t >= 0 for t in latencies)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_schedstat_reads_cpu_seconds_and_none_for_a_gone_process():
    sum(i * i for i in range(200_000))  # some CPU of this process
    assert bench._schedstat(os.getpid()) > 0
    assert bench._schedstat(2**22 + 1) is None  # above the kernel's pid_max limit
