"""Per-download fingerprint codes and the statistics that decide an attribution.

Threat model: a recipient leaks (part of) their watermarked copy, possibly after transforming it
or combining it with a colleague's copy. Every mark bit is derived from the download's secret
`download_code` with HMAC-SHA256, so for any candidate who did NOT contribute to the evidence,
each compared mark position agrees with the decoded value with probability exactly 1/2 (or 1/m
for an m-ary slot), independently of everything else the decoder sees. That is the null
hypothesis every p-value below is computed under.

Invariants:
* bits depend only on (download_code, layer label, slot index); slot positions depend only on the
  original document, so a decoder that knows the original can locate them without the code;
* a p-value is an exact binomial tail (integer arithmetic, no normal approximation), or for
  sparse codes (`score_sparse`) the exact tail of a sum of binomials in floating point, and an
  upper (Chernoff) bound on it where the count is too large to sum: never an approximation
  that could understate it;
* an attribution is accepted only when the union (Bonferroni) bound over all candidates and all
  tests stays below the target (default 1e-6).
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from itertools import chain

__all__ = [
    "DEFAULT_FP_TARGET",
    "TAG_DIGITS",
    "LayerScore",
    "authentication_tag",
    "binomial_tail",
    "code_bit_bytes",
    "code_bits",
    "code_symbols",
    "score_bits",
    "score_sparse",
    "sparse_tail",
    "tag_match_probability",
    "union_bound",
]

DEFAULT_FP_TARGET = 1e-6
TAG_DIGITS = 12
_TAG_DOMAIN = b"settleroom/tag/v1"


def _stream(key: bytes, label: str, nbytes: int) -> bytes:
    """HMAC-SHA256 in counter mode: a keyed pseudo-random byte stream per (key, label)."""
    prefix = label.encode("utf-8") + b"|"
    blocks = (nbytes + 31) // 32
    return b"".join(
        hmac.digest(key, prefix + ctr.to_bytes(4, "big"), "sha256") for ctr in range(blocks)
    )[:nbytes]


# the 8 bits of each byte value, most significant first
_BYTE_BITS = tuple(tuple((b >> (7 - i)) & 1 for i in range(8)) for b in range(256))


def code_bit_bytes(download_code: bytes, label: str, nbits: int) -> bytes:
    """`code_bits` packed eight to a byte, most significant bit first (the raw keyed stream;
    bits past `nbits` in the last byte are not part of the codeword)."""
    if nbits < 0:
        raise ValueError("nbits must be non-negative")
    return _stream(bytes(download_code), label, (nbits + 7) // 8)


@lru_cache(maxsize=4096)
def _bits_cached(download_code: bytes, label: str, nbits: int) -> tuple[int, ...]:
    raw = _stream(download_code, label, (nbits + 7) // 8)
    return tuple(chain.from_iterable(map(_BYTE_BITS.__getitem__, raw)))[:nbits]


def code_bits(download_code: bytes, label: str, nbits: int) -> tuple[int, ...]:
    """The first `nbits` codeword bits of a download for one mark layer (`label`).

    Prefixes are stable: `code_bits(c, l, n)[:k] == code_bits(c, l, k)`.
    """
    if nbits < 0:
        raise ValueError("nbits must be non-negative")
    return _bits_cached(bytes(download_code), label, nbits)


def code_symbols(download_code: bytes, label: str, radices: Sequence[int]) -> tuple[int, ...]:
    """One symbol in range(radix) per slot, for m-ary slots (e.g. author-approved wordings).

    Each symbol uses 4 stream bytes; the modulo bias is below 2**-24 for radices under 256.
    """
    raw = _stream(bytes(download_code), label, 4 * len(radices))
    return tuple(
        int.from_bytes(raw[4 * i : 4 * i + 4], "big") % r for i, r in enumerate(radices)
    )


def binomial_tail(agree: int, compared: int, p: Fraction = Fraction(1, 2)) -> float:
    """Exact P[Bin(compared, p) >= agree]: the chance that an unrelated codeword agrees with the
    decoded evidence on at least `agree` of `compared` positions."""
    if compared < 0 or agree < 0:
        raise ValueError("counts must be non-negative")
    if agree <= 0:
        return 1.0
    if agree > compared:
        return 0.0
    num, den = p.numerator, p.denominator
    total = sum(
        math.comb(compared, i) * num**i * (den - num) ** (compared - i)
        for i in range(agree, compared + 1)
    )
    return float(Fraction(total, den**compared))


def union_bound(p_value: float, tests: int) -> float:
    """Bonferroni bound on the chance that ANY of `tests` null tests reaches `p_value`."""
    return min(1.0, p_value * max(1, tests))


@dataclass(frozen=True)
class LayerScore:
    """One candidate against one mark layer.

    agree/compared: matching slots over slots read from the evidence (erasures excluded).
    p_value: exact tail under the null "evidence unrelated to this candidate".
    """

    layer: str
    agree: int
    compared: int
    p_value: float


def score_bits(
    layer: str,
    decoded: Sequence[int | None],
    expected: Sequence[int],
    p_null: Fraction = Fraction(1, 2),
) -> LayerScore:
    """Compare decoded slots (None = erased) with a candidate's expected symbols."""
    agree = compared = 0
    for got, want in zip(decoded, expected, strict=False):
        if got is None:
            continue
        compared += 1
        agree += int(got == want)
    return LayerScore(layer, agree, compared, binomial_tail(agree, compared, p_null))


