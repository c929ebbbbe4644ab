"""Engine and session handling: one request, one transaction.

The request's transaction commits before the response is sent and rolls back on any error.
Audit events of *refused* attempts must survive that rollback, so a service queues them
with ``defer_after_rollback``; they are written in a fresh transaction after rolling the
failed one back.

SQLite locking. SQLite allows one writer; in WAL mode readers never wait for it. A
transaction that reads first and writes later (``BEGIN DEFERRED``) can fail with
SQLITE_BUSY_SNAPSHOT instead of waiting, when another writer committed after its first read.
So the lock mode is chosen per transaction:
- requests with a state-changing method, scripts (``session_scope``) and the after-rollback
  writes begin ``IMMEDIATE``: the write lock is taken at BEGIN and waited for (busy timeout);
- read requests (GET, HEAD, OPTIONS) begin ``DEFERRED`` and never queue behind a writer. Some
  reads do write (an audit event of the read, a download record). If such a write finds the
  snapshot stale, the request's unit of work is run again once, beginning ``IMMEDIATE``
  (``RequestUnit.run``); a read has no body and no effect outside the database that must not
  happen twice.
Long CPU work that follows a request's reads (tracing) ends the read transaction first with
``between_transactions`` so it holds neither a lock nor a snapshot. PostgreSQL ignores all
of this: MVCC readers never block and writers lock rows, not the database.
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
import stat
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app import account_changes as _account_changes  # noqa: F401 - registers the hooks

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

DeferredWrite = Callable[[Session], None]
T = TypeVar("T")
_DEFERRED_KEY = "settleroom.after_rollback"
_WROTE_KEY = "settleroom.wrote"
BEGIN_OPTION = "settleroom_sqlite_begin"
_BEGIN_SQL = {"IMMEDIATE": "BEGIN IMMEDIATE", "DEFERRED": "BEGIN DEFERRED"}
SQLITE_POOL_SIZE = 40
PG_CONNECT_TIMEOUT_SECONDS = 5
_LOCK_CONFLICTS = frozenset({sqlite3.SQLITE_BUSY, getattr(sqlite3, "SQLITE_BUSY_SNAPSHOT", 517)})


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        _private_sqlite_file(make_url(url).database)
        # A connection is a file handle: one per worker thread (40 by default) and then some,
        # so no request waits on the pool while another waits on the lock holding one (a
        # commit that sequences audit events inline opens a second connection).
        if make_url(url).database not in (None, "", ":memory:"):  # memory: one static pool
            kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
            kwargs.setdefault("max_overflow", SQLITE_POOL_SIZE)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    # A server that does not answer a connection within this time fails the request at
    # once (503 ``database_unavailable``) rather than holding a worker thread while it waits.
    connect_args = {"connect_timeout": PG_CONNECT_TIMEOUT_SECONDS}
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)
    _hold_writes(engine)
    return engine


def dialect_insert(session: Session) -> type[postgresql.Insert] | type[sqlite.Insert]:
    """The session's dialect's INSERT, for ON CONFLICT. Its module is imported here: a server
    on SQLite never loads PostgreSQL's dialect (tests/unit/test_startup_imports.py)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import Insert as PostgresInsert

        return PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

    return SqliteInsert


def on_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def pg_execute(session: Session, sql: str, params: dict[str, Any], *, writes: bool) -> Any:
    """Run one statement's own text (psycopg's ``%(name)s`` parameters) on the session's
    PostgreSQL connection, in its transaction, and return the psycopg cursor.

    For the few statements every request runs (the case guard's membership read, an
    audited action's rows): SQLAlchemy's execution of a compiled statement costs several
    times the driver's own work per call, and Python time per request is what limits
    throughput. Like ``Session.execute`` it flushes pending ORM changes first (autoflush)
    and, with ``writes``, marks the transaction as having written (``between_transactions``
    refuses to split it). Errors arrive as SQLAlchemy's ``DBAPIError`` with parameters
    hidden, a lost connection invalidated, so callers and the 503 handling see what they
    would see from ``Session.execute``."""
    if session.autoflush:
        session.flush()  # nothing to do, and cheap, when no ORM change is pending
    conn = session.connection()
    driver: Any = conn.connection.driver_connection
    if writes:
        session.info[_WROTE_KEY] = True
    _send_held(conn)
    try:
        return driver.execute(sql, params)
    except driver.Error as exc:
        raise _dbapi_error(conn, driver, exc, sql, params) from exc


