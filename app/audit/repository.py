"""SQL for the audit log: pending events, the sequencer's lock, batch appends, lookups.

Only the sequencer, holding ``lock_sequencer``, reads the pending queue for sequencing
and writes ``audit_events``, ``audit_subtrees``, ``tree_heads`` and the size row.

On PostgreSQL a batch takes one network round trip to lock and read and one to write
(psycopg pipeline mode). Each reply costs a sequencer thread a fresh turn at the
interpreter lock, which many request threads compete for; fewer replies keep the
sequencing delay short under load.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.orm import Session

from app.audit.store import DbSubtreeStore, insert_subtrees
from app.db import on_postgres, pg_driver, pg_execute_later
from app.models.audit import AuditEvent, AuditLogState, AuditPending, TreeHead
from crypto import merkle

STATE_ROW_ID = 1
# The PostgreSQL advisory lock that elects the sequencer (any constant every process shares).
SEQUENCER_LOCK_KEY = 0x5E77_1E00_A0D1


# The statements every audited action and every batch runs, built once as Core statements
# and run on the session's connection: building an ORM statement and its compile state on
# each call cost more than running it (a quarter of a request-heavy test's time on SQLite).
# PostgreSQL runs its own text in pipelines below.
_PENDING = AuditPending.__table__
_INSERT_PENDING = _PENDING.insert()
_DELETE_PENDING = _PENDING.delete().where(_PENDING.c.id.in_(bindparam("ids", expanding=True)))
_STATE = AuditLogState.__table__
_TREE_SIZE = select(_STATE.c.tree_size).where(_STATE.c.id == STATE_ROW_ID)
_SET_TREE_SIZE = (_STATE.update().where(_STATE.c.id == STATE_ROW_ID)
                  .values(tree_size=bindparam("size")))
_INSERT_EVENTS = AuditEvent.__table__.insert()
_LATEST_HEAD = (select(TreeHead.__table__.c.tree_size, TreeHead.__table__.c.timestamp_ms)
                .order_by(TreeHead.__table__.c.id.desc()).limit(1))


# Every audited action runs this on PostgreSQL. The Core statement's RETURNING of the new id
# (nobody reads it) and its per-call compile and type work cost twice the statement itself.
_PG_INSERT_PENDING = (
    "INSERT INTO audit_pending (timestamp, case_id, actor_user_id, actor_party_id, action, "
    "outcome, object_type, object_id, details) VALUES (%(timestamp)s, %(case_id)s, "
    "%(actor_user_id)s, %(actor_party_id)s, %(action)s, %(outcome)s, %(object_type)s, "
    "%(object_id)s, %(details)s)"
)


def insert_pending(session: Session, *, timestamp: datetime, fields: dict[str, Any]) -> None:
    """One INSERT and no lock: concurrent actions do not wait for each other here.

    ``fields`` holds every column but ``timestamp`` (``app.audit.entry.FIELDS``). On
    PostgreSQL the statement's own text runs on the driver, held until the transaction's
    next statement or its COMMIT (``app.db.pg_execute_later``): an action whose row is
    held too sends both in one statement. Not marked as a write: ``record`` never was
    (an event of a read may precede the read's ``between_transactions``)."""
    if not on_postgres(session):
        session.connection().execute(_INSERT_PENDING, {"timestamp": timestamp, **fields})
        return
    from psycopg.types.json import Json

    if timestamp.tzinfo is None:  # as the column type refuses one on the Core path
        raise ValueError("naive datetime")
    pg_execute_later(session, _PG_INSERT_PENDING, {**fields, "timestamp": timestamp,
                                                   "details": Json(fields["details"])},
                     writes=False)


def lock_sequencer(session: Session, *, wait: bool) -> bool:
    """Take the sequencer lock for the rest of this transaction; False if ``wait`` is off and
    another transaction holds it.

    PostgreSQL: a transaction-scoped advisory lock, released by commit or rollback, so a
    crashed sequencer never keeps it. SQLite: every transaction begins IMMEDIATE (see
    ``app.db``) and so already holds the database's single write lock.
    """
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return True
    if wait:
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%(k)s)", {"k": SEQUENCER_LOCK_KEY})
        return True
    got = conn.exec_driver_sql("SELECT pg_try_advisory_xact_lock(%(k)s)",
                               {"k": SEQUENCER_LOCK_KEY}).scalar_one()
    return bool(got)


