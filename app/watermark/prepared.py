"""An original and everything derived from it alone, computed on first use and kept with it.

Embedding and detection need structures that depend on the original only: the PDF analysis and
splice template, the original's rendered pages, the image block layout, the text slots and the
folded text. They are costly, so they are computed once per original and reused by every
download of it and every trace against it. They are kept HERE, beside the original, and nowhere
else: the package holds no process-wide cache keyed by content. Whoever holds a `Prepared` (the
services' cache of decrypted originals) therefore decides how long the plaintext and what was
derived from it stay in memory, and dropping the `Prepared` drops all of it.

Threats and invariants:
- a derivation is a function of `original` alone, never of a download code or of evidence, so
  sharing it between downloads and traces cannot leak one recipient's marks into another's;
- each derivation runs at most once per instance even under concurrent requests (a lock per
  derivation; derivations only depend on ones declared before them, so locks never cycle);
- `nbytes` approximates the memory held (original plus derived structures) for the owner's
  byte budget; it is an estimate, not an exact accounting of Python object overhead.

An original too large to hold in memory is prepared from a file instead (`Prepared.of_file`):
the derivations then parse it from the file as they need it (`reader`), and `original` is
refused, so nothing reads the whole file into memory by mistake. Such a Prepared belongs to
one caller, which uses it from one thread (the parses share the file's position); its
derivations are the same values as those of the same bytes in memory.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import BinaryIO, TypeVar, cast

T = TypeVar("T")


class Prepared:
    """The plaintext of one original, its media type, and its derived structures."""

    __slots__ = ("_original", "_file", "size", "media_type", "_values", "_derived_bytes",
                 "_locks", "_guard")

    def __init__(self, original: bytes, media_type: str) -> None:
        self._original: bytes | None = original
        self._file: BinaryIO | None = None
        self.size = len(original)
        self.media_type = media_type
        self._values: dict[str, object] = {}
        self._derived_bytes = 0
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @classmethod
    def of_file(cls, file: BinaryIO, media_type: str) -> Prepared:
        """An original held in a seekable file (which the caller keeps open and closes)."""
        prep = cls(b"", media_type)
        prep._original, prep._file = None, file
        prep.size = file.seek(0, io.SEEK_END)
        return prep

    @property
    def original(self) -> bytes:
        """The original's bytes; refused for one held in a file (read it through `reader`)."""
        if self._original is None:
            raise ValueError("this original is held in a file: read it through reader()")
        return self._original

    @property
    def in_file(self) -> bool:
        return self._file is not None

    def reader(self) -> BinaryIO:
        """The original from its first byte: a view of the bytes, or the file rewound."""
        if self._file is None:
            return io.BytesIO(self.original)
        self._file.seek(0)
        return self._file

    def derive(self, key: str, build: Callable[[], T], size: Callable[[T], int]) -> T:
        """The value stored under `key`, built (once) by `build`. A build that raises stores
        nothing, so the next call tries again; a caller that wants a failure remembered
        returns it as a value."""
        if key in self._values:
            return cast(T, self._values[key])
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                value = build()
                with self._guard:
                    self._derived_bytes += int(size(value))
                    self._values[key] = value
        return cast(T, self._values[key])

    def has(self, key: str) -> bool:
        return key in self._values

    @property
    def nbytes(self) -> int:
        """Approximate bytes held: the original plus every derived structure built so far."""
        return (0 if self._file is not None else self.size) + self._derived_bytes

    def __repr__(self) -> str:  # never the content: this may end up in a log or a traceback
        return f"Prepared({self.media_type}, {self.size} bytes, {sorted(self._values)})"


def prepare(original: bytes | Prepared, media_type: str) -> Prepared:
    """`original` as a Prepared (a fresh one for raw bytes: its derivations then live only as
    long as the caller keeps it)."""
    if isinstance(original, Prepared):
        if original.media_type != media_type:
            raise ValueError("prepared original has another media type")
        return original
    return Prepared(original, media_type)
