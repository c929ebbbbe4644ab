"""Engine and session handling: one request, one transaction.

The request dependency commits before the response is sent and rolls back on any error.
Audit events of *refused* attempts must survive that rollback, so a service queues them
with ``defer_after_rollback``; the dependency writes them in a fresh transaction after
rolling the failed one back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

DeferredWrite = Callable[[Session], None]
_DEFERRED_KEY = "settleroom.after_rollback"


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, and BEGIN IMMEDIATE.

    SQLite allows one writer. A deferred transaction that read first and writes later can
    fail with SQLITE_BUSY_SNAPSHOT instead of waiting, so every transaction takes the write
    lock at BEGIN and waits (busy timeout) for its turn. The embedded mode favours
    correctness over write concurrency; PostgreSQL is the production database.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below drive transactions
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        # WAL with NORMAL sync is crash-safe (a power loss may drop the last commits, never
        # corrupt the file) and avoids an fsync per commit.
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions carry no collaborators: the audit log's signer belongs to the sequencer
    (``app.audit.sequencer``), which hooks the factory's commits to learn of new events."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def defer_after_rollback(session: Session, write: DeferredWrite) -> None:
    """Queue a write (an audit event of a refusal) that must persist even if the request fails."""
    session.info.setdefault(_DEFERRED_KEY, []).append(write)


def _run_deferred(session: Session) -> None:
    writes: list[DeferredWrite] = session.info.pop(_DEFERRED_KEY, [])
    if not writes:
        return
    for write in writes:
        write(session)
    session.commit()


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Commit on success; on error roll back, write the deferred events, and re-raise."""
    session = factory()
    try:
        yield session
        for write in session.info.pop(_DEFERRED_KEY, []):
            write(session)
        session.commit()
    except BaseException:
        session.rollback()
        try:
            _run_deferred(session)
        except Exception:  # noqa: BLE001 - the original error matters more
            session.rollback()
        raise
    finally:
        session.close()


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency (declared with scope="function" so the commit precedes the response)."""
    with transaction(request.app.state.sessionmaker) as session:
        yield session


session_scope = transaction
