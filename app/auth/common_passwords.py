"""Passwords that must not be chosen because attackers try them first (ASVS 5.0 V6.2.4).

The list is the 10,000 most common passwords of a ten-million-password breach corpus
(SecLists; where it came from is written at the top of ``data/common-passwords.txt.gz``). It
is read on first use, not at start-up. The check ignores case, and it also refuses a listed
password wrapped in digits and punctuation ("password1234", "!Monkey2024"): with the minimum
length of twelve, that is how most listed passwords would be typed, and how guessing tools
mutate them.
"""

from __future__ import annotations

import gzip
import re
import threading
from importlib import resources

_DATA = "data/common-passwords.txt.gz"
# A listed password shorter than this is not looked for inside a longer one: "a1" wrapped in
# digits says nothing.
_MIN_CORE = 4
_AFFIX = re.compile(r"^[\d\W_]*(.*?)[\d\W_]*$", re.DOTALL)

_lock = threading.Lock()
_words: frozenset[str] | None = None


def _load() -> frozenset[str]:
    global _words
    with _lock:
        if _words is None:
            raw = resources.files("app.auth").joinpath(_DATA).read_bytes()
            text = gzip.decompress(raw).decode("utf-8")
            _words = frozenset(line.strip().casefold() for line in text.splitlines()
                               if line.strip() and not line.startswith("#"))
        return _words


def is_common(password: str) -> bool:
    """True when ``password`` (any case) is listed, or is a listed password of at least four
    characters with only digits, punctuation or spaces before and after it."""
    words = _load()
    folded = password.casefold()
    if folded in words or folded.strip() in words:
        return True
    match = _AFFIX.match(folded)
    core = match.group(1) if match else ""
    return len(core) >= _MIN_CORE and core in words


def loaded() -> bool:
    """Whether the list has been read (start-up must not read it)."""
    return _words is not None
