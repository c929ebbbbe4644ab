"""Line marks: an invisible token before the first and after the last word of every line.

Each line of an original's text (as pdftemplate joins a page's glyphs) has two slots, its start
and its end. A marked copy shows, a space's width before the line's first glyph and after its
last, one glyph of an empty Type 3 font that draws nothing and advances the pen by nothing (the
text around it stays where it was); its ToUnicode maps it to four default-ignorable format
characters, one from each
of four pairs (ZERO WIDTH SPACE or NON-JOINER, ZERO WIDTH JOINER or WORD JOINER, FUNCTION
APPLICATION or INVISIBLE TIMES, INVISIBLE SEPARATOR or INVISIBLE PLUS): four bits per line, and
a bit's character tells its position, so a token that lost some characters (two colluders'
copies compared character by character keep only what both have) still reads the rest.

Why here: extraction (pdftotext, pdfminer, pypdf, a viewer's copy) returns the token as a word
of its own at the line's edge, so every word of the original stays what it was (a
search finds it, a quoted passage carries no look-alike letter), while a 20 % excerpt of the
extracted text still holds half a dozen lines, eight bits each. Removing format characters or
retyping removes the tokens: sparse character variants (text.py) cover that evidence.

Slots are a function of the original's text alone, so a stored text layer (textlayer.py) holds
them already. Reading is informed and candidate-free: the line's last character is located in
the evidence by the same alignment as the character slots (the first one likewise), and the
token must follow (precede) it, spaces apart at most, on the same line; anything else is an
erasure, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

PAIRS = (("\u200b", "\u200c"), ("\u200d", "\u2060"), ("\u2061", "\u2062"),
         ("\u2063", "\u2064"))
BITS = len(PAIRS)  # bits per line end
RADIX = 2 ** BITS  # symbols per line end (one glyph code each)
_BIT = {ch: (k, v) for k, pair in enumerate(PAIRS) for v, ch in enumerate(pair)}
_GAP = " \t\u00a0"


def token(symbol: int) -> str:
    """The characters that `symbol` (0..RADIX-1) extracts as, its first bit the highest."""
    if not 0 <= symbol < RADIX:
        raise ValueError("symbol out of range")
    return "".join(pair[(symbol >> (BITS - 1 - k)) & 1] for k, pair in enumerate(PAIRS))


def token_bits(chars: str) -> list[int | None]:
    """The bits a (possibly partial) token reads as: None where its position's character is
    missing or appears twice."""
    out: list[int | None] = [None] * BITS
    seen = [0] * BITS
    for ch in chars:
        k, v = _BIT[ch]
        out[k] = v
        seen[k] += 1
    return [b if n == 1 else None for b, n in zip(out, seen, strict=True)]


def _lines(text: str) -> list[tuple[int, int]]:
    """(first, last) index of the visible characters of every line that has some."""
    out: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    while start <= n:
        stop = text.find("\n", start)
        stop = n if stop < 0 else stop
        first, last = start, stop - 1
        while first < stop and text[first].isspace():
            first += 1
        while last >= first and text[last].isspace():
            last -= 1
        if first <= last:
            out.append((first, last))
        start = stop + 1
    return out


def line_ends(text: str) -> tuple[int, ...]:
    """Index of the last visible character of every line of `text` that has one."""
    return tuple(last for _, last in _lines(text))


def line_starts(text: str) -> tuple[int, ...]:
    """Index of the first visible character of every line of `text` that has one."""
    return tuple(first for first, _ in _lines(text))


def read_tokens(text: str, mapping: Mapping[int, int], ends: Sequence[int],
                starts: Sequence[int] = ()) -> list[int | None]:
    """BITS values per line end, then per line start: the bits of the token found after the
    line's last character (before its first) in evidence `text` (`mapping`: original index
    -> evidence index, from text.align)."""
    out: list[int | None] = []
    n = len(text)
    for pos in ends:
        j = mapping.get(pos)
        if j is None:
            out += [None] * BITS
            continue
        k = j + 1
        while k < n and text[k] in _GAP:
            k += 1
        stop = k
        while stop < n and text[stop] in _BIT:
            stop += 1
        out += token_bits(text[k:stop])
    for pos in starts:
        j = mapping.get(pos)
        if j is None:
            out += [None] * BITS
            continue
        k = j
        while k > 0 and text[k - 1] in _GAP:
            k -= 1
        first = k
        while first > 0 and text[first - 1] in _BIT:
            first -= 1
        out += token_bits(text[first:k])
    return out
