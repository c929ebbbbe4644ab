"""Test databases: a migrated SQLite template copied per test, or a throwaway PostgreSQL
database (created on the server named by SETTLEROOM_TEST_DATABASE_URL) emptied after each
test and refilled with the rows it held when its snapshot was taken (``take_snapshot``)."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, make_url, select, text

PG_ENV = "SETTLEROOM_TEST_DATABASE_URL"
# Tables a reset keeps: the schema version and the audit log's single state row.
KEPT_TABLES = ("alembic_version", "audit_log_state")


@dataclass
class _Database:
    """What resetting one PostgreSQL database needs, kept for the whole session."""

    engine: Engine
    metadata: MetaData
    append_only: list[str]  # tables whose triggers refuse DELETE
    superuser: bool
    snapshot: list[str] = field(default_factory=list)  # tables copied to SNAPSHOT_SCHEMA
    tree_size: int = 0
    reset_function: str | None = None


_databases: dict[str, _Database] = {}


_COMPILED: dict[str, tuple[Any, Any]] = {}


def share_compiled_sql(engine: Engine) -> None:
    """Give ``engine`` the dialect and the compiled-statement cache of the first engine of
    its kind in this process.

    Every test binds the app to its own database, so to a new engine, and SQLAlchemy keys
    its cache of compiled statements by the dialect object: each test compiled every
    statement it ran afresh, a fifth of the app's CPU in the API tests. A deployment makes
    one engine and compiles each statement once; the tests now do the same per process.
    One server and one SQLite library serve every test of a process, so the dialects are
    alike (the first one is initialised, by a connection, before it is shared)."""
    kind = engine.dialect.name
    shared = _COMPILED.get(kind)
    if shared is None:
        with engine.connect():
            pass  # a dialect learns the server's version and features on first connect
        _COMPILED[kind] = (engine.dialect, engine._compiled_cache)  # noqa: SLF001
        return
    engine.dialect, engine._compiled_cache = shared  # noqa: SLF001


def pg_server_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def _normalise(url: str) -> str:
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return u.render_as_string(hide_password=False)


@contextmanager
def throwaway_pg_database(prefix: str = "settleroom_t") -> Iterator[str]:
    """Create an empty database beside the one in the URL; drop it afterwards."""
    server = make_url(_normalise(pg_server_url() or ""))
    name = f"{prefix}_{secrets.token_hex(6)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    # A throwaway database need not wait for its commits to reach the disk.
    url = server.set(database=name, query={**server.query,
                     "options": "-c synchronous_commit=off"}).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        forget(url)
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
            ), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def copy_sqlite(template: Path, dest: Path) -> str:
    shutil.copyfile(template, dest)
    return sqlite_url(dest)


def _database(url: str) -> _Database:
    db = _databases.get(url)
    if db is None:
        engine = create_engine(url)
        metadata = MetaData()
        with engine.connect() as conn:
            metadata.reflect(conn)
            guarded = conn.execute(text(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE event_manipulation = 'DELETE' AND event_object_schema = 'public'"
            )).scalars()
            superuser = conn.execute(text(
                "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar_one()
            db = _Database(engine, metadata, sorted(guarded), bool(superuser))
        _databases[url] = db
    return db


SNAPSHOT_SCHEMA = "test_snapshot"


def take_snapshot(url: str) -> None:
    """Remember the rows of ``url``'s database: ``reset_pg`` restores them from now on.

    The rows are copied beside the tables, into the ``test_snapshot`` schema, so that a
    reset is one call to a server-side function instead of a round trip per table (the
    app and its backups read only the default schema)."""
    db = _database(url)
    with db.engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SNAPSHOT_SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SNAPSHOT_SCHEMA}"))
        kept = []
        for table in db.metadata.sorted_tables:
            if table.name in KEPT_TABLES:
                continue
            if conn.execute(select(table).limit(1)).first() is not None:
                conn.execute(text(f'CREATE TABLE {SNAPSHOT_SCHEMA}."{table.name}" AS '
                                  f'TABLE public."{table.name}"'))
                kept.append(table.name)
        db.snapshot = kept
        db.tree_size = conn.execute(text("SELECT tree_size FROM audit_log_state")).scalar_one()
    db.reset_function = None


def _reset_function(db: _Database, conn: Any) -> str:
    """Create (once per snapshot) the function that empties every table and refills those
    the snapshot holds. It runs with ``session_replication_role = replica``: no trigger
    fires (the audit tables' append-only guards, the foreign keys), so the order of the
    statements does not matter. That setting needs a superuser; ``reset_pg`` otherwise
    takes the slower path."""
    name = f"{SNAPSHOT_SCHEMA}.reset"
    body = [f'DELETE FROM public."{t.name}";' for t in db.metadata.sorted_tables
            if t.name not in KEPT_TABLES]
    body += [f'INSERT INTO public."{t}" TABLE {SNAPSHOT_SCHEMA}."{t}";' for t in db.snapshot]
    body.append(f"UPDATE public.audit_log_state SET tree_size = {int(db.tree_size)};")
    conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SNAPSHOT_SCHEMA}"))
    conn.execute(text(
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS void LANGUAGE plpgsql "
        f"SET session_replication_role = replica AS $body$ BEGIN {' '.join(body)} END "
        f"$body$"))
    return name


def reset_pg(url: str) -> None:
    """Bring the database back to its snapshot (empty without one), in one transaction.

    DELETE, not TRUNCATE: on a few hundred rows it is several times faster (TRUNCATE swaps
    every table's files). As a superuser (the suite's usual role) one server-side call does
    it all; otherwise the audit tables' append-only triggers are switched off for the
    transaction only, which needs the table owner, which the suite is (it created them)."""
    db = _database(url)
    with db.engine.begin() as conn:
        if db.superuser:
            if db.reset_function is None:
                db.reset_function = _reset_function(db, conn)
            conn.execute(text(f"SELECT {db.reset_function}()"))
            return
        for name in db.append_only:
            conn.execute(text(f'ALTER TABLE "{name}" DISABLE TRIGGER USER'))
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in KEPT_TABLES:
                conn.execute(table.delete())
        for name in db.append_only:
            conn.execute(text(f'ALTER TABLE "{name}" ENABLE TRIGGER USER'))
        for name in db.snapshot:
            conn.execute(text(f'INSERT INTO public."{name}" TABLE {SNAPSHOT_SCHEMA}."{name}"'))
        conn.execute(text("UPDATE audit_log_state SET tree_size = :n"), {"n": db.tree_size})


def forget(url: str) -> None:
    """Close the reset connections to ``url`` (before it is dropped)."""
    db = _databases.pop(url, None)
    if db is not None:
        db.engine.dispose()
