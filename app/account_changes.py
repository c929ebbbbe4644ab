"""Every committed change to an account row is announced, so account caches can forget it.

The account cache (``app.auth.account_cache``) answers a request's authentication without
reading the database; it is only correct if every process holding an entry learns of every
change to that row. These hooks, registered on every ``Session`` of the process, see every
ORM change to a ``User`` (insert, update of any attribute, delete) and every bulk
``update(User)`` / ``delete(User)`` statement, whoever runs it (a request, the CLI, a test):

- the ids changed in a transaction are kept in ``session.info`` and handed to the session's
  own cache after commit (``ANNOUNCE_KEY``: the cache attaches itself there), so the same
  process forgets them before the request that changed them answers;
- on PostgreSQL the transaction itself issues ``pg_notify(CHANNEL, ids)``: the server
  delivers it to every listening process exactly when the transaction commits, and never
  when it rolls back;
- on SQLite (one host) the database's epoch file (``epoch_file``) is appended to before the
  commit (a process that cannot write it cannot change an account: the flush fails) and
  again after it; every process compares the file's ``os.stat`` before trusting its cache.

Not seen: SQL that bypasses the ORM (hand-written SQL against the ``users`` table, a Core
statement on the table run on a bare connection) and rows restored by ``settleroom backup
restore``, which writes only into an empty database.
``tests/unit/test_account_changes.py`` fails if the code base gains such a statement.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from app.models.users import User

CHANNEL = "settleroom_accounts"
EVERYONE = "*"  # the payload of a bulk statement: forget every account
_CHANGED_KEY = "settleroom.accounts_changed"
_BUMPED_KEY = "settleroom.accounts_bumped"
ANNOUNCE_KEY = "settleroom.accounts_announce"  # a callable(ids) the session's cache set
_PAYLOAD_LIMIT = 7000  # pg_notify refuses payloads of 8000 bytes or more
EPOCH_SUFFIX = ".accounts-epoch"
_EPOCH_ROLLOVER_BYTES = 1 << 20


def epoch_file(engine: Engine) -> Path | None:
    """The SQLite database's epoch file, beside the database file (one per database, seen
    by every process that opens it, whatever its data directory); None for PostgreSQL and
    for databases no other process can open (in memory, ``file:`` URIs)."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if database in (None, "", ":memory:") or database.startswith("file:"):
        return None
    return Path(f"{database}{EPOCH_SUFFIX}")


def bump(path: Path) -> None:
    """Append one byte: the file's size (and inode after a rollover) changes on every bump,
    which mtime alone would not promise (its clock ticks in milliseconds)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, b".")
        size = os.fstat(fd).st_size
    finally:
        os.close(fd)
    if size >= _EPOCH_ROLLOVER_BYTES:
        # A new inode: a reader that saw the old file's size sees another file.
        fresh = path.with_name(path.name + ".new")
        fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        os.replace(fresh, path)


def changed_in(session: Session) -> bool:
    """The session's current transaction changed an account (not yet committed)."""
    return bool(session.info.get(_CHANGED_KEY))


def _changed(session: Session) -> set[str]:
    changed: set[str] = session.info.setdefault(_CHANGED_KEY, set())
    return changed


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    ids = {str(obj.id) for obj in session.new if isinstance(obj, User)}
    ids |= {str(obj.id) for obj in session.deleted if isinstance(obj, User)}
    ids |= {str(obj.id) for obj in session.dirty
            if isinstance(obj, User) and session.is_modified(obj, include_collections=False)}
    if ids:
        _announce_in_transaction(session, ids)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    if any(mapper.class_ is User for mapper in state.all_mappers):
        _announce_in_transaction(state.session, {EVERYONE})


def _announce_in_transaction(session: Session, ids: set[str]) -> None:
    """Within the transaction: notify (PostgreSQL) or bump the epoch file (SQLite) now, so a
    failure to do so fails the change itself."""
    changed = _changed(session)
    changed |= ids
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        payload = " ".join(sorted(ids))
        if len(payload) > _PAYLOAD_LIMIT:
            payload = EVERYONE
        connection.execute(text("SELECT pg_notify(:channel, :payload)"),
                           {"channel": CHANNEL, "payload": payload})
        return
    path = epoch_file(connection.engine)
    if path is not None and not session.info.get(_BUMPED_KEY):
        bump(path)
        session.info[_BUMPED_KEY] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    changed: set[str] = session.info.get(_CHANGED_KEY, set())
    if not changed:
        return
    bind = session.get_bind()
    path = epoch_file(bind if isinstance(bind, Engine) else bind.engine)
    if path is not None:
        # After the commit too: a reader that checked the file between the first bump and
        # the commit may have cached the row as it was before.
        bump(path)
    announce = session.info.get(ANNOUNCE_KEY)
    if announce is not None:
        announce(parse(changed))


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: Any) -> None:
    # Committed (announced above) or rolled back (a change that never happened): either
    # way the next transaction starts with nothing to announce.
    if transaction.parent is None:
        session.info.pop(_CHANGED_KEY, None)
        session.info.pop(_BUMPED_KEY, None)


def parse(ids: set[str] | list[str]) -> set[uuid.UUID] | None:
    """Account ids of a notification's payload; None means every account."""
    parsed: set[uuid.UUID] = set()
    for item in ids:
        if item == EVERYONE:
            return None
        try:
            parsed.add(uuid.UUID(item))
        except ValueError:
            return None  # not ours to understand: forget everything
    return parsed
