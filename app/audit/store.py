"""The log's Merkle tree in the database: subtree hashes as rows, O(log n) reads per proof."""

from __future__ import annotations

from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.orm import Session

from app.models.audit import AuditSubtree

_PG_PRELOAD = (
    'SELECT s.start, s."end", s.hash FROM audit_subtrees AS s '
    'JOIN unnest(%(starts)s::bigint[], %(ends)s::bigint[]) AS w(start, "end") '
    'ON s.start = w.start AND s."end" = w."end"'
)
# Elsewhere (SQLite), Core statements built once: building the ORM statement on each call
# cost more than running it.
_SUBTREES = AuditSubtree.__table__
_PRELOAD = select(_SUBTREES.c.start, _SUBTREES.c.end, _SUBTREES.c.hash).where(
    tuple_(_SUBTREES.c.start, _SUBTREES.c.end).in_(bindparam("ranges", expanding=True)))
_INSERT_SUBTREES = _SUBTREES.insert()


class DbSubtreeStore:
    """``crypto.merkle.SubtreeStore`` over ``audit_subtrees`` with a per-instance cache."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._cache: dict[tuple[int, int], bytes] = {}

    def subtree_hash(self, start: int, end: int) -> bytes:
        key = (start, end)
        if key not in self._cache:
            value = self._session.execute(
                select(AuditSubtree.hash).where(
                    AuditSubtree.start == start, AuditSubtree.end == end
                )
            ).scalar_one_or_none()
            if value is None:
                raise LookupError(f"subtree [{start}, {end}) is missing from the log")
            self._cache[key] = bytes(value)
        return self._cache[key]

    def preload(self, ranges: list[tuple[int, int]]) -> None:
        """Fetch several subtrees in one query (a frontier, or everything a proof needs)."""
        wanted = [r for r in ranges if r not in self._cache]
        if not wanted:
            return
        conn = self._session.connection()
        if conn.dialect.name == "postgresql":
            # Constant text with array parameters: psycopg prepares it after a few uses
            # and no SQL is compiled per call (a proof at 10^6 leaves reads ~20 rows).
            rows = conn.exec_driver_sql(_PG_PRELOAD, {
                "starts": [s for s, _ in wanted], "ends": [e for _, e in wanted],
            }).all()
        else:
            rows = conn.execute(_PRELOAD, {"ranges": wanted}).all()
        for start, end, value in rows:
            self._cache[(int(start), int(end))] = bytes(value)


def insert_subtrees(session: Session, nodes: list[tuple[int, int, bytes]]) -> None:
    if nodes:
        session.connection().execute(_INSERT_SUBTREES,
                                     [{"start": s, "end": e, "hash": h} for s, e, h in nodes])