def tree_size(session: Session) -> int:
    return int(session.connection().execute(_TREE_SIZE).scalar_one())


def set_tree_size(session: Session, size: int) -> None:
    session.connection().execute(_SET_TREE_SIZE, {"size": size})


_PENDING_COLUMNS = (AuditPending.id, AuditPending.timestamp, AuditPending.case_id,
                    AuditPending.actor_user_id, AuditPending.actor_party_id,
                    AuditPending.action, AuditPending.outcome, AuditPending.object_type,
                    AuditPending.object_id, AuditPending.details)


@dataclass(frozen=True)
class PendingEvent:
    id: int
    timestamp: datetime
    fields: dict[str, Any]  # the entry's fields, ``app.audit.entry.FIELDS``


@dataclass(frozen=True)
class SequencerView:
    """What a batch starts from, read under the lock."""

    frontier: merkle.Frontier
    head: tuple[int, int] | None  # (tree_size, timestamp_ms) of the latest head
    pending: list[PendingEvent]
    # The last ``case_seq`` of the cases of (most of) ``pending``: ``last_case_seqs``.
    case_seqs: dict[uuid.UUID, int]


def _pending(row: Sequence[Any]) -> PendingEvent:
    timestamp = row[1] if row[1].tzinfo is not None else row[1].replace(tzinfo=UTC)
    return PendingEvent(int(row[0]), timestamp.astimezone(UTC), {
        "case_id": row[2], "actor_user_id": row[3], "actor_party_id": row[4],
        "action": row[5], "outcome": row[6], "object_type": row[7], "object_id": row[8],
        "details": row[9]})


_OLDEST_PENDING = (select(*_PENDING_COLUMNS).where(AuditPending.id > bindparam("after"))
                   .order_by(AuditPending.id).limit(bindparam("limit")))


def oldest_pending(session: Session, limit: int, after: int = 0) -> list[PendingEvent]:
    """Committed pending events (and this transaction's own), oldest id first."""
    rows = session.connection().execute(_OLDEST_PENDING, {"after": after, "limit": limit})
    return [_pending(r) for r in rows.all()]


def _last_seq_of(case_id: Any) -> Any:
    """The last number given in a case: the highest ``case_seq``, or, before the case's
    first numbered event, the count of its events (logged before the counter existed, or
    none). Both are index lookups on (case_id, ...); the count runs once per old case."""
    e = AuditEvent.__table__.alias()  # a Core alias: building it configures no mapper
    highest = select(func.max(e.c.case_seq)).where(e.c.case_id == case_id).scalar_subquery()
    count = select(func.count()).select_from(e).where(e.c.case_id == case_id).scalar_subquery()
    return func.coalesce(highest, count)


def _last_case_seqs_statement() -> Any:
    cases = (select(AuditPending.case_id).distinct()
             .where(AuditPending.id.in_(bindparam("ids", expanding=True)),
                    AuditPending.case_id.is_not(None))
             .subquery())
    return select(cases.c.case_id, _last_seq_of(cases.c.case_id))


_LAST_CASE_SEQS = _last_case_seqs_statement()


def last_case_seqs(session: Session, pending_ids: Sequence[int]) -> dict[uuid.UUID, int]:
    """The last number given in each case of these pending events. Read under the sequencer
    lock: nobody else numbers events meanwhile."""
    if not pending_ids:
        return {}
    rows = session.connection().execute(_LAST_CASE_SEQS, {"ids": list(pending_ids)}).all()
    return {row[0]: int(row[1]) for row in rows}


