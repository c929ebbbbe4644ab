"""Finding designated text in a draft filing. Pure: texts in, matched runs out.

Threat model: counsel files, by mistake, a passage or a page of material designated under
the protective order (or offer terms, or ENE content, which may never be filed). The copy
may be verbatim, re-flowed, re-typed with other punctuation, taken from a watermarked
download (look-alike letters, typographic quotes) or OCR'd from a scan. What must NOT
happen is a false alarm on public text: court orders, rules, case law and boilerplate that
a designated document merely quotes.

Method:
- ``words``: NFKC, watermark look-alikes folded back to Latin, casefold, quotes, dashes
  and hyphenation unified, a word broken at a line end joined again, a pleading paper's
  line number at the start of a line dropped, punctuation dropped;
  what is left is a list of words, and a copy's text reduces to the same list whatever
  its layout or punctuation;
- ``shingles``: every window of ``K`` consecutive words, hashed to 64 bits (a polynomial
  over the words' BLAKE2b hashes);
- a draft matches a source where a chain of shared windows runs along the same diagonal
  (draft position minus source position, drifting by at most ``DRIFT`` words, gaps of at
  most ``GAP`` words, so an OCR error or an edited word does not break the chain) and
  spans at least ``MIN_WORDS`` draft words; shorter runs (common phrases) never count;
- windows that also occur in public text (``public``) are never evidence: a designated
  declaration that quotes an order does not make the order protected; nor are windows that
  many of the compared sources share (``common``).

Windows of 5 words: an OCR error removes 5 windows, and a 15-word sentence (11 windows)
still keeps a chain on either side of it; a chance chain of 15 words along one diagonal
between unrelated texts is what the no-false-finding benchmark measures (bench/).
"""

from __future__ import annotations

import hashlib
import re
import string
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.watermark.text import HOMOGLYPHS

if TYPE_CHECKING:  # numpy is imported where it is used: a server loads it with its first text
    import numpy as np
    from numpy.typing import NDArray

    Hashes = NDArray[np.uint64]

K = 5
MIN_WORDS = 15
GAP = 12  # draft words between two shared windows of one chain
DRIFT = 3  # words inserted or dropped between two shared windows
MIN_COVER = 0.6  # share of a chain's span covered by shared windows
_FOLD = {ord(v): k for k, v in HOMOGLYPHS.items()}
_FOLD.update({ord(c): "'" for c in "\u2018\u2019\u201b\u2032`\u00b4"})
_FOLD.update({ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"})
_FOLD.update({ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})
_FOLD.update({ord(c): None for c in "\u00ad\u200b\u200c\u200d\u2060\ufeff"})
_LINE_NUMBER = re.compile(r"(?m)^[ \t]*\d{1,2}(?=[ \t]+\S)")  # pleading paper's 1 to 28
_BROKEN = re.compile(r"([a-z])-[ \t]*\r?\n[ \t]*([a-z])")
_MAY_BE_BROKEN = re.compile(r"-[ \t]*\r?\n")  # a literal first: searched fast
# An apostrophe inside a word (the lookbehind after the literal, so the search is fast).
_APOSTROPHE = re.compile(r"'(?<=[a-z0-9]')(?=[a-z])")
_WORD = re.compile(r"[a-z0-9]+")
_FOLD_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_FOLD)) + "]")
_SEPARATORS = {c: " " for c in range(128) if chr(c) not in string.ascii_lowercase + string.digits}

_MULT = 0x9E3779B97F4A7C15  # odd: the polynomial is a bijection per position


def _folded(match: re.Match[str]) -> str:
    return _FOLD[ord(match.group())] or ""


def _fold(text: str) -> str:
    """``text.translate(_FOLD)``: a character-class scan finds the few folded characters
    (a dict translation looks every character up, the slowest step of a cold index build);
    no replacement is itself a folded character, so one pass is the same translation."""
    return _FOLD_RE.sub(_folded, text)


def words(text: str) -> list[str]:
    """The comparable words of ``text`` (see the module's method). Each step is skipped
    when a fast search shows it would change nothing (the same words either way)."""
    folded = _fold(unicodedata.normalize("NFKC", text))
    folded = folded.lower() if folded.isascii() else folded.casefold()
    folded = _LINE_NUMBER.sub("", folded)
    if _MAY_BE_BROKEN.search(folded):
        folded = _BROKEN.sub(r"\1\2", folded)
    folded = _APOSTROPHE.sub("", folded)
    # = _WORD.findall(folded): every character outside [a-z0-9] separates words, and what
    # is not ASCII is never inside one; an ASCII translation and a split are much faster.
    ascii_text = folded.encode("ascii", "replace").decode("ascii")
    return ascii_text.translate(_SEPARATORS).split()


