"""The account cache (``app.auth.account_cache``): a cached account's token is answered with
no SQL and no worker thread, and every way of revoking it (sign-out, password change,
factor change, deactivation, in this process or another one) ends it on the next request;
a fill that read the row before an eviction never puts the stale row back; a cache whose
watch cannot vouch for it (listener stopped or cut, epoch file gone) is bypassed."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text, update

import app.deps as deps
from app.account_changes import epoch_file
from app.auth.account_cache import EpochFileWatch, PgListener
from app.db import transaction
from app.models.users import User as UserRow
from tests import dbutil
from tests.api.auth.conftest import enable_totp
from tests.factories import OWN_PASSWORD, PASSWORD
from tests.sqlcount import statements

POLL_SECONDS = 20


def wait_until(predicate, what: str, seconds: float = POLL_SECONDS) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail(f"not within {seconds} s: {what}")


def cached(api, app, user) -> bool:  # noqa: ANN001
    """Warm the cache with ``user``'s token; True once a /me of it issues no SQL."""
    wait_until(lambda: app.state.accounts.began() is not None, "the cache is usable")
    for _ in range(50):
        with statements(app.state.engine) as seen:
            assert me(api, user).status_code == 200
        if not seen:
            return True
        time.sleep(0.05)
    return False


def me(api, user):  # noqa: ANN001, ANN201
    return api.client.get("/api/v1/me", headers=user.headers)


def _count_hops(monkeypatch) -> list:  # noqa: ANN001
    """The worker-thread calls the guard makes from now on."""
    hops = []
    real = deps.run_in_threadpool

    async def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        hops.append(args[0])
        return await real(*args, **kwargs)

    monkeypatch.setattr(deps, "run_in_threadpool", counting)
    return hops


def test_a_hit_issues_no_sql_and_no_worker_thread(api, app, monkeypatch):
    user = api.user("cached")
    assert cached(api, app, user)
    hops = _count_hops(monkeypatch)
    with statements(app.state.engine) as seen:
        r = me(api, user)
    assert r.status_code == 200
    assert r.json() == {"id": user.id, "email": user.email, "name": "Cached",
                        "is_platform_admin": False, "totp_enabled": False,
                        "must_change_password": False}
    assert seen == [] and hops == []


def test_a_miss_reads_the_row_in_one_worker_thread_call(api, app, monkeypatch):
    user = api.user("miss")
    app.state.accounts.clear()
    hops = _count_hops(monkeypatch)
    with statements(app.state.engine) as seen:
        assert me(api, user).status_code == 200
    assert any("FROM users" in s for s in seen)
    assert len(hops) == 1


def _logout(api, app, user, clock) -> None:  # noqa: ANN001, ARG001
    assert api.client.post("/api/v1/auth/logout", headers=user.headers).status_code == 204


def _password_change(api, app, user, clock) -> None:  # noqa: ANN001, ARG001
    r = api.client.post("/api/v1/me/password", headers=user.headers, json={
        "current_password": PASSWORD, "new_password": OWN_PASSWORD})
    assert r.status_code == 204, r.text


def _factor_change(api, app, user, clock) -> None:  # noqa: ANN001
    old = dict(user.headers)
    enable_totp(api, user, clock)  # gives ``user`` a fresh token; the old one must die
    user.token = old["Authorization"].removeprefix("Bearer ")


def _deactivation(api, app, user, clock) -> None:  # noqa: ANN001, ARG001
    with transaction(app.state.sessionmaker) as session:
        session.get(UserRow, uuid.UUID(user.id)).is_active = False


@pytest.mark.parametrize("revoke", [_logout, _password_change, _factor_change, _deactivation])
def test_revocation_ends_a_cached_token_on_the_next_request(api, app, clock, revoke,
                                                            monkeypatch):
    user = api.user("revoked")
    assert cached(api, app, user)
    # What other processes do is deafened: the committing session's own eviction must do.
    monkeypatch.setattr(PgListener, "_evict", lambda self, payload: None)
    monkeypatch.setattr(EpochFileWatch, "_clear", lambda self: None)
    revoke(api, app, user, clock)
    r = me(api, user)
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"


def test_a_fill_that_read_before_an_eviction_is_refused(api, app):
    user = api.user("race")
    accounts = app.state.accounts
    wait_until(lambda: accounts.began() is not None, "the cache is usable")
    accounts.clear()
    user_id = uuid.UUID(user.id)
    session = app.state.sessionmaker()
    try:
        row = session.get(UserRow, user_id)  # the read, in a transaction begun before...
        accounts.evict({user_id})  # ...a change committed elsewhere is announced
        accounts.offer(session, row)  # ...and only then the fill
        assert accounts.lookup(user_id, row.token_generation) is None
        session.rollback()
        # The control: the same sequence without the eviction fills the cache.
        row = session.get(UserRow, user_id)
        accounts.offer(session, row)
        assert accounts.lookup(user_id, row.token_generation) is not None
    finally:
        session.close()


