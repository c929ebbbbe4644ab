"""The database as a logical dump: one JSON-lines file per table, in dependency order, so
the same dump loads into SQLite or PostgreSQL.

Each file starts with ``{"table", "columns"}``; each further line is one row, a JSON array
in that column order. Values are encoded by their column's type (bytes as base64, times
and dates in ISO 8601 with their offset, UUIDs as text); JSON columns are read and written
as their stored JSON text, so SQL NULL and JSON ``null`` stay apart.

The dump is read in one transaction (PostgreSQL ``REPEATABLE READ``, an SQLite read
snapshot), so it is one consistent state of a running instance. A load goes into a fresh
database migrated to the dump's Alembic revision and is one transaction: all rows or none.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Connection, Table, cast, func, inspect, null, select, text
from sqlalchemy.types import JSON, Date, LargeBinary, Text, Uuid

from app.backup.manifest import BackupError, private_writer
from app.models.base import Base, UTCDateTime

FORMAT = "settleroom-db-dump/1"
BATCH = 500
# Rows a fresh migration inserts (the audit log's state): replaced by the dump's rows.
SEEDED_TABLES = frozenset({"audit_log_state"})
_Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]


def _identity(value: Any) -> Any:
    return value


def _codec(column: Any) -> _Codec:
    kind = column.type
    if isinstance(kind, LargeBinary):
        return (lambda v: base64.b64encode(v).decode("ascii"), base64.b64decode)
    if isinstance(kind, UTCDateTime):
        return (datetime.isoformat, datetime.fromisoformat)
    if isinstance(kind, Date):
        return (date.isoformat, date.fromisoformat)
    if isinstance(kind, Uuid):
        return (str, uuid.UUID)
    if isinstance(kind, JSON):  # read as its text (see _selectable): keep it verbatim
        return (_identity, json.loads)
    return (_identity, _identity)


def tables() -> list[Table]:
    import app.models  # noqa: F401 - registers every table on the metadata

    return list(Base.metadata.sorted_tables)


def _selectable(table: Table) -> Any:
    cols = [cast(c, Text).label(c.name) if isinstance(c.type, JSON) else c
            for c in table.columns]
    return select(*cols).order_by(*table.primary_key.columns)


def dump_table(conn: Connection, table: Table, path: Path) -> int:
    encoders = [_codec(c)[0] for c in table.columns]
    count = 0
    with private_writer(path) as out:
        header = {"format": FORMAT, "table": table.name,
                  "columns": [c.name for c in table.columns]}
        out.write(json.dumps(header).encode("utf-8") + b"\n")
        for row in conn.execution_options(yield_per=BATCH).execute(_selectable(table)):
            values = [None if v is None else enc(v) for enc, v in zip(encoders, row,
                                                                        strict=True)]
            out.write(json.dumps(values, separators=(",", ":")).encode("utf-8") + b"\n")
            count += 1
    return count


def _rows(table: Table, path: Path) -> Iterator[list[dict[str, Any]]]:
    decoders = {c.name: _codec(c)[1] for c in table.columns}
    jsons = {c.name for c in table.columns if isinstance(c.type, JSON)}
    with path.open("rb") as f:
        header = json.loads(f.readline())
        if header.get("format") != FORMAT or header.get("table") != table.name:
            raise BackupError(f"{path.name}: not the dump of table {table.name}")
        names = header["columns"]
        if sorted(names) != sorted(decoders):
            raise BackupError(f"{path.name}: its columns differ from the schema's")
        batch = []
        for line in f:
            row = {}
            for name, value in zip(names, json.loads(line), strict=True):
                if value is None:
                    row[name] = null() if name in jsons else None
                elif name in jsons:
                    row[name] = json.loads(value)
                else:
                    row[name] = decoders[name](value)
            batch.append(row)
            if len(batch) == BATCH:
                yield batch
                batch = []
        if batch:
            yield batch


def check_empty(conn: Connection) -> None:
    """Refuse a database that holds anything but what a fresh migration puts there."""
    present = set(inspect(conn).get_table_names())
    for table in tables():
        if table.name in SEEDED_TABLES or table.name not in present:
            continue
        if conn.execute(select(func.count()).select_from(table)).scalar_one():
            raise BackupError(f"the target database is not empty (table {table.name} has "
                              "rows); restore into a new, empty database")


def load(conn: Connection, folder: Path, files: dict[str, str]) -> int:
    """Insert every table's rows (``files``: table name -> dump file name)."""
    count = 0
    for table in tables():
        if table.name not in files:
            raise BackupError(f"the dump has no file for table {table.name}")
        if table.name in SEEDED_TABLES:
            conn.execute(table.delete())
        for batch in _rows(table, folder / files[table.name]):
            conn.execute(table.insert(), batch)
            count += len(batch)
    return count


def _counters() -> list[Column[Any]]:
    """The integer keys drawn from a counter (a PostgreSQL sequence, SQLite AUTOINCREMENT)."""
    found = []
    for table in tables():
        pk = list(table.primary_key.columns)
        if (len(pk) == 1 and pk[0].autoincrement in (True, "auto")
                and pk[0].type.python_type is int):
            found.append(pk[0])
    return found


def read_counters(conn: Connection) -> dict[str, int]:
    """Each counter's last value. It is state the rows do not show: ``audit_pending`` rows
    are deleted once sequenced while ``audit_events.pending_id`` keeps naming them, so a
    counter restarted at the highest remaining row would hand out an id again."""
    values = {}
    if conn.dialect.name == "postgresql":
        for col in _counters():
            sequence = _sequence(conn, col)
            if sequence is not None:
                last = conn.execute(select(func.pg_sequence_last_value(sequence))).scalar_one()
                values[col.table.name] = int(last or 0)
    elif inspect(conn).has_table("sqlite_sequence"):
        rows = conn.execute(text("SELECT name, seq FROM sqlite_sequence")).all()
        values = {name: int(seq) for name, seq in rows}
    return values


def restore_counters(conn: Connection, recorded: dict[str, int]) -> None:
    """Every counter continues after both the restored rows and its recorded value."""
    for col in _counters():
        highest = conn.execute(select(func.max(col))).scalar_one() or 0
        value = max(int(highest), recorded.get(col.table.name, 0))
        if value <= 0:
            continue
        if conn.dialect.name == "postgresql":
            sequence = _sequence(conn, col)
            if sequence is not None:
                conn.execute(select(func.setval(sequence, value, True)))
        elif col.table.dialect_options["sqlite"].get("autoincrement"):
            conn.execute(text("DELETE FROM sqlite_sequence WHERE name = :n"),
                         {"n": col.table.name})
            conn.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES (:n, :v)"),
                         {"n": col.table.name, "v": value})


def _sequence(conn: Connection, col: Column[Any]) -> str | None:
    name: str | None = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                    {"t": col.table.name, "c": col.name}).scalar_one()
    return name
