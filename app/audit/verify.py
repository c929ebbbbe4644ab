"""``settleroom audit verify``: recompute the log from the database and check it against
every stored signed tree head.

Detects an edited entry (leaf hash disagrees; with ``--deep`` any edited column, down to
details, actors and timestamps, and a gap in a case's event numbers), a deleted entry (a
gap), swapped entries (an entry's own index disagrees with its row), a truncated tail (fewer entries
than the counter or a signed head says), a rewritten history whose hashes were all
recomputed (an earlier signed head no longer matches: the signatures cannot be redone
without the key), and a damaged subtree-hash table. Reports the first bad entry.

Every head above lives in the database it checks: an insider who deletes the tail with the
later heads, or rewrites history and deletes every head, passes them. Given witnesses'
cosigned checkpoints (``witness_check``), those fail too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import queue
import threading
import uuid
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.entry import Entry, EntryError, first_case_seq, parse_entry
from app.audit.witness_check import WitnessRecord, check_witness
from app.db import pg_driver
from app.models.audit import AuditLogState, SigningKey, TreeHead
from crypto import merkle, signing

BATCH = 10_000
PREFETCH = 4  # batches read ahead


@dataclass
class VerifyReport:
    events: int = 0
    heads: int = 0
    problems: list[str] = field(default_factory=list)
    first_bad_leaf: int | None = None
    witnessed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, leaf: int | None, message: str) -> None:
        self.problems.append(message)
        if leaf is not None and (self.first_bad_leaf is None or leaf < self.first_bad_leaf):
            self.first_bad_leaf = leaf


def _prefetched(fetch: Callable[[], Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """Yield ``fetch()`` results until an empty one while a thread fetches the next ones.

    The driver waits on the network without the GIL, so transferring batch k + 1 overlaps
    with checking batch k (at a million events this halves the scan). Leaving early stops
    the thread before the caller closes its cursor."""
    slots: queue.Queue[Sequence[Any] | BaseException] = queue.Queue(maxsize=PREFETCH)
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.is_set():
                rows = fetch()
                slots.put(rows)
                if not rows:
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the consuming thread
            slots.put(exc)

    worker = threading.Thread(target=run, name="settleroom-verify-fetch", daemon=True)
    worker.start()
    try:
        while True:
            item = slots.get()
            if isinstance(item, BaseException):
                raise item
            if not item:
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # a put() may be waiting for room
            with contextlib.suppress(queue.Empty):
                slots.get_nowait()
            worker.join(0.01)


def _batches(session: Session, sql: str) -> Generator[Sequence[Any], None, None]:
    """Raw driver rows in lists of ``BATCH`` through a server-side cursor: per-row library
    work would dominate. On PostgreSQL psycopg's binary named cursor is used directly and
    read ahead in a thread."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        driver = pg_driver(session)
        with driver.cursor(name="settleroom_verify", binary=True) as cur:  # type: ignore[union-attr]
            cur.execute(sql)
            yield from _prefetched(lambda: cur.fetchmany(BATCH))
        return
    result = conn.execution_options(stream_results=True, max_row_buffer=BATCH
                                    ).exec_driver_sql(sql)
    while rows := result.fetchmany(BATCH):
        yield rows


def _uuid(value: object) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))  # SQLite keeps 32 hex digits


def _timestamp(value: object) -> datetime:
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str | bytes) else value


# The stored columns, in the order the deep scan reads them, and how each is compared with
# what the entry says: every column is a copy of the entry (``pending_id`` aside, which is
# in no entry and never shown).
DEEP_COLUMNS: tuple[tuple[str, Callable[[object], object]], ...] = (
    ("timestamp", _timestamp), ("case_id", _uuid), ("actor_user_id", _uuid),
    ("actor_party_id", _uuid), ("action", str), ("outcome", str), ("object_type", str),
    ("object_id", lambda v: v), ("details", _json), ("case_seq", lambda v: v),
)


def _edited_columns(parsed: Entry, columns: tuple[object, ...]) -> list[str]:
    edited = []
    for (name, normal), value in zip(DEEP_COLUMNS, columns, strict=True):
        try:
            same = (None if value is None else normal(value)) == getattr(parsed, name)
        except (ValueError, TypeError):
            same = False
        if not same:
            edited.append(name)
    return edited