EXACT_TAIL_LIMIT = 512  # above this many disagreements, sparse_tail bounds instead of summing


def _binomial_pmf(n: int, p: float, upto: int) -> list[float]:
    """P[Bin(n, p) = k] for k = 0..min(n, upto), 0 < p < 1, from log-gamma."""
    lp, lq = math.log(p), math.log1p(-p)
    head = math.lgamma(n + 1)
    return [math.exp(head - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * lp + (n - k) * lq)
            for k in range(min(n, upto) + 1)]


def _chernoff_lower(classes: Sequence[tuple[int, float]], at_most: int) -> float:
    """An upper bound on P[D <= at_most] (D a sum of binomials): min over t of
    e^(t at_most) E[e^(-t D)], on a grid of t (any t gives a valid bound)."""
    best = 1.0
    for k in range(1, 80):
        t = 0.01 * 1.12 ** k
        log_b = t * at_most + sum(n * math.log1p(p * math.expm1(-t)) for n, p in classes)
        best = min(best, math.exp(min(log_b, 0.0)))
    return best


def sparse_tail(classes: Sequence[tuple[int, Fraction]], disagree: int) -> float:
    """P[D <= disagree] where D, the disagreements of an unrelated codeword, is the sum over
    `classes` of independent Bin(n, p) (n slots that an unrelated codeword contradicts with
    probability p each). At or above D's mean the answer is reported as 1 (it is at least
    about one half: no evidence either way)."""
    if disagree < 0:
        return 0.0
    fl = [(n, float(p)) for n, p in classes if n > 0]
    if disagree >= sum(n * p for n, p in fl):
        return 1.0
    if disagree > EXACT_TAIL_LIMIT:
        return _chernoff_lower(fl, disagree)
    pmf = [1.0]
    for n, p in fl:
        part = _binomial_pmf(n, p, disagree)
        out = [0.0] * min(len(pmf) + len(part) - 1, disagree + 1)
        for i, a in enumerate(pmf):
            if a:
                for j, b in enumerate(part[: len(out) - i]):
                    out[i + j] += a * b
        pmf = out
    return min(1.0, sum(pmf))


def score_sparse(
    layer: str,
    bits: Sequence[int | None],
    expected_bits: Sequence[int],
    radix: int,
    symbols: Sequence[int | None],
    expected_symbols: Sequence[int],
    symbol_radix: int,
) -> LayerScore:
    """A candidate against a sparse code: bits that are 1 with probability 1/`radix` (a
    character variant) and uniform symbols in range(`symbol_radix`) (a line token), read
    together. The statistic is the number of disagreements; under the null each bit read as
    1 disagrees with probability 1 - 1/radix, each read as 0 with 1/radix, each symbol with
    1 - 1/symbol_radix. The holder's copy disagrees nowhere: its p-value is the product of
    the agreement probabilities, a few bits per variant or token read."""
    q = Fraction(1, radix)
    ones = zeros = read = disagree = 0
    for got, want in zip(bits, expected_bits, strict=False):
        if got is None:
            continue
        ones += got == 1
        zeros += got != 1
        disagree += got != want
    for sym, want in zip(symbols, expected_symbols, strict=False):
        if sym is None:
            continue
        read += 1
        disagree += sym != want
    classes = [(ones, 1 - q), (zeros, q), (read, 1 - Fraction(1, symbol_radix))]
    compared = ones + zeros + read
    return LayerScore(layer, compared - disagree, compared, sparse_tail(classes, disagree))


def authentication_tag(key: bytes, download_code: bytes, digits: int = TAG_DIGITS) -> str:
    """An all-digit tag (short enough to read aloud) that binds a visible footer to a download.

    Derived with HMAC-SHA256 under a server key, so it reveals nothing about the download code.
    The 256-bit value reduced modulo 10**digits has negligible bias.
    """
    if not 6 <= digits <= 30:
        raise ValueError("digits must be between 6 and 30")
    mac = hmac.new(key, _TAG_DOMAIN + b"|" + bytes(download_code), hashlib.sha256).digest()
    return str(int.from_bytes(mac, "big") % 10**digits).zfill(digits)


def tag_match_probability(digits: int, max_substitutions: int) -> float:
    """Chance that a uniformly random `digits`-digit string lies within `max_substitutions`
    digit substitutions of one fixed tag (a Hamming ball in base 10)."""
    ball = sum(math.comb(digits, k) * 9**k for k in range(max_substitutions + 1))
    return float(Fraction(ball, 10**digits))
