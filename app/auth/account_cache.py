"""The per-process account cache: a valid token of a cached account needs no database read.

Every authenticated request used to read the caller's account row, to honour revocation
(sign-out everywhere, a password or factor change bump ``users.token_generation``;
deactivation; a forced password change). This cache keeps, per account id, an immutable
``Account`` of exactly what the principal and ``GET /me`` need. A request may use it only
when its token's generation equals the cached one and the account is active; anything else
(a miss, a mismatch, the cache disabled) takes the database path unchanged.

Invalidation is exact, never timed (``app.account_changes`` announces every change):
- in this process, the session that committed a change evicts its ids before the request
  that made it answers (``attach``: the sessions of this app's factory);
- in other processes: on PostgreSQL each process listens on ``CHANNEL`` (``PgListener``) and
  evicts what the committing transaction notified; on SQLite each lookup compares the
  database's epoch file (``os.stat``) with the one this cache saw, and empties itself when
  it changed (``EpochFileWatch``). ``PRAGMA data_version`` was the other candidate: it
  changes on *any* commit by another connection (each audit append would empty the cache)
  and must be asked on a connection of the pool, which a lookup must not touch.

An entry is filled only from a row read, in the current transaction, after the cache's epoch
was noted at that transaction's begin, and only if the epoch has not moved since
(``offer``): a request that read the row before an eviction cannot put the stale value back
after it. Every eviction, every clear and every change of the watch's state moves the epoch.

Threat model. The only revocation delay is the time between a commit in another process and
this process's eviction: the notification's delivery on PostgreSQL (milliseconds), the next
lookup on SQLite (none). On SQLite a change made by this process moves the epoch file too, so
any account change empties this process's whole cache: exact, and cheap while account
changes are rare next to requests. Nothing is cached for an account that is refused (inactive, stale
generation) or must replace its password. The cache is bypassed, and emptied when it comes
back, whenever the watch cannot vouch for it: the listener not (yet) subscribed, its
connection lost or silent beyond its heartbeat, the epoch file unreadable. A safety TTL
bounds the life of an entry should an announcement ever be missed (a statement outside the
ORM: see ``app.account_changes``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from app import account_changes
from app.context import Principal
from app.models.users import User

logger = logging.getLogger(__name__)
CHANNEL = account_changes.CHANNEL
STOP_JOIN_SECONDS = 1.25  # how long ``stop`` waits for a listener caught connecting
LISTENER_NAME = "settleroom-account-listener"  # its thread and its connection
_EPOCH_KEY = "settleroom.accounts_epoch"  # the cache's epoch at the transaction's begin
_LOADED_KEY = "settleroom.accounts_loaded"  # account ids read in the current transaction


@dataclass(frozen=True, slots=True)
class Account:
    """What authenticating a request and ``GET /me`` need of an account, nothing more."""

    id: uuid.UUID
    email: str
    name: str
    is_platform_admin: bool
    totp_enabled: bool
    must_change_password: bool
    is_active: bool
    token_generation: int

    @classmethod
    def of(cls, user: User) -> Account:
        return cls(id=user.id, email=user.email, name=user.name,
                   is_platform_admin=user.is_platform_admin, totp_enabled=user.totp_enabled,
                   must_change_password=user.must_change_password, is_active=user.is_active,
                   token_generation=user.token_generation)

    def principal(self, address: str | None) -> Principal:
        return Principal(user_id=self.id, email=self.email, name=self.name,
                         is_platform_admin=self.is_platform_admin, client_address=address)


class AccountCache:
    """A bounded LRU of ``Account`` by id, with an epoch (see the module docstring).

    ``watch`` vouches for the cache: ``check()`` is False when it cannot (the cache is then
    bypassed) and empties the cache whenever what it watches moved.
    """

    def __init__(self, max_size: int, ttl_seconds: float, watch: Watch) -> None:
        self._max = max_size
        self._ttl = ttl_seconds
        self._watch = watch
        self._entries: OrderedDict[uuid.UUID, tuple[Account, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._epoch = 0
        watch.bind(self)

    @property
    def epoch(self) -> int:
        return self._epoch

    def lookup(self, user_id: uuid.UUID, generation: int) -> Account | None:
        """The account when a request with this token generation may skip the database."""
        if self._max == 0 or not self._watch.check():
            return None
        with self._lock:
            found = self._entries.get(user_id)
            if found is None:
                return None
            account, stored_at = found
            if time.monotonic() - stored_at > self._ttl:
                del self._entries[user_id]
                return None
            self._entries.move_to_end(user_id)
        if account.token_generation != generation or not account.is_active:
            return None
        return account

    def began(self) -> int | None:
        """The epoch a transaction beginning now may fill the cache under; None: it may not."""
        if self._max == 0 or not self._watch.check():
            return None
        return self._epoch

    def offer(self, session: Session, user: User) -> None:
        """Keep ``user`` (just checked as the caller) if it is safe to (module docstring)."""
        if (user.must_change_password or not user.is_active
                or user.id not in session.info.get(_LOADED_KEY, ())
                or session.info.get(_EPOCH_KEY) is None
                or account_changes.changed_in(session) or session.is_modified(user)):
            return
        account = Account.of(user)
        # Checked before the lock (a watch that saw a change clears the cache, which takes
        # it); a clear between here and the insert moves the epoch, which refuses it.
        if not self._watch.check():
            return
        with self._lock:
            if session.info.get(_EPOCH_KEY) != self._epoch:
                return
            self._entries[account.id] = (account, time.monotonic())
            self._entries.move_to_end(account.id)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def evict(self, user_ids: set[uuid.UUID] | None) -> None:
        """Forget these accounts (None: every account); fills in flight are refused."""
        with self._lock:
            self._epoch += 1
            if user_ids is None:
                self._entries.clear()
            else:
                for user_id in user_ids:
                    self._entries.pop(user_id, None)

    def clear(self) -> None:
        self.evict(None)

    def __len__(self) -> int:
        return len(self._entries)

    # The sessions of one app's factory: note the epoch at begin, evict after commit.
    def attach(self, factory: sessionmaker[Session]) -> None:
        event.listen(factory, "after_begin", self._after_begin)

    def _after_begin(self, session: Session, transaction: Any, _connection: Any) -> None:
        session.info[account_changes.ANNOUNCE_KEY] = self.evict
        session.info[_EPOCH_KEY] = self.began()
        session.info[_LOADED_KEY] = set()

    def start(self) -> None:
        self._watch.start()

    def stop(self) -> None:
        self._watch.stop()


@event.listens_for(User, "load")
def _loaded(user: User, context: Any) -> None:
    loaded = context.session.info.get(_LOADED_KEY) if context.session is not None else None
    if loaded is not None:
        loaded.add(user.id)


@event.listens_for(User, "refresh")
def _refreshed(user: User, context: Any, _attrs: Any) -> None:
    _loaded(user, context)


class Watch:
    """What vouches for a cache across processes. This one: nothing to watch (a database
    only this process opens, an in-memory SQLite)."""

    cache: AccountCache | None = None

    def bind(self, cache: AccountCache) -> None:
        self.cache = cache

    def check(self) -> bool:
        return True

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


class Disabled(Watch):
    def check(self) -> bool:
        return False


class EpochFileWatch(Watch):
    """SQLite: the database's epoch file (``app.account_changes.epoch_file``), one ``os.stat``
    per check. Any change to it (another process changed an account) empties the cache; an
    unreadable file disables it until the file is back (then it is emptied too)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._seen: tuple[int, int, int, int] | None = None
        try:  # the first server on a database creates it; a failure only disables the cache
            account_changes.bump(path)
        except OSError:
            logger.warning("the account cache is off: its epoch file cannot be written")

    def check(self) -> bool:
        try:
            st = os.stat(self._path)
        except OSError:
            if self._seen is not None:
                self._seen = None
                self._clear()
            return False
        stamp = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        if stamp != self._seen:
            self._seen = stamp
            self._clear()
        return True

    def _clear(self) -> None:
        if self.cache is not None:
            self.cache.clear()


