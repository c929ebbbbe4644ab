"""Test databases: a migrated SQLite template copied per test, or a throwaway PostgreSQL
database (created on the server named by SETTLEROOM_TEST_DATABASE_URL) truncated per test."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

PG_ENV = "SETTLEROOM_TEST_DATABASE_URL"


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
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
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


def reset_pg(url: str) -> None:
    """Empty every table (TRUNCATE does not fire the audit log's UPDATE/DELETE trigger)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT IN ('alembic_version', 'audit_log_state')"
        )).scalars().all()
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
        conn.execute(text("UPDATE audit_log_state SET tree_size = 0"))
    engine.dispose()
