"""The filing guard's benchmark corpus (issue #18 item 7) in small, OCR left out (the API
tests read real scans): every planted passage is found at its place, nothing else is."""

from __future__ import annotations

import random
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.kernel import shingles as sh
from app.protective_orders.filing import DraftPage, Source, check_draft_text

bench = pytest.importorskip("bench.bench_filing_guard")


def test_a_small_benchmark_run_finds_every_plant_and_nothing_else(monkeypatch):
    monkeypatch.setattr(bench, "ocr_of_scan", lambda text: text)
    rng = random.Random(7)
    public = bench.public_paragraphs()
    assert len(public) > 100
    vocab = sorted({w for p in public for w in p.split() if w.isalpha() and len(w) > 2})
    docs = bench.protected_docs(rng, vocab, 150)
    sources = [Source("document", uuid.UUID(int=i + 1), "CONFIDENTIAL", None,
                      sh.Indexed.of_text("\n".join(body))) for i, body in enumerate(docs)]
    with ThreadPoolExecutor(1) as pool:
        drafts = bench.build_drafts(rng, public, docs, 6, pool)
    for pages, plants in drafts:
        got = check_draft_text([DraftPage(i + 1, t) for i, t in enumerate(pages)], sources,
                               sealing_rule="N.D. Cal. Civ. L.R. 79-5")
        assert {(f.source.id.int - 1, f.evidence_page) for f in got} == {
            (d, p) for _, d, p in plants}