def test_a_row_read_in_an_earlier_transaction_is_never_offered(api, app):
    user = api.user("earlier")
    accounts = app.state.accounts
    wait_until(lambda: accounts.began() is not None, "the cache is usable")
    accounts.clear()
    session = app.state.sessionmaker()
    try:
        row = session.get(UserRow, uuid.UUID(user.id))
        session.commit()
        accounts.evict(set())  # something changed between the two transactions
        assert session.get(UserRow, uuid.UUID(user.id)) is row  # the identity map: no read
        accounts.offer(session, row)
        assert accounts.lookup(row.id, row.token_generation) is None
    finally:
        session.close()


def test_an_account_that_must_replace_its_password_is_never_cached(api, app):
    user = api.user("chosen", first_password_chosen=False)
    wait_until(lambda: app.state.accounts.began() is not None, "the cache is usable")
    for _ in range(3):
        with statements(app.state.engine) as seen:
            r = me(api, user)
        assert r.status_code == 200 and r.json()["must_change_password"] is True
        assert any("FROM users" in s for s in seen)
    # Elsewhere it is refused, through the database, audited.
    r = api.client.get("/api/v1/cases", headers=user.headers)
    assert r.status_code == 403 and r.json()["code"] == "password_change_required"


def _deactivate_in_another_process(database_url: str, user_id: str) -> None:
    code = (
        "import sys, uuid\n"
        "from app.db import make_engine, make_sessionmaker, transaction\n"
        "from app.models.users import User\n"
        "engine = make_engine(sys.argv[1])\n"
        "with transaction(make_sessionmaker(engine)) as s:\n"
        "    s.get(User, uuid.UUID(sys.argv[2])).is_active = False\n"
    )
    done = subprocess.run([sys.executable, "-c", code, database_url, user_id],  # noqa: S603
                          capture_output=True, text=True, cwd=Path.cwd(), timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr


def test_a_change_made_by_another_process_ends_the_cached_token(api, app, settings):
    user = api.user("elsewhere")
    assert cached(api, app, user)
    _deactivate_in_another_process(settings.resolved_database_url, user.id)
    if dbutil.pg_server_url():  # delivered by the listener: poll, bounded
        wait_until(lambda: me(api, user).status_code == 401, "the other process's change")
    else:  # the epoch file is checked on every lookup
        assert me(api, user).status_code == 401


@pytest.mark.skipif(bool(dbutil.pg_server_url()), reason="the epoch file is SQLite's watch")
def test_without_its_epoch_file_the_cache_is_bypassed(api, app):
    user = api.user("nofile")
    assert cached(api, app, user)
    path = epoch_file(app.state.engine)
    assert path is not None
    path.unlink()
    for _ in range(2):
        with statements(app.state.engine) as seen:
            assert me(api, user).status_code == 200
        assert any("FROM users" in s for s in seen)
    assert len(app.state.accounts) == 0
    path.write_bytes(b".")  # back: the cache is emptied, then trusted again
    assert cached(api, app, user)


@pytest.mark.skipif(not dbutil.pg_server_url(), reason="the listener is PostgreSQL's watch")
def test_a_stopped_listener_bypasses_the_cache(api, app):
    user = api.user("stopped")
    assert cached(api, app, user)
    app.state.accounts.stop()
    try:
        for _ in range(2):
            with statements(app.state.engine) as seen:
                assert me(api, user).status_code == 200
            assert any("FROM users" in s for s in seen)
        assert len(app.state.accounts) == 0
    finally:
        app.state.accounts.start()


@pytest.mark.skipif(not dbutil.pg_server_url(), reason="the listener is PostgreSQL's watch")
def test_a_cut_listener_empties_the_cache_and_subscribes_again(api, app, settings):
    user = api.user("cut")
    assert cached(api, app, user)
    epoch = app.state.accounts.epoch
    with app.state.engine.connect() as conn:
        cut = conn.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
            "current_database() AND application_name = 'settleroom-account-listener'")).all()
        conn.commit()
    assert cut
    wait_until(lambda: app.state.accounts.epoch > epoch and len(app.state.accounts) == 0,
               "the cut listener empties the cache")
    assert cached(api, app, user)  # subscribed again


def test_a_bulk_statement_on_accounts_empties_the_cache(api, app, monkeypatch):
    user = api.user("bulk")
    assert cached(api, app, user)
    monkeypatch.setattr(PgListener, "_evict", lambda self, payload: None)
    monkeypatch.setattr(EpochFileWatch, "_clear", lambda self: None)
    with transaction(app.state.sessionmaker) as session:
        session.execute(update(UserRow).where(UserRow.id == uuid.UUID(user.id))
                        .values(is_active=False))
    assert me(api, user).status_code == 401