def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


class _WordHashes(dict[str, int]):
    """Word -> hash, computed on first use; emptied when it grows past ``_WORD_CACHE`` (a
    bounded memo, as the ``lru_cache`` it replaces, with a cheaper lookup per word)."""

    def __missing__(self, word: str) -> int:
        if len(self) >= _WORD_CACHE:
            self.clear()
        value = self[word] = _word_hash(word)
        return value


_WORD_CACHE = 1 << 18
_HASHES = _WordHashes()


def forget_word_hashes() -> None:
    """Empty the memo of word hashes (a benchmark measures a cold start with it)."""
    _HASHES.clear()


def shingles(ws: Sequence[str]) -> Hashes:
    """The 64-bit hash of each window of K words, by its first word's position: a
    polynomial over the words' BLAKE2b hashes, modulo 2**64 (vectorised)."""
    import numpy as np

    n = len(ws) - K + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    ids = np.fromiter(map(_HASHES.__getitem__, ws), dtype=np.uint64, count=len(ws))
    out = np.zeros(n, dtype=np.uint64)
    mult = np.uint64(_MULT)
    for j in range(K):
        out = out * mult + ids[j:j + n]
    return out


def sorted_unique(hashes: Hashes) -> Hashes:
    """``np.unique(hashes)``: a sort and a mask, as fast again as numpy's own for the
    few thousand windows of one document (which does more than sorting)."""
    import numpy as np

    ordered = np.sort(hashes)
    if ordered.size < 2:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    out: Hashes = ordered[keep]
    return out


def text_shingles(text: str) -> Hashes:
    return shingles(words(text))


def uncached_shingles(ws: Sequence[str]) -> Hashes:
    """``shingles`` without the process-wide cache of word hashes: for text that must leave
    nothing behind in the process once its case is destroyed (the trace index)."""
    import numpy as np

    n = len(ws) - K + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    ids = np.fromiter((int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(),
                                      "little") for w in ws), dtype=np.uint64, count=len(ws))
    out = np.zeros(n, dtype=np.uint64)
    mult = np.uint64(_MULT)
    for j in range(K):
        out = out * mult + ids[j:j + n]
    return out


ANCHOR_WINDOW = 16  # winnowing window of the trace index: runs of 20 shared words anchor


def anchor_shingles(text: str) -> Hashes:
    """The windows of ``text`` the trace index keeps (``winnow``, sorted, unique), before
    they are keyed (``keyed``) with the case's key: computed where the text is (the
    inspection worker), keyed where the key is (the server)."""
    import numpy as np

    hashes = uncached_shingles(words(text))
    return np.unique(winnow(hashes, ANCHOR_WINDOW)) if hashes.size else hashes


def winnow(hashes: Hashes, window: int) -> Hashes:
    """Winnowing (Schleimer, Wilkerson and Aiken, 2003): the smallest hash of every
    ``window`` consecutive ones, each chosen position once. Two texts that share a run of
    ``window + K - 1`` words share at least one chosen hash; about 2 / (window + 1) of the
    hashes are chosen."""
    import numpy as np

    if hashes.size <= window:
        return hashes[[int(np.argmin(hashes))]] if hashes.size else hashes
    views = np.lib.stride_tricks.sliding_window_view(hashes, window)
    picks = np.unique(np.arange(views.shape[0]) + np.argmin(views, axis=1))
    chosen: Hashes = hashes[picks]
    return chosen


def keyed(hashes: Hashes, key: bytes) -> NDArray[np.int64]:
    """Sorted unique keyed BLAKE2b hashes of ``hashes``, as signed 64-bit integers (a
    database BIGINT): without ``key`` nobody can tell which runs of words they stand for."""
    import numpy as np

    distinct = np.unique(hashes)
    out = np.fromiter((int.from_bytes(hashlib.blake2b(int(h).to_bytes(8, "little"), key=key,
                                                      digest_size=8).digest(), "little",
                                      signed=True) for h in distinct),
                      dtype=np.int64, count=int(distinct.size))
    return np.unique(out)


