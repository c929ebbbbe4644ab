"""Visible footer text and an OCR-tolerant parser for the all-digit authentication tag.

The footer names the recipient for deterrence only: attribution uses the TAG, never the name,
so a footer whose name was edited still points at the download the tag belongs to, and a tag
that matches no candidate accuses no one. Every 12-digit string the parser tries is one more
chance for a random hit; `TagScan.tried` counts them for the union bound.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from crypto.fingerprint import tag_match_probability

from .model import MarkSpec

# OCR confusions folded to digits, only inside tokens that are mostly digits already.
_CONFUSABLE = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "i": "1", "|": "1",
     "!": "1", "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "G": "6", "b": "6",
     "g": "9", "q": "9", "T": "7"}
)
_TOKEN = re.compile(r"[0-9OoDQlIi|!SsBZzGbgqT]+")
_SEP = re.compile(r"[ \t\u00a0\-\u2010-\u2015.\u00b7,_/]{1,3}")
MAX_SUBSTITUTIONS = 1


def format_tag(tag: str) -> str:
    """Group an all-digit tag in fours for reading aloud: 1234-5678-9012."""
    return "-".join(tag[i : i + 4] for i in range(0, len(tag), 4))


def footer_lines(mark: MarkSpec) -> tuple[str, str]:
    """(line 1: who and why, line 2: the tag). Kept short enough for a letter-width footer."""
    who = f"Copy for {mark.recipient_name} ({mark.party_name})"
    line1 = f"{who} - {mark.designation} - {mark.legend}"
    return line1, f"Download tag {format_tag(mark.tag)}"


def bates_of(mark: MarkSpec, page: int) -> str | None:
    """The Bates number stamped on page `page` (0-based), if the copy is of a production."""
    return mark.bates[page] if page < len(mark.bates) else None


def _digit_tokens(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        digits = sum(c.isdigit() for c in tok)
        if digits * 2 < len(tok):
            continue  # a word such as "Is" or "S0": not a digit group
        out.append((m.start(), m.end(), tok.translate(_CONFUSABLE)))
    return out


def tag_strings(text: str, digits: int = 12) -> tuple[str, ...]:
    """Maximal digit groups (joined across short separators) with exactly `digits` digits."""
    toks = _digit_tokens(text)
    found: list[str] = []
    i = 0
    while i < len(toks):
        run, end, j = toks[i][2], toks[i][1], i + 1
        while j < len(toks) and _SEP.fullmatch(text[end : toks[j][0]]):
            run += toks[j][2]
            end = toks[j][1]
            j += 1
        if len(run) == digits:
            found.append(run)
        elif len(run) > digits and len(run) % digits == 0:
            found += [run[k : k + digits] for k in range(0, len(run), digits)]
        i = j
    return tuple(found)


@dataclass(frozen=True)
class TagScan:
    """Tags read from text: `tried` digit strings, and per candidate tag the best distance."""

    tried: int
    distances: dict[str, int]

    def p_value(self, digits: int) -> float:
        """Chance that `tried` random strings come within MAX_SUBSTITUTIONS of one fixed tag."""
        return min(1.0, self.tried * tag_match_probability(digits, MAX_SUBSTITUTIONS))


class TagText:
    """Text to scan for tags, with its digit groups memoised per length for this one text:
    scoring scans the same evidence once per candidate. It lives as long as one scoring, so
    evidence text (a copy of a case document) is never kept in a process-wide cache."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._strings: dict[int, frozenset[str]] = {}

    def strings(self, digits: int) -> frozenset[str]:
        if digits not in self._strings:
            self._strings[digits] = frozenset(tag_strings(self.text, digits))
        return self._strings[digits]


def _distance(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=True))


def scan_tags(text: str | TagText, candidate_tags: Sequence[str]) -> TagScan:
    """Compare every tag-shaped string in `text` with the candidates' tags (never names)."""
    scan = text if isinstance(text, TagText) else TagText(text)
    wanted = {t for t in candidate_tags if t.isdigit()}
    by_len: dict[int, list[str]] = {}
    for t in wanted:
        by_len.setdefault(len(t), []).append(t)
    tried = 0
    best: dict[str, int] = {}
    for n, tags in by_len.items():
        strings = scan.strings(n)
        tried += len(strings)
        for s in strings:
            for t in tags:
                d = _distance(s, t)
                if d <= MAX_SUBSTITUTIONS and d < best.get(t, n + 1):
                    best[t] = d
    return TagScan(tried, best)