def pg_execute_later(session: Session, sql: str, params: dict[str, Any], *,
                     writes: bool) -> None:
    """Run an INSERT whose result nobody reads (an action's row, its audit event) in the
    session's PostgreSQL transaction, held until the transaction's next statement or its
    COMMIT.

    The INSERTs held meanwhile are sent as one statement (all but the last as ``WITH``
    clauses), just before that statement or the COMMIT: an action that ends with its row
    and its event pays one statement and one round trip for both, as an unaudited action
    pays for its row. Each held INSERT runs, fails and is rolled back as it would have at
    once; a failure raises where the statement they went with is run (at the latest the
    commit, which then does not happen). Any other statement of the transaction, through
    SQLAlchemy, ``pg_execute`` or ``pg_driver``, sends them first, so every statement
    sees what it saw when they ran at once; a rollback drops them with the rest of the
    transaction. Held INSERTs do not see each other's rows (one snapshot): hold only
    INSERTs of given values. Inside a savepoint, or on an engine not made by
    ``make_engine``, the INSERT runs at once. ``writes`` as for ``pg_execute``."""
    if not sql.startswith("INSERT "):
        raise ValueError("only an INSERT can be held")
    if session.autoflush:
        session.flush()  # ORM changes made before this statement go before it, as they did
    conn = session.connection()
    if conn.engine not in _HOLDING_ENGINES or conn.in_nested_transaction():
        pg_execute(session, sql, params, writes=writes)
        return
    if writes:
        session.info[_WROTE_KEY] = True
    _HELD.setdefault(conn, []).append((sql, params))


def pg_driver(session: Session) -> Any:
    """The session's psycopg connection, in its transaction, for work run on the driver
    itself (pipelines, server-side cursors); the transaction's held INSERTs
    (``pg_execute_later``) are sent first."""
    conn = session.connection()
    _send_held(conn)
    return conn.connection.driver_connection


# INSERTs held by ``pg_execute_later``, per connection: sent before the connection's next
# statement or its COMMIT, dropped by its rollback.
_HELD: weakref.WeakKeyDictionary[Connection, list[tuple[str, dict[str, Any]]]] = (
    weakref.WeakKeyDictionary())
_HOLDING_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()
_PARAMETER = re.compile(r"%\((\w+)\)")


def _hold_writes(engine: Engine) -> None:
    """Hook ``engine`` so that INSERTs held by ``pg_execute_later`` are sent in time."""

    @event.listens_for(engine, "before_cursor_execute")
    def _before_statement(conn: Connection, *_: Any) -> None:
        if conn in _HELD:
            _send_held(conn)

    @event.listens_for(engine, "commit")
    def _before_commit(conn: Connection) -> None:
        _send_held(conn)

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn: Connection) -> None:
        _HELD.pop(conn, None)

    _HOLDING_ENGINES.add(engine)


@functools.lru_cache(maxsize=64)
def _combined(statements: tuple[str, ...]) -> str:
    """Held INSERTs as one statement: ``WITH h0 AS (INSERT ...), ... INSERT ...``, each
    one's parameters prefixed with its position."""
    renamed = [_PARAMETER.sub(rf"%(h{i}_\1)", sql) for i, sql in enumerate(statements)]
    ctes = ", ".join(f"h{i} AS ({sql})" for i, sql in enumerate(renamed[:-1]))
    return f"WITH {ctes} {renamed[-1]}"


def _send_held(conn: Connection) -> None:
    held = _HELD.pop(conn, None)
    if not held:
        return
    if len(held) == 1:
        sql, params = held[0]
    else:
        sql = _combined(tuple(statement for statement, _ in held))
        params = {f"h{i}_{name}": value for i, (_, values) in enumerate(held)
                  for name, value in values.items()}
    driver: Any = conn.connection.driver_connection
    try:
        driver.execute(sql, params)
    except driver.Error as exc:
        raise _dbapi_error(conn, driver, exc, sql, params) from exc


def _dbapi_error(conn: Connection, driver: Any, exc: Exception, sql: str,
                 params: dict[str, Any]) -> DBAPIError:
    """``exc`` as SQLAlchemy raises a driver's error: parameters hidden, a lost connection
    invalidated."""
    lost = conn.dialect.is_disconnect(exc, driver, None)
    if lost:
        conn.invalidate(exc)
    return DBAPIError.instance(sql, params, exc, driver.Error, hide_parameters=True,
                               connection_invalidated=lost, dialect=conn.dialect)


