"""Author-approved wording variants ("canary traps"): the only mark that survives re-typing.

Each canary is a phrase of the original with equivalent alternatives; a download gets one option
per canary (an m-ary symbol derived from its code). Decoding looks for exactly one option in the
folded evidence; none or several found is an erasure.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from crypto.fingerprint import code_symbols

from .model import Canary
from .text import fold

CANARY_LABEL = "canary/v1"


def usable(original: str, canaries: Sequence[Canary]) -> list[tuple[int, Canary]]:
    """(start index, canary) for canaries whose phrase occurs exactly once in the original, in
    text order, without overlaps."""
    spans: list[tuple[int, Canary]] = []
    for c in canaries:
        at = original.find(c.phrase)
        unique = at >= 0 and original.find(c.phrase, at + 1) < 0
        if unique and c.alternatives and c.phrase not in c.alternatives:
            spans.append((at, c))
    spans.sort(key=lambda s: s[0])
    out: list[tuple[int, Canary]] = []
    end = -1
    for at, c in spans:
        if at >= end:
            out.append((at, c))
            end = at + len(c.phrase)
    return out


def covered(original: str, canaries: Sequence[Canary]) -> set[int]:
    """Original indices inside a canary phrase (character slots must avoid them)."""
    return {at + k for at, c in usable(original, canaries) for k in range(len(c.phrase))}


def symbols(download_code: bytes, original: str, canaries: Sequence[Canary]) -> tuple[int, ...]:
    spans = usable(original, canaries)
    return code_symbols(download_code, CANARY_LABEL, [1 + len(c.alternatives) for _, c in spans])


def apply(text: str, original: str, canaries: Sequence[Canary], download_code: bytes) -> str:
    """Replace each canary phrase (at its position in `original`; `text` must have the same
    indices outside canary spans) by this download's option."""
    spans = usable(original, canaries)
    syms = symbols(download_code, original, canaries)
    for (at, c), sym in sorted(zip(spans, syms, strict=True), key=lambda x: -x[0][0]):
        option = (c.phrase, *c.alternatives)[sym]
        text = text[:at] + option + text[at + len(c.phrase) :]
    return text


def _canon(s: str) -> str:
    return fold(s)[0].casefold()


def decode(original: str, canaries: Sequence[Canary], evidence: str) -> list[int | None]:
    hay = _canon(evidence)
    out: list[int | None] = []
    for _, c in usable(original, canaries):
        options = [_canon(o) for o in (c.phrase, *c.alternatives)]
        hits = {k for k, o in enumerate(options) if o and o in hay}
        # an option that is a substring of another one hides it: keep the longest hit only
        hits = {k for k in hits if not any(options[k] in options[j] for j in hits if j != k)}
        out.append(hits.pop() if len(hits) == 1 else None)
    return out


def null_probability(original: str, canaries: Sequence[Canary]) -> Fraction:
    """Largest per-slot chance agreement (1 / fewest options): a conservative binomial null."""
    spans = usable(original, canaries)
    if not spans:
        return Fraction(1, 2)
    return Fraction(1, min(1 + len(c.alternatives) for _, c in spans))