class PgListener(Watch):
    """PostgreSQL: ``LISTEN`` on a dedicated connection in a daemon thread, started with
    the app. The cache is usable only while subscribed and heard from within
    ``silence_seconds`` (a notification, or the heartbeat's ``SELECT 1``); it is emptied on
    every (re)subscription and whenever it was silent too long, so what was missed while
    the listener could not hear is never served."""

    def __init__(self, engine: Engine, *, heartbeat_seconds: float = 2.0,
                 retry_seconds: float = 1.0) -> None:
        self._engine = engine
        self._heartbeat = heartbeat_seconds
        self._retry = retry_seconds
        self._silence = 3 * heartbeat_seconds + 1.0
        self._subscribed = False
        self._heard_at = 0.0
        self._stale = True
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._wake: tuple[socket.socket, socket.socket] | None = None

    def check(self) -> bool:
        if not self._subscribed:
            return False
        if time.monotonic() - self._heard_at > self._silence:
            self._stale = True
            return False
        return True

    def _heard(self) -> None:
        if self._stale and self.cache is not None:
            self.cache.clear()  # before the cache is usable again
        self._stale = False
        self._heard_at = time.monotonic()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        # The listener waits on its connection's socket and on this pair's reading end, so
        # ``stop`` (each app's shutdown, each test's) wakes it at once instead of waiting
        # out a polling interval.
        self._wake = socket.socketpair()
        self._thread = threading.Thread(target=self._run, args=(self._wake,),
                                        name=LISTENER_NAME, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        self._stopping.set()
        self._down()
        if thread is not None:
            if self._wake is not None:
                with contextlib.suppress(OSError):  # the listener closed it on its way out
                    self._wake[1].send(b"\0")
            thread.join(STOP_JOIN_SECONDS)

    def _down(self) -> None:
        self._subscribed = False
        self._stale = True
        if self.cache is not None:
            self.cache.clear()

    def _connect(self) -> Any:
        import psycopg  # noqa: PLC0415 - only a PostgreSQL deployment needs the driver here

        args, params = self._engine.dialect.create_connect_args(self._engine.url)
        params = {**params, "autocommit": True, "connect_timeout": 5,
                  "application_name": LISTENER_NAME,
                  "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2,
                  "keepalives_count": 2, "tcp_user_timeout": 5000}
        return psycopg.connect(*args, **params)

    def _run(self, wake: tuple[socket.socket, socket.socket]) -> None:
        try:
            self._subscribe_until_stopped(wake[0])
        finally:
            for end in wake:
                end.close()

    def _subscribe_until_stopped(self, wake: socket.socket) -> None:
        lost = False
        while not self._stopping.is_set():
            try:
                with self._connect() as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._stale = True
                    self._heard()  # empties the cache, then trusts it
                    self._subscribed = True
                    if lost:
                        logger.warning("account cache listener subscribed again")
                        lost = False
                    self._listen(conn, wake)
            except Exception:  # noqa: BLE001 - the cache stays off until the listener is back
                if not lost and not self._stopping.is_set():
                    logger.warning("account cache listener lost its connection; the cache "
                                   "is off until it subscribes again")
                lost = True
            finally:
                self._down()
            self._stopping.wait(self._retry)

    def _listen(self, conn: Any, wake: socket.socket) -> None:
        beat = time.monotonic()
        while not self._stopping.is_set():
            # What has arrived, and what the heartbeat's query left in the backlog; never
            # blocks (a zero timeout polls once).
            for note in conn.notifies(timeout=0):
                self._evict(note.payload)
            wait = max(0.0, self._heartbeat - (time.monotonic() - beat))
            ready, _, _ = select.select([conn.fileno(), wake], [], [], wait)
            if wake in ready:
                return
            if time.monotonic() - beat >= self._heartbeat:
                conn.execute("SELECT 1")  # a connection lost without a word shows here
                self._heard()
                beat = time.monotonic()

    def _evict(self, payload: str) -> None:
        if self.cache is not None:
            self.cache.evict(account_changes.parse(payload.split()))


def build_account_cache(engine: Engine, *, max_size: int, ttl_seconds: float) -> AccountCache:
    """The cache for ``engine``'s database, with the watch its dialect needs."""
    watch: Watch
    if max_size == 0:
        watch = Disabled()
    elif engine.dialect.name == "postgresql":
        watch = PgListener(engine)
    elif engine.url.database in (None, "", ":memory:"):
        watch = Watch()
    else:
        path = account_changes.epoch_file(engine)
        watch = EpochFileWatch(path) if path is not None else Disabled()
    return AccountCache(max_size, ttl_seconds, watch)