def _private_sqlite_file(database: str | None) -> None:
    """Create the database file 0600 before SQLite does (it would use the umask, 0644 by
    default), and tighten an existing one: SQLite gives the -wal and -shm files it creates
    the database file's mode, so those follow."""
    if database in (None, "", ":memory:") or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.is_dir():
        return  # SQLite reports the missing directory itself
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists() and stat.S_IMODE(name.stat().st_mode) & 0o077:
            os.chmod(name, 0o600)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, and the BEGIN mode of each transaction (see the module docstring)."""

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
        mode = conn.get_execution_options().get(BEGIN_OPTION, "IMMEDIATE")
        conn.exec_driver_sql(_BEGIN_SQL[mode])


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions carry no collaborators: the audit log's signer belongs to the sequencer
    (``app.audit.sequencer``), which hooks the factory's commits to learn of new events."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@event.listens_for(Session, "after_flush")
def _note_write(session: Session, _flush_context: Any) -> None:
    session.info[_WROTE_KEY] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement_write(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE_KEY] = True


@event.listens_for(Session, "after_begin")
def _reset_write(session: Session, _transaction: Any, _connection: Any) -> None:
    session.info.pop(_WROTE_KEY, None)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    """What was written is committed: between it and the next transaction, nothing is."""
    session.info.pop(_WROTE_KEY, None)


def begin(session: Session, *, write: bool) -> None:
    """Begin the session's next transaction, taking SQLite's write lock now when ``write``."""
    if not session.in_transaction():
        session.connection(execution_options={BEGIN_OPTION: "IMMEDIATE" if write else "DEFERRED"})


def between_transactions(session: Session, *, reads_next: bool = False) -> None:
    """End a transaction that has written nothing, before long CPU work that needs no database.

    The work then holds no SQLite lock and no snapshot. The next transaction begins with the
    next statement: ``IMMEDIATE`` (what follows such work is the request's writes) or, with
    ``reads_next``, ``DEFERRED`` (a read phase, itself ended by ``between_transactions``,
    which refuses it if it wrote). Loaded rows stay usable (sessions do not expire on
    commit). A transaction that wrote is refused: an action and its audit event are
    committed together or not at all.
    """
    if session.new or session.dirty or session.deleted or session.info.get(_WROTE_KEY):
        raise RuntimeError("between_transactions after a write would split an action")
    session.commit()
    if reads_next:
        begin(session, write=False)


def defer_after_rollback(session: Session, write: DeferredWrite) -> None:
    """Queue a write (an audit event of a refusal) that must persist even if the request fails."""
    session.info.setdefault(_DEFERRED_KEY, []).append(write)


def commit(session: Session) -> None:
    for write in session.info.pop(_DEFERRED_KEY, []):
        write(session)
    session.commit()


def roll_back(session: Session) -> None:
    """Roll back, then write the deferred refusals in a transaction of their own."""
    session.rollback()
    writes: list[DeferredWrite] = session.info.pop(_DEFERRED_KEY, [])
    if not writes:
        return
    try:
        begin(session, write=True)
        for write in writes:
            write(session)
        session.commit()
    except Exception:  # noqa: BLE001 - the original error matters more
        session.rollback()


def is_lock_conflict(exc: BaseException) -> bool:
    """SQLite could not give a deferred transaction the write lock (busy or stale snapshot)."""
    orig = getattr(exc, "orig", None)
    return isinstance(exc, OperationalError) and getattr(orig, "sqlite_errorcode", None) in (
        _LOCK_CONFLICTS)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Commit on success; on error roll back, write the deferred events, and re-raise."""
    session = factory()
    try:
        yield session
        commit(session)
    except BaseException:
        roll_back(session)
        raise
    finally:
        session.close()


class RequestUnit:
    """A request's session and the work that runs in it, in one worker-thread call.

    ``run`` begins the transaction (``DEFERRED`` on SQLite for reads), calls the work,
    commits, and on error rolls back and writes the deferred refusals. A read whose write
    met a stale snapshot is run again once with the write lock taken at BEGIN; ``on_retry``
    callbacks forget whatever the first attempt computed.
    """

    def __init__(self, factory: sessionmaker[Session], *, read_only: bool) -> None:
        self.session = factory()
        self.read_only = read_only
        self.finished = False
        # An error a page turned into its own response (an error page) never reached the
        # dependency that ends the unit; it is kept here so the unit still rolls back.
        self.failure: BaseException | None = None
        self._on_retry: list[Callable[[], None]] = []
        self._lock = threading.Lock()  # one thread at a time uses the session

    def on_retry(self, forget: Callable[[], None]) -> None:
        self._on_retry.append(forget)

    def begin(self) -> None:
        begin(self.session, write=not self.read_only)

    def run(self, work: Callable[[], T]) -> T:
        with self._lock:
            try:
                return self._attempts(work)
            except BaseException:
                roll_back(self.session)
                raise
            finally:
                self.close()

    def _attempts(self, work: Callable[[], T]) -> T:
        while True:
            try:
                self.begin()
                result = work()
                commit(self.session)
                return result
            except OperationalError as exc:
                if not (self.read_only and is_lock_conflict(exc)):
                    raise
                self._forget_attempt()

    def _forget_attempt(self) -> None:
        self.session.rollback()
        self.session.info.pop(_DEFERRED_KEY, None)
        self.read_only = False
        for forget in self._on_retry:
            forget()

    def finish(self, error: BaseException | None) -> None:
        """End a unit whose work ran elsewhere (an async endpoint, a refused dependency).

        Waits for a ``run`` still going in another thread (its request was cancelled), and
        then has nothing left to do."""
        with self._lock:
            if self.finished:
                return
            try:
                if error is None:
                    commit(self.session)
                else:
                    roll_back(self.session)
            finally:
                self.close()

    @property
    def idle(self) -> bool:
        """Nothing running, nothing to commit or roll back (no transaction, no refusal)."""
        return (not self._lock.locked() and not self.session.in_transaction()
                and not self.session.info.get(_DEFERRED_KEY))

    def close(self) -> None:
        self.finished = True
        self.session.close()


session_scope = transaction
