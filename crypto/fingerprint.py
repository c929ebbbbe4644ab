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
* a p-value is an exact binomial tail (integer arithmetic, no normal approximation);
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