@dataclass
class CaseCounters:
    """Per case: how many events came before its first numbered one, and the last number.
    A case's numbers must run 1, 2, 3... over its events in leaf order."""

    uncounted: dict[uuid.UUID, int] = field(default_factory=dict)
    last: dict[uuid.UUID, int] = field(default_factory=dict)

    def check(self, parsed: Entry) -> str | None:
        case = parsed.case_id
        if case is None:
            return None
        if parsed.case_seq is None:
            if case in self.last:
                return "an entry without a case number after numbered ones"
            self.uncounted[case] = self.uncounted.get(case, 0) + 1
            return None
        expected = (self.last[case] + 1 if case in self.last
                    else first_case_seq(self.uncounted.get(case, 0)))
        self.last[case] = parsed.case_seq
        if parsed.case_seq != expected:
            return (f"case number {parsed.case_seq} where {expected} was due (events of the "
                    "case are missing or numbered twice)")
        return None


def _check_entry(report: VerifyReport, index: int, entry: bytes, leaf: bytes, stored: bytes,
                 columns: tuple[object, ...] | None, counters: CaseCounters | None) -> None:
    """The stored hash, the entry's own position and, in a deep scan, every queryable
    column and the case's counter must agree with the entry."""
    if leaf != stored:
        report.fail(index, f"leaf {index}: the entry does not match its stored hash (edited)")
    # A quote inside a details value is escaped, so this fragment only matches the key.
    if b'"leaf_index":%d,' % index not in entry:
        report.fail(index, f"leaf {index}: the entry belongs elsewhere (rows swapped or moved)")
    if columns is None or counters is None:
        return
    try:
        parsed = parse_entry(entry)
    except EntryError as exc:
        report.fail(index, f"leaf {index}: {exc}")
        return
    edited = _edited_columns(parsed, columns)
    if edited:
        report.fail(index, f"leaf {index}: the row's {', '.join(edited)} disagree with its "
                           "entry (edited)")
    problem = counters.check(parsed)
    if problem:
        report.fail(index, f"leaf {index}: {problem}")


def _batch_consistent(rows: Sequence[Any], start: int, leaves: list[bytes]) -> bool:
    """Whole-batch form of the row checks, at C speed: consecutive indexes, stored hashes
    equal to the recomputed ones, and each entry naming its own position."""
    stop = start + len(rows)
    return ([row[0] for row in rows] == list(range(start, stop))
            and [bytes(row[2]) for row in rows] == leaves
            and all(map(bytes.__contains__, [bytes(row[1]) for row in rows],
                        [b'"leaf_index":%d,' % i for i in range(start, stop)])))


def _check_rows(report: VerifyReport, rows: Sequence[Any], start: int, hashes: list[bytes],
                counters: CaseCounters | None) -> int | None:
    """Check a batch row by row; return the position of a missing entry, if any."""
    for offset, row in enumerate(rows):
        index = int(row[0])
        if index != start + offset:
            report.fail(start + offset, f"leaf {start + offset}: missing (deleted); the next "
                                        f"entry is leaf {index}")
            return offset
        _check_entry(report, index, bytes(row[1]), hashes[offset], bytes(row[2]),
                     tuple(row[3:]) if counters is not None else None, counters)
    return None


def _scan(session: Session, report: VerifyReport, progress: Callable[[int], None] | None,
          deep: bool) -> list[bytes]:
    """Recompute every leaf hash. A batch that fails the whole-batch checks, and every
    batch in a deep scan, is checked row by row to name the first bad entry; the scan stops
    at a missing entry."""
    columns = "".join(f", {name}" for name, _ in DEEP_COLUMNS) if deep else ""
    counters = CaseCounters() if deep else None
    sql = ("SELECT leaf_index, entry, leaf_hash" + columns  # noqa: S608 - constant names
           + " FROM audit_events ORDER BY leaf_index")
    leaves: list[bytes] = []
    sha256 = hashlib.sha256
    with contextlib.closing(_batches(session, sql)) as batches:
        for rows in batches:
            start = len(leaves)
            hashes = [sha256(b"\x00" + bytes(row[1])).digest() for row in rows]
            if deep or not _batch_consistent(rows, start, hashes):
                gap = _check_rows(report, rows, start, hashes, counters)
                if gap is not None:
                    leaves.extend(hashes[:gap])
                    return leaves
            leaves.extend(hashes)
            if progress:
                progress(len(rows))
    return leaves