_PG_LOCK = "SELECT pg_advisory_xact_lock(%(k)s), true"
_PG_TRY_LOCK = "SELECT 0, pg_try_advisory_xact_lock(%(k)s)"
_PG_HEAD = "SELECT tree_size, timestamp_ms FROM tree_heads ORDER BY id DESC LIMIT 1"
_PG_PENDING = (
    "SELECT id, timestamp, case_id, actor_user_id, actor_party_id, action, outcome, "
    "object_type, object_id, details FROM audit_pending ORDER BY id LIMIT %(limit)s"
)
_PG_CASE_SEQS = (
    "SELECT c.case_id, COALESCE((SELECT max(e.case_seq) FROM audit_events AS e "
    "WHERE e.case_id = c.case_id), (SELECT count(*) FROM audit_events AS e "
    "WHERE e.case_id = c.case_id)) FROM (SELECT DISTINCT p.case_id FROM (SELECT case_id "
    "FROM audit_pending ORDER BY id LIMIT %(limit)s) AS p WHERE p.case_id IS NOT NULL) AS c"
)
# The size and the subtrees of its frontier (one per set bit k of the size:
# [size with bits <= k cleared, + 2**k)), read by one statement so that both come from
# the same snapshot.
_PG_FRONTIER = (
    "WITH n AS (SELECT tree_size AS size FROM audit_log_state WHERE id = 1), "
    "r AS (SELECT (n.size >> (k + 1)) << (k + 1) AS start, "
    "((n.size >> (k + 1)) << (k + 1)) + (1::bigint << k) AS stop "
    "FROM n, generate_series(0, 62) AS k WHERE (n.size >> k) & 1 = 1) "
    "SELECT n.size, s.start, s.\"end\", s.hash FROM n LEFT JOIN r ON true "
    "LEFT JOIN audit_subtrees AS s ON s.start = r.start AND s.\"end\" = r.stop"
)


def _frontier(size: int, found: dict[tuple[int, int], bytes]) -> merkle.Frontier:
    ranges = merkle.frontier_ranges(size)
    missing = [r for r in ranges if r not in found]
    if missing:
        raise LookupError(f"subtree {missing[0]} is missing from the log")
    return merkle.Frontier(size, tuple(found[r] for r in ranges))