@dataclass(frozen=True)
class Indexed:
    """One source's windows: by position, and sorted unique for the set intersection."""

    by_position: Hashes
    unique: Hashes

    @classmethod
    def of(cls, hashes: Hashes) -> Indexed:
        return cls(hashes, sorted_unique(hashes))

    @classmethod
    def of_text(cls, text: str) -> Indexed:
        return cls.of(text_shingles(text))

    @property
    def nbytes(self) -> int:
        return int(self.by_position.nbytes + self.unique.nbytes) + 100


@dataclass(frozen=True)
class Run:
    """A chain of windows shared by the draft and one source: draft word positions."""

    start: int
    end: int  # exclusive
    covered: int  # draft words inside some shared window

    @property
    def words(self) -> int:
        return self.end - self.start


def public_set(texts: Iterable[str]) -> Hashes:
    import numpy as np

    parts = [text_shingles(t) for t in texts]
    return np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.uint64)


def evidence(draft: Hashes, public: Hashes) -> Hashes:
    """The draft's windows that may count: sorted, unique, none of them public."""
    uniq = sorted_unique(draft)
    if public.size:
        uniq = uniq[~_member(uniq, public)]
    return uniq


def _member(values: Hashes, sorted_set: Hashes) -> NDArray[np.bool_]:
    import numpy as np

    if not sorted_set.size or not values.size:
        return np.zeros(values.shape, dtype=bool)
    at = np.searchsorted(sorted_set, values).clip(0, sorted_set.size - 1)
    found: NDArray[np.bool_] = sorted_set[at] == values
    return found


def common(sources: Sequence[Indexed], counted: Hashes, most: int) -> Hashes:
    """``counted`` without the windows that more than ``most`` sources hold: a phrase many
    documents share (a template's boilerplate, a quotation every declaration repeats) says
    nothing about which one a draft copied, and two such phrases a few words apart would
    otherwise chain into a run that no document's own text supports."""
    import numpy as np

    if not counted.size:
        return counted
    df = np.zeros(counted.size, dtype=np.int64)
    for source in sources:
        at = np.searchsorted(counted, source.unique).clip(0, counted.size - 1)
        found = counted[at] == source.unique
        df[at[found]] += 1
    kept: Hashes = counted[df <= most]
    return kept


def shares(source: Indexed, counted: Hashes, at_least: int = 2) -> bool:
    """Cheap pre-filter: does ``source`` hold at least ``at_least`` counted windows?"""
    return int(_member(source.unique, counted).sum()) >= at_least


def counted_mask(draft: Hashes, counted: Hashes) -> NDArray[np.bool_]:
    """Which of the draft's windows (by position) may count: computed once per draft."""
    return _member(draft, counted)


def runs(draft: Hashes, source: Indexed, counted: NDArray[np.bool_], *,
         min_words: int = MIN_WORDS) -> list[Run]:
    """Chains of shared windows between the draft and ``source`` spanning >= ``min_words``
    draft words, at least MIN_COVER of them inside shared windows. ``counted`` is the
    draft's ``counted_mask``."""
    import numpy as np

    keep = counted & _member(draft, source.unique)
    positions: dict[int, list[int]] = {}
    src = source.by_position
    wanted = set(draft[keep].tolist())
    for p, h in enumerate(src.tolist()):
        if h in wanted:
            positions.setdefault(h, []).append(p)
    hits = [(i, p) for i in np.flatnonzero(keep).tolist()
            for p in positions.get(int(draft[i]), ())[:8]]
    return [r for r in _chain(hits)
            if r.words >= min_words and r.covered >= MIN_COVER * r.words]


def _chain(hits: list[tuple[int, int]]) -> list[Run]:
    """Greedy chaining of (draft, source) window positions, in draft order. A chain is
    [last draft position, last diagonal, first word, covered words, end of coverage]."""
    open_: list[list[int]] = []
    done: list[Run] = []
    for i, p in hits:
        diag = p - i
        for c in [c for c in open_ if i - c[0] > GAP]:
            open_.remove(c)
            done.append(Run(c[2], c[4], c[3]))
        best = next((c for c in open_ if abs(diag - c[1]) <= DRIFT), None)
        if best is None:
            open_.append([i, diag, i, K, i + K])
            continue
        best[3] += max(0, i + K - max(best[4], i))
        best[0], best[1], best[4] = i, diag, max(best[4], i + K)
    done += [Run(c[2], c[4], c[3]) for c in open_]
    return sorted(done, key=lambda r: r.start)
