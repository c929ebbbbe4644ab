"""The trace index without a database: winnowed, keyed anchors and the choice of versions to
compare."""

from __future__ import annotations

import random
import uuid

from app.documents import analysis
from app.documents.tracing import candidates as c
from app.kernel import shingles as sh

KEY, OTHER_KEY = b"k" * 32, b"o" * 32
VOCAB = ("court order party counsel settlement motion discovery sanction letter judge "
         "notice offer protective record deposition agreement confidential").split()


def _words(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(VOCAB) + str(rng.randrange(50)) for _ in range(n)]


def test_every_shared_run_of_window_plus_k_words_shares_an_anchor() -> None:
    rng = random.Random(1)
    run_words = analysis.WINDOW + sh.K - 1
    for _ in range(50):
        run = _words(rng, run_words)
        doc = _words(rng, rng.randrange(0, 400)) + run + _words(rng, rng.randrange(0, 400))
        stored = set(analysis.document_anchors(" ".join(doc), KEY))
        evidence = set(analysis.evidence_anchors(sh.words(" ".join(run)), KEY))
        assert stored & evidence


def test_anchors_are_a_winnowed_fraction_and_depend_on_the_key() -> None:
    text = " ".join(_words(random.Random(2), 3000))
    stored = analysis.document_anchors(text, KEY)
    expected = 2 / (analysis.WINDOW + 1) * 3000
    assert 0.7 * expected < len(stored) < 1.3 * expected
    assert stored == analysis.document_anchors(text, KEY)
    assert not set(stored) & set(analysis.document_anchors(text, OTHER_KEY))
    assert all(-2**63 <= a < 2**63 for a in stored)  # a database BIGINT


def test_tag_variants_are_the_tags_within_one_digit() -> None:
    got = c.tag_variants(frozenset({"123456789012"}))
    assert len(got) == 1 + 12 * 9 and "123456789012" in got and "023456789012" in got
    assert all(sum(a != b for a, b in zip(t, "123456789012", strict=True)) <= 1 for t in got)


def _v(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)


def test_rank_keeps_the_best_and_those_near_it() -> None:
    hits = [(_v(1), 40, 30.0), (_v(2), 30, 7.0), (_v(3), 50, 2.0), (_v(4), 1, 9.0)]
    assert c.rank(hits) == [_v(1), _v(2)]  # 2.0 < 0.2 * 30; one hit is no evidence
    assert c.rank([]) == []


def test_rank_compares_every_version_tied_with_the_last_one_kept() -> None:
    same = [(_v(i), 20, 4.0) for i in range(30)]  # thirty copies of one letter
    assert len(c.rank(same)) == 30
    many = [(_v(i), 20 + i, 4.0 + i) for i in range(30)]
    assert c.rank(many) == [_v(i) for i in range(29, 29 - c.MAX_COMPARED, -1)]
