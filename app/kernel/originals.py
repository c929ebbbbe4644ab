"""The one in-memory cache of decrypted originals, owned by the services (``Services``).

It sits in the kernel because the start-up collaborators import no domain: it knows document
versions only by id, and the documents domain supplies the decryption (``storage.open_prepared``).

Downloads mark, and traces read evidence against, the decrypted original of a document
version and structures derived from it alone (the watermark package's `Prepared`). Decrypting
and analysing per request would make every download and every trace against many candidate
documents pay that again, so they are kept here: one entry per document version id, holding
the plaintext and everything derived from it, and nothing else in the process holds them.
A PDF above SETTLEROOM_PDF_SPOOL_ABOVE_BYTES is downloaded without this cache: it is marked
file to file, never held whole in memory (``app.documents.service.download``).

Invariants and threats:
- an entry is reached only after the service has authorised the request for that version;
  the cache is keyed by the version id, and a version's content never changes (a replacement
  is a new version with a new id);
- the memory held is bounded by `max_bytes` (SETTLEROOM_ORIGINALS_CACHE_BYTES), least recently
  used first out. Derived structures grow an entry after it is handed out, so the bound is
  enforced at every access rather than continuously; 0 disables caching;
- `drop_case` removes every entry of a destroyed case and refuses to admit any later one (a
  request that decrypted just before the keys were destroyed cannot re-insert it). Dropping
  releases the objects; CPython does not overwrite freed memory, so this bounds how long the
  plaintext stays *reachable*, not how long its bytes linger in freed heap pages;
- each process has its own cache: a deployment with several worker processes empties only the
  destroying process's cache at once; the others lose the entries by eviction, and no request
  reaches them since every path checks that the case is live;
- thread safe: requests run in a thread pool. Decryption happens outside the lock.
- `issues` counts watermark failures (stage and exception class only, never content).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from app.watermark import Issue, Prepared, prepare

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
logger = logging.getLogger("settleroom.watermark")


@dataclass(frozen=True)
class _Entry:
    case_id: uuid.UUID
    prepared: Prepared


class IssueCounts:
    """Counters of watermark failures by (stage, kind): a small metrics registry for the
    services. Labels are a layer or step name and an exception class name only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str]] = Counter()

    def add(self, stage: str, kind: str) -> None:
        with self._lock:
            self._counts[(stage, kind)] += 1

    def snapshot(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return dict(self._counts)

    def total(self, stage: str | None = None) -> int:
        with self._lock:
            return sum(n for (s, _), n in self._counts.items() if stage in (None, s))


class Originals:
    """Decrypted, prepared originals by document version id (see the module docstring)."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.issues = IssueCounts()
        self._lock = threading.Lock()
        self._entries: OrderedDict[uuid.UUID, _Entry] = OrderedDict()
        self._sizes: dict[uuid.UUID, int] = {}  # size of each entry when last measured
        self._total = 0
        self._handed_out: set[uuid.UUID] = set()  # may have grown since: measure again
        self._dropped_cases: set[uuid.UUID] = set()

    def get(self, version_id: uuid.UUID, case_id: uuid.UUID, media_type: str,
            load: Callable[[], bytes]) -> Prepared:
        """The prepared original of a version; `load` decrypts (and authenticates) it on a
        miss, outside the lock."""
        with self._lock:
            entry = self._entries.get(version_id)
            if entry is not None:
                self._entries.move_to_end(version_id)
                self._shrink()
                self._handed_out.add(version_id)  # the caller may grow it now
                return entry.prepared
        prepared = prepare(load(), media_type)
        with self._lock:
            entry = self._entries.get(version_id)
            if entry is not None:  # another request loaded it meanwhile: share theirs
                self._handed_out.add(version_id)
                return entry.prepared
            if case_id not in self._dropped_cases and self.max_bytes > 0:
                self._entries[version_id] = _Entry(case_id, prepared)
                self._sizes[version_id] = 0
                self._handed_out.add(version_id)  # measured by _shrink...
                self._shrink()
                self._handed_out.add(version_id)  # ...and again after the caller used it
        return prepared

    def report(self, issue: Issue, *, version_id: uuid.UUID) -> None:
        """Count and log a watermark failure: the version id, stage and exception class only
        (the exception's message may quote the document, so it is never logged)."""
        self.issues.add(issue.stage, issue.kind)
        logger.warning("watermark issue stage=%s kind=%s version_id=%s",
                       issue.stage, issue.kind, version_id)

    def drop_case(self, case_id: uuid.UUID) -> int:
        """Forget every original of a destroyed case, now and for good; returns how many."""
        with self._lock:
            self._dropped_cases.add(case_id)
            gone = [v for v, e in self._entries.items() if e.case_id == case_id]
            for version_id in gone:
                self._remove(version_id)
        return len(gone)

    def case_entries(self, case_id: uuid.UUID) -> int:
        with self._lock:
            return sum(1 for e in self._entries.values() if e.case_id == case_id)

    @property
    def nbytes(self) -> int:
        """Bytes held, as measured at the last access (see _shrink)."""
        with self._lock:
            self._measure()
            return self._total

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _remove(self, version_id: uuid.UUID) -> None:
        del self._entries[version_id]
        self._total -= self._sizes.pop(version_id)
        self._handed_out.discard(version_id)

    def _measure(self) -> None:
        """Re-measure the entries handed out since the last access: only their callers can
        have grown them (the lock is held)."""
        for version_id in self._handed_out:
            entry = self._entries.get(version_id)
            if entry is not None:
                size = entry.prepared.nbytes
                self._total += size - self._sizes[version_id]
                self._sizes[version_id] = size
        self._handed_out.clear()

    def _shrink(self) -> None:
        """Evict least recently used entries until within budget (the lock is held). The
        entry just used may go too when it alone exceeds the budget: its caller keeps it for
        the length of the request."""
        self._measure()
        while self._entries and self._total > self.max_bytes:
            self._remove(next(iter(self._entries)))