def read_for_sequencing(session: Session, *, limit: int, wait: bool) -> SequencerView | None:
    """Take the sequencer lock, then read the size, its frontier, the latest head and the
    oldest pending events; None if ``wait`` is off and another sequencer holds the lock.

    On PostgreSQL the statements go in one pipeline: the server runs them in order, and
    each later statement takes its snapshot after the lock is granted (READ COMMITTED)."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        lock_sequencer(session, wait=wait)
        size = tree_size(session)
        store = DbSubtreeStore(session)
        store.preload(merkle.frontier_ranges(size))
        head = session.connection().execute(_LATEST_HEAD).first()
        pending = oldest_pending(session, limit)
        return SequencerView(merkle.store_frontier(store, size),
                             None if head is None else (int(head[0]), int(head[1])),
                             pending, last_case_seqs(session, [p.id for p in pending]))
    raw = pg_driver(session)
    with raw.pipeline():
        locked = raw.execute(_PG_LOCK if wait else _PG_TRY_LOCK, {"k": SEQUENCER_LOCK_KEY})
        frontier = raw.execute(_PG_FRONTIER)
        head = raw.execute(_PG_HEAD)
        pending = raw.execute(_PG_PENDING, {"limit": limit})
        seqs = raw.execute(_PG_CASE_SEQS, {"limit": limit})
        if not locked.fetchone()[1]:
            return None
        rows = frontier.fetchall()
        latest = head.fetchone()
        events = [_pending(r) for r in pending.fetchall()]
        # Another snapshot than ``pending``'s: the caller looks up any case missing here.
        case_seqs = {r[0]: int(r[1]) for r in seqs.fetchall()}
    found = {(int(r[1]), int(r[2])): bytes(r[3]) for r in rows if r[1] is not None}
    return SequencerView(_frontier(int(rows[0][0]), found),
                         None if latest is None else (int(latest[0]), int(latest[1])),
                         events, case_seqs)


# A batch's rows go as one array per column, unnested by the server: one statement per
# table instead of one per row. Row by row, the driver's per-statement work (binding,
# preparing, pipelining each reply) cost the sequencer more than building and hashing the
# entries, in the same interpreter as the requests it competes with. Binary parameters
# (``%b``): the text form of an array escapes each element with a regular expression.
_PG_INSERT_EVENTS = (
    "INSERT INTO audit_events (leaf_index, timestamp, case_id, actor_user_id, "
    "actor_party_id, action, outcome, object_type, object_id, details, entry, leaf_hash, "
    "pending_id, case_seq) SELECT e.leaf_index, e.timestamp, e.case_id, e.actor_user_id, "
    "e.actor_party_id, e.action, e.outcome, e.object_type, e.object_id, e.details::json, "
    "e.entry, e.leaf_hash, e.pending_id, e.case_seq FROM unnest(%b::bigint[], "
    "%b::timestamptz[], %b::uuid[], %b::uuid[], %b::uuid[], %b::text[], %b::text[], "
    "%b::text[], %b::text[], %b::text[], %b::bytea[], %b::bytea[], %b::bigint[], "
    "%b::bigint[]) AS e(leaf_index, timestamp, case_id, actor_user_id, actor_party_id, "
    "action, outcome, object_type, object_id, details, entry, leaf_hash, pending_id, "
    "case_seq)"
)
_EVENT_COLUMNS = ("leaf_index", "timestamp", "case_id", "actor_user_id", "actor_party_id",
                  "action", "outcome", "object_type", "object_id", "details", "entry",
                  "leaf_hash", "pending_id", "case_seq")
_PG_INSERT_SUBTREES = ('INSERT INTO audit_subtrees (start, "end", hash) '
                       "SELECT * FROM unnest(%b::bigint[], %b::bigint[], %b::bytea[])")


def append_batch(session: Session, *, events: list[dict[str, Any]],
                 nodes: list[tuple[int, int, bytes]], moved: list[int], size: int) -> None:
    """Store sequenced leaves and the subtrees they complete, drop their pending rows
    (the database checks each has its leaf) and set the size: one round trip on
    PostgreSQL."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        if events:
            insert_events(session, events)
        insert_subtrees(session, nodes)
        if moved:
            delete_pending(session, moved)
        set_tree_size(session, size)
        return
    raw = pg_driver(session)
    with raw.pipeline(), raw.cursor() as cur:
        if events:
            columns = [[e[c] for e in events] for c in _EVENT_COLUMNS]
            columns[9] = [json.dumps(d) for d in columns[9]]  # details, as json text
            cur.execute(_PG_INSERT_EVENTS, columns)
        if nodes:
            cur.execute(_PG_INSERT_SUBTREES, [list(c) for c in zip(*nodes, strict=True)])
        if moved:
            cur.execute("DELETE FROM audit_pending WHERE id = ANY(%s::bigint[])", (moved,))
        cur.execute("UPDATE audit_log_state SET tree_size = %s WHERE id = %s",
                    (size, STATE_ROW_ID))


def has_pending(session: Session) -> bool:
    return bool(session.execute(select(exists().select_from(AuditPending))).scalar_one())


def count_pending(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(AuditPending)).scalar_one())


def insert_events(session: Session, rows: list[dict[str, Any]]) -> None:
    session.connection().execute(_INSERT_EVENTS, rows)


def delete_pending(session: Session, ids: list[int]) -> None:
    """The database refuses this for an id whose sequenced copy is missing."""
    session.connection().execute(_DELETE_PENDING, {"ids": ids})


def leaf_indexes_of(session: Session, *, object_type: str, action: str,
                    object_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """The leaf of each object's ``action`` event, for objects whose event is in the log."""
    if not object_ids:
        return {}
    rows = session.execute(
        select(AuditEvent.object_id, AuditEvent.leaf_index).where(
            AuditEvent.object_id.in_([str(i) for i in object_ids]),
            AuditEvent.object_type == object_type, AuditEvent.action == action)
    ).all()
    return {uuid.UUID(object_id): int(leaf) for object_id, leaf in rows}
