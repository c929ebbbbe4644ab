"""The services' cache of decrypted originals: byte budget, LRU order, case drops, threads."""

import threading
import uuid

from app.kernel.originals import Originals
from app.watermark import Issue

TEXT = "text/plain"
CASE_A, CASE_B = uuid.uuid4(), uuid.uuid4()


def loader(content: bytes, calls: list[bytes]):  # noqa: ANN201
    def load() -> bytes:
        calls.append(content)
        return content

    return load


def test_hit_decrypts_once_and_shares_the_prepared():
    cache, calls, v = Originals(10_000), [], uuid.uuid4()
    first = cache.get(v, CASE_A, TEXT, loader(b"a" * 100, calls))
    again = cache.get(v, CASE_A, TEXT, loader(b"a" * 100, calls))
    assert first is again and len(calls) == 1 and cache.nbytes == 100


def test_byte_budget_evicts_least_recently_used_first():
    cache, calls = Originals(1000), []
    v1, v2, v3 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    cache.get(v1, CASE_A, TEXT, loader(b"1" * 400, calls))
    cache.get(v2, CASE_A, TEXT, loader(b"2" * 400, calls))
    cache.get(v1, CASE_A, TEXT, loader(b"1" * 400, calls))  # v1 used last: v2 goes first
    cache.get(v3, CASE_B, TEXT, loader(b"3" * 400, calls))
    assert len(cache) == 2 and cache.nbytes == 800
    cache.get(v1, CASE_A, TEXT, loader(b"1" * 400, calls))
    assert len(calls) == 3  # v1 still cached
    cache.get(v2, CASE_A, TEXT, loader(b"2" * 400, calls))
    assert len(calls) == 4  # v2 was evicted


def test_growth_of_derived_structures_counts_against_the_budget():
    cache, calls = Originals(1000), []
    v1, v2 = uuid.uuid4(), uuid.uuid4()
    prep = cache.get(v1, CASE_A, TEXT, loader(b"1" * 100, calls))
    prep.derive("big", lambda: b"x" * 700, len)  # grown by its user after the hand-out
    assert cache.nbytes == 800
    cache.get(v2, CASE_A, TEXT, loader(b"2" * 300, calls))
    assert len(cache) == 1 and cache.case_entries(CASE_A) == 1 and cache.nbytes == 300


def test_an_entry_over_budget_is_served_but_not_kept_and_zero_disables():
    for budget, size in ((100, 500), (0, 10)):
        cache, calls, v = Originals(budget), [], uuid.uuid4()
        assert cache.get(v, CASE_A, TEXT, loader(b"z" * size, calls)).original == b"z" * size
        assert len(cache) == 0 and cache.nbytes == 0


def test_drop_case_forgets_its_entries_and_refuses_new_ones():
    cache, calls = Originals(10_000), []
    a1, a2, b1 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for v, case in ((a1, CASE_A), (a2, CASE_A), (b1, CASE_B)):
        cache.get(v, case, TEXT, loader(b"c" * 10, calls))
    assert cache.drop_case(CASE_A) == 2
    assert cache.case_entries(CASE_A) == 0 and cache.case_entries(CASE_B) == 1
    # a request that decrypted before the keys went cannot put the plaintext back
    cache.get(a1, CASE_A, TEXT, loader(b"c" * 10, calls))
    assert cache.case_entries(CASE_A) == 0 and cache.nbytes == 10


def test_threads_share_one_entry_and_the_budget_holds():
    cache = Originals(5_000)
    versions = [(uuid.uuid4(), bytes([65 + i]) * 1000) for i in range(8)]
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for j in range(200):
                v, content = versions[(j * (k + 1)) % len(versions)]
                prep = cache.get(v, CASE_A, TEXT, lambda c=content: c)
                assert prep.original == content
                if j % 50 == 0:
                    cache.drop_case(CASE_B)
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and cache.nbytes <= 5_000 and len(cache) <= 5


def test_issue_counts_by_stage_and_kind():
    cache, v = Originals(), uuid.uuid4()
    cache.report(Issue("pdf_template", "ValueError"), version_id=v)
    cache.report(Issue("pdf_template", "ValueError"), version_id=v)
    cache.report(Issue("geometry", "RuntimeError"), version_id=v)
    assert cache.issues.snapshot() == {("pdf_template", "ValueError"): 2,
                                       ("geometry", "RuntimeError"): 1}
    assert cache.issues.total("pdf_template") == 2 and cache.issues.total() == 3
