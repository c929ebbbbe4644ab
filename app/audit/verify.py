"""``settleroom audit verify``: recompute the log from the database and check it against
every stored signed tree head.

Detects an edited entry (leaf hash or columns disagree), a deleted entry (a gap), swapped
entries (an entry's own index disagrees with its row), a truncated tail (fewer entries
than the counter or a signed head says), a rewritten history whose hashes were all
recomputed (an earlier signed head no longer matches: the signatures cannot be redone
without the key), and a damaged subtree-hash table. Reports the first bad entry.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.audit import AuditLogState, SigningKey, TreeHead
from crypto import merkle, signing

BATCH = 10_000
CROSS_CHECKED = ("action", "outcome", "object_type", "object_id")


@dataclass
class VerifyReport:
    events: int = 0
    heads: int = 0
    problems: list[str] = field(default_factory=list)
    first_bad_leaf: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, leaf: int | None, message: str) -> None:
        self.problems.append(message)
        if leaf is not None and (self.first_bad_leaf is None or leaf < self.first_bad_leaf):
            self.first_bad_leaf = leaf


def _stream(session: Session, sql: str) -> Iterator[Any]:
    """Raw driver rows through a server-side cursor: per-row library work would dominate.
    On PostgreSQL psycopg's binary named cursor is used directly."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        with driver.cursor(name="settleroom_verify", binary=True) as cur:  # type: ignore[union-attr]
            cur.itersize = BATCH
            cur.execute(sql)
            yield from cur
        return
    yield from conn.execution_options(stream_results=True, max_row_buffer=BATCH
                                      ).exec_driver_sql(sql)


def _uuid_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(uuid.UUID(str(value)))  # SQLite keeps 32 hex digits


def _rows(session: Session, deep: bool) -> Iterator[tuple[int, bytes, bytes, tuple[object, ...]]]:
    columns = ", case_id, " + ", ".join(CROSS_CHECKED) if deep else ""
    sql = ("SELECT leaf_index, entry, leaf_hash" + columns  # noqa: S608 - constant names
           + " FROM audit_events ORDER BY leaf_index")
    for row in _stream(session, sql):
        yield int(row[0]), bytes(row[1]), bytes(row[2]), tuple(row[3:])


_PLAIN = frozenset(range(0x20, 0x7F)) - {ord('"'), ord("\\")}


def _fragment(key: str, value: object) -> bytes:
    if value is None:
        encoded = b"null"
    elif isinstance(value, int) and not isinstance(value, bool):
        encoded = str(value).encode()
    elif isinstance(value, str) and value.isascii() and _PLAIN.issuperset(value.encode()):
        encoded = b'"' + value.encode() + b'"'  # ids and codes: JSON needs no escapes
    else:
        encoded = json.dumps(value, ensure_ascii=False).encode()
    return b'"' + key.encode() + b'":' + encoded


def _top_level(entry: bytes) -> bytes:
    """The entry without its ``details`` object (which sorts right before ``leaf_index``)."""
    start = entry.find(b'"details":')
    end = entry.find(b',"leaf_index":', start)
    return entry if start < 0 or end < 0 else entry[:start] + entry[end + 1:]


def _has(entry: bytes, key: str, value: object) -> bool:
    fragment = _fragment(key, value)
    return fragment + b"," in entry or fragment + b"}" in entry


def _check_entry(report: VerifyReport, index: int, entry: bytes, stored: bytes,
                 columns: tuple[object, ...] | None) -> bytes:
    """The stored hash, the entry's own position and the queryable columns must agree with
    the entry. Entries are canonical JSON with sorted keys, and top-level keys cannot occur
    inside ``details`` (its keys are allow-listed), so finding the exact ``"key":value``
    fragments is equivalent to parsing the entry, and several times faster."""
    leaf = merkle.leaf_hash(entry)
    if leaf != stored:
        report.fail(index, f"leaf {index}: the entry does not match its stored hash (edited)")
    # A quote inside a details value is escaped, so this fragment only matches the key.
    if _fragment("leaf_index", index) + b"," not in entry:
        report.fail(index, f"leaf {index}: the entry belongs elsewhere (rows swapped or moved)")
    if columns is None:
        return leaf
    case_id, *rest = columns
    keys = ("case_id", *CROSS_CHECKED)
    top = _top_level(entry)
    if not all(_has(top, k, v) for k, v in zip(keys, [_uuid_text(case_id), *rest],
                                                   strict=True)):
        report.fail(index, f"leaf {index}: the row's columns disagree with its entry (edited)")
    return leaf


def _scan(session: Session, report: VerifyReport, progress: Callable[[int], None] | None,
          deep: bool) -> list[bytes]:
    if deep:
        return _scan_deep(session, report, progress)
    leaves: list[bytes] = []
    append, sha256 = leaves.append, hashlib.sha256
    sql = "SELECT leaf_index, entry, leaf_hash FROM audit_events ORDER BY leaf_index"
    for index, entry, stored in _stream(session, sql):
        if index != len(leaves):
            report.fail(len(leaves), f"leaf {len(leaves)}: missing (deleted); the next entry "
                                     f"is leaf {index}")
            return leaves
        entry = bytes(entry)
        # A quote inside a details value is escaped, so this fragment only matches the key.
        if b'"leaf_index":%d,' % index not in entry:
            report.fail(index, f"leaf {index}: the entry belongs elsewhere (rows swapped or "
                               "moved)")
        leaf = sha256(b"\x00" + entry).digest()
        if leaf != stored:
            report.fail(index, f"leaf {index}: the entry does not match its stored hash (edited)")
        append(leaf)
        if progress and index % BATCH == BATCH - 1:
            progress(BATCH)
    if progress:
        progress(len(leaves) % BATCH)
    return leaves


def _scan_deep(session: Session, report: VerifyReport,
               progress: Callable[[int], None] | None) -> list[bytes]:
    leaves: list[bytes] = []
    for index, entry, stored, columns in _rows(session, True):
        expected = len(leaves)
        if index != expected:
            report.fail(expected, f"leaf {expected}: missing (deleted); the next entry is "
                                  f"leaf {index}")
            return leaves
        leaves.append(_check_entry(report, index, entry, stored, columns))
        if progress and len(leaves) % BATCH == 0:
            progress(BATCH)
    if progress:
        progress(len(leaves) % BATCH)
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
    for start, end, value in _stream(session, sql):
        level = (end - start).bit_length() - 1
        row = levels[level] if level < len(levels) else []
        if (start >> level) >= len(row) or row[start >> level] != bytes(value):
            report.fail(int(start), f"subtree [{start}, {end}) is wrong or beyond the log")


def verify_log(session: Session, progress: Callable[[int], None] | None = None, *,
               deep: bool = False) -> VerifyReport:
    """Check every entry, its position and hash, and every signed head. With ``deep`` also
    the queryable columns against their entries and every stored subtree hash (neither is
    covered by the signatures: they are copies that serve queries and proofs)."""
    report = VerifyReport()
    size = int(session.execute(select(AuditLogState.tree_size)).scalar_one())
    leaves = _scan(session, report, progress, deep)
    report.events = len(leaves)
    if len(leaves) < size:
        report.fail(len(leaves), f"leaf {len(leaves)}: the log should hold {size} entries but "
                                 f"holds {len(leaves)} (truncated or deleted)")
    levels = build_levels(leaves) if leaves else [[]]
    _check_heads(session, report, levels, len(leaves))
    if deep and report.ok:
        _check_subtrees(session, report, levels)
    return report
