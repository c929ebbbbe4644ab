"""The cold index build's fast paths (app.kernel.shingles) give the same words and windows
as the plain definition: NFKC, the fold table, casefold, the three substitutions, then
every run of [a-z0-9]; the sorted unique windows are numpy's; the word-hash memo is
bounded."""

from __future__ import annotations

import random
import re
import unicodedata

import numpy as np
import pytest

from app.kernel import shingles as sh
from tests.api.documents.helpers import order_text


def _reference(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).translate(sh._FOLD).casefold()
    folded = sh._LINE_NUMBER.sub("", folded)
    folded = sh._BROKEN.sub(r"\1\2", folded)
    folded = re.sub(r"(?<=[a-z0-9])'(?=[a-z])", "", folded)
    return re.findall(r"[a-z0-9]+", folded)


TRICKY = [
    "a-\nb-\nc", "regu- \r\n lation", "It\u2019s o'clock 'quoted' don`t", "´twas x\u2032y",
    "\u0430\u0441\u0435 \u0455ize", "ﬁnal\u00adly ＡＢＣ Straße ΣΑΣ café", "\u200bzero\ufeffwidth",
    " 3  numbered line\n14 next\n\u0661\u0662 arabic digits", "x\u2014y\u2212z", "",
    "ÀÉÎ naïve déjà-vu \u00a7 12(b)(6) \u00b6 4",
]


@pytest.mark.parametrize("text", TRICKY)
def test_words_are_the_plain_definitions(text):
    assert sh.words(text) == _reference(text)


def test_words_of_long_mixed_text_are_the_plain_definitions():
    rng = random.Random(3)
    base = order_text()
    pieces = list(base[:6000]) + list("\u2019\u201c\u201d\u2014\u00ad\u0430\u0441'`-\n é")
    for _ in range(20):
        text = "".join(rng.choice(pieces) for _ in range(3000))
        assert sh.words(text) == _reference(text)
    assert sh.words(base) == _reference(base)


def test_sorted_unique_is_numpys():
    rng = np.random.default_rng(5)
    for size in (0, 1, 2, 50, 5000):
        values = rng.integers(0, 40, size=size, dtype=np.uint64)
        assert np.array_equal(sh.sorted_unique(values), np.unique(values))


def test_the_word_hash_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(sh, "_WORD_CACHE", 8)
    sh.forget_word_hashes()
    before = sh.text_shingles(" ".join(f"w{i}" for i in range(40)))
    assert len(sh._HASHES) <= 8
    sh.forget_word_hashes()
    assert np.array_equal(sh.text_shingles(" ".join(f"w{i}" for i in range(40))), before)
