"""The witness's own storage: one SQLite file in its own directory, never the service's
database (an insider who can rewrite that database must not reach this one).

Per log (origin) the latest cosigned checkpoint, as the protocol requires, and every
cosigned checkpoint in order, as evidence. ``exclusive`` runs the check of the old size
and the write of the new checkpoint in one ``BEGIN IMMEDIATE`` transaction, so two
concurrent submissions cannot both pass against the same old size (the rollback race
the protocol describes), and ``synchronous=FULL`` makes the commit durable before the
cosignature is returned.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS latest (origin TEXT PRIMARY KEY, tree_size INTEGER NOT NULL,"
    " root_hash BLOB NOT NULL, note TEXT NOT NULL, cosigned_at INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS history (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " origin TEXT NOT NULL, tree_size INTEGER NOT NULL, root_hash BLOB NOT NULL,"
    " note TEXT NOT NULL, cosigned_at INTEGER NOT NULL)",
)


class Transaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def latest(self, origin: str) -> tuple[int, bytes] | None:
        row = self._conn.execute("SELECT tree_size, root_hash FROM latest WHERE origin = ?",
                                 (origin,)).fetchone()
        return None if row is None else (int(row[0]), bytes(row[1]))

    def record(self, origin: str, tree_size: int, root_hash: bytes, note: str,
               cosigned_at: int) -> None:
        values = (origin, tree_size, root_hash, note, cosigned_at)
        self._conn.execute(
            "INSERT INTO latest (origin, tree_size, root_hash, note, cosigned_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (origin) DO UPDATE SET "
            "tree_size = excluded.tree_size, root_hash = excluded.root_hash, "
            "note = excluded.note, cosigned_at = excluded.cosigned_at", values)
        self._conn.execute("INSERT INTO history (origin, tree_size, root_hash, note, "
                           "cosigned_at) VALUES (?, ?, ?, ?, ?)", values)


class WitnessState:
    def __init__(self, path: Path) -> None:
        self.path = path
        with closing(self._connect()) as conn:
            for statement in _SCHEMA:
                conn.execute(statement)
        path.chmod(0o600)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
        conn.execute("PRAGMA synchronous = FULL")
        return conn

    @contextmanager
    def exclusive(self) -> Iterator[Transaction]:
        """One write transaction: commits when the block ends, rolls back on an error."""
        with closing(self._connect()) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def note_of(self, origin_hash: str) -> str | None:
        """The latest cosigned checkpoint of the log whose origin hashes to ``origin_hash``."""
        with closing(self._connect()) as conn:
            for origin, note in conn.execute("SELECT origin, note FROM latest"):
                if hashlib.sha256(origin.encode()).hexdigest() == origin_hash:
                    return str(note)
        return None