def build_levels(leaves: list[bytes]) -> list[list[bytes]]:
    """Level k holds the hashes of the complete, aligned subtrees of 2**k leaves."""
    sha256 = hashlib.sha256
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([sha256(b"\x01" + left + right).digest()
                       for left, right in zip(below[0::2], below[1::2], strict=False)])
    return levels


def root_from_levels(levels: list[list[bytes]], size: int) -> bytes:
    hashes = tuple(levels[(end - start).bit_length() - 1][start >> ((end - start).bit_length()
                   - 1)] for start, end in merkle.frontier_ranges(size))
    return merkle.Frontier(size, hashes).root()


def _check_heads(session: Session, report: VerifyReport, levels: list[list[bytes]],
                 count: int) -> None:
    keys = {k.key_id: k for k in session.execute(select(SigningKey)).scalars()}
    good_size = 0
    for head in session.execute(select(TreeHead).order_by(TreeHead.id)).scalars():
        report.heads += 1
        key = keys.get(head.key_id)
        if key is None:
            report.fail(None, f"tree head #{head.id}: signed by an unknown key")
            continue
        public = signing.load_public_key_pem(key.public_key_pem.encode())
        try:
            signing.verify_tree_head(signing.TreeHead(
                head.tree_size, head.root_hash, head.timestamp_ms, head.key_id,
                head.signature), public)
        except signing.InvalidSignature:
            report.fail(None, f"tree head #{head.id}: the signature does not verify")
            continue
        if head.tree_size > count:
            report.fail(count, f"tree head #{head.id} covers {head.tree_size} entries but only "
                               f"{count} remain (truncated)")
            continue
        if root_from_levels(levels, head.tree_size) != head.root_hash:
            # A leaf already named inside this head's range is more precise than the range.
            known = report.first_bad_leaf is not None and report.first_bad_leaf < head.tree_size
            report.fail(None if known else good_size,
                        f"tree head #{head.id} (size {head.tree_size}) does not match the "
                        f"entries: history in leaves {good_size}..{head.tree_size - 1} "
                        "was rewritten")
        else:
            good_size = max(good_size, head.tree_size)


def _check_subtrees(session: Session, report: VerifyReport, levels: list[list[bytes]]) -> None:
    sql = 'SELECT start, "end", hash FROM audit_subtrees'
    for start, end, value in (row for rows in _batches(session, sql) for row in rows):
        level = (end - start).bit_length() - 1
        row = levels[level] if level < len(levels) else []
        if (start >> level) >= len(row) or row[start >> level] != bytes(value):
            report.fail(int(start), f"subtree [{start}, {end}) is wrong or beyond the log")


def verify_log(session: Session, progress: Callable[[int], None] | None = None, *,
               deep: bool = False, witnesses: Sequence[WitnessRecord] = (),
               origin: str = "") -> VerifyReport:
    """Check every entry, its position and hash, and every signed head. With ``deep`` also
    every queryable column (the ones the API and the audit page read to find events)
    against its entry, each case's event numbers for gaps, and every stored subtree hash
    (columns and subtrees are not covered by the signatures: they are copies that serve
    queries and proofs). With ``witnesses``, the log against each witness's cosigned
    checkpoint of ``origin`` (``witness_check``): what no edit of the database can pass."""
    report = VerifyReport()
    size = int(session.execute(select(AuditLogState.tree_size)).scalar_one())
    leaves = _scan(session, report, progress, deep)
    report.events = len(leaves)
    if len(leaves) < size:
        report.fail(len(leaves), f"leaf {len(leaves)}: the log should hold {size} entries but "
                                 f"holds {len(leaves)} (truncated or deleted)")
    levels = build_levels(leaves) if leaves else [[]]
    _check_heads(session, report, levels, len(leaves))
    for record in witnesses:
        line = check_witness(session, record, origin=origin, entries=len(leaves),
                             heads=report.heads, root_at=lambda n: root_from_levels(levels, n),
                             fail=report.fail)
        if line:
            report.witnessed.append(line)
    if deep and report.ok:
        _check_subtrees(session, report, levels)
    return report
