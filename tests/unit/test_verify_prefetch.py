"""The read-ahead thread behind ``audit verify``: order, errors, and stopping early."""

from __future__ import annotations

import threading

import pytest

from app.audit.verify import PREFETCH, _prefetched


def _source(batches):
    pending = list(batches)
    fetched = []

    def fetch():
        rows = pending.pop(0) if pending else []
        fetched.append(rows)
        return rows

    return fetch, fetched


def _workers():
    return [t for t in threading.enumerate() if t.name == "settleroom-verify-fetch"]


def test_batches_arrive_in_order_and_stop_at_the_first_empty_one():
    fetch, fetched = _source([[1, 2], [3], [], [4]])
    assert list(_prefetched(fetch)) == [[1, 2], [3]]
    assert fetched == [[1, 2], [3], []]  # nothing read past the end
    assert not _workers()


def test_a_driver_error_is_raised_to_the_caller():
    calls = []

    def fetch():
        calls.append(1)
        if len(calls) == 2:
            raise ConnectionError("server closed the connection")
        return [len(calls)]

    batches = _prefetched(fetch)
    assert next(batches) == [1]
    with pytest.raises(ConnectionError):
        next(batches)
    assert not _workers()


def test_leaving_early_stops_the_thread_even_while_it_waits_for_room():
    fetch, fetched = _source([[i] for i in range(10 * PREFETCH)])
    batches = _prefetched(fetch)
    assert next(batches) == [0]
    for _ in range(100):  # let the reader fill every slot and block on the next one
        if len(fetched) > PREFETCH:
            break
        threading.Event().wait(0.01)
    batches.close()
    assert not _workers()
    assert len(fetched) < 10 * PREFETCH  # it stopped instead of reading to the end
