"""Sign-in throttling: atomic under concurrency, per (account, address) pair with growing
delays, a ceiling per account and a limit per address that spare the owner's own address."""

from __future__ import annotations

import threading

import pytest

from app.kernel.passwords import Passwords
from tests import dbutil
from tests.api.auth.conftest import at, enable_totp, login, race

only_pg = pytest.mark.skipif(
    not dbutil.pg_server_url(),
    reason="only PostgreSQL can show a missing row lock (SQLite serialises whole transactions)")
WRONG = "not the password at all"
OWNER, ATTACKER = "192.0.2.10", "203.0.113.66"


@pytest.fixture
def verified(monkeypatch):  # noqa: ANN201
    """How many passwords reached Argon2."""
    calls: list[bool] = []
    lock = threading.Lock()
    real = Passwords.verify

    def counting(self, stored_hash, password):  # noqa: ANN001, ANN202
        with lock:
            calls.append(True)
        return real(self, stored_hash, password)

    monkeypatch.setattr(Passwords, "verify", counting)
    return calls


@pytest.mark.postgres
@only_pg
def test_twenty_concurrent_wrong_passwords_meet_the_limit_of_five(api, app, verified, clock):
    user = api.user()
    verified.clear()
    results = race(app, [lambda c: login(c, user.email, WRONG)] * 20)
    statuses = sorted(r.status_code for r in results)
    free = app.state.services.settings.login_pair_free_failures
    assert statuses == [401] * free + [429] * (20 - free), [r.text for r in results]
    assert len(verified) == free


@pytest.mark.postgres
@only_pg
def test_one_totp_code_signs_in_once_under_concurrency(api, app, clock):
    user = api.user()
    totp = enable_totp(api, user, clock)
    code = totp.at(clock.now)
    results = race(app, [lambda c: login(c, user.email, otp=code)] * 6)
    statuses = [r.status_code for r in results]
    # One success; the others fail (or, once five are charged, are held back by the pair's
    # delay before their code is even looked at).
    assert statuses.count(200) == 1 and set(statuses) <= {200, 401, 429}, statuses


@pytest.mark.postgres
@only_pg
def test_one_recovery_code_signs_in_once_under_concurrency(api, app, clock):
    user = api.user()
    enable_totp(api, user, clock)
    code = user.recovery_codes[0]
    results = race(app, [lambda c: login(c, user.email, otp=code)] * 6)
    statuses = [r.status_code for r in results]
    assert statuses.count(200) == 1 and set(statuses) <= {200, 401, 429}, statuses


def test_attacker_failures_do_not_lock_the_owner_out(api, app, clock):
    user = api.user()
    owner, attacker = at(app, OWNER), at(app, ATTACKER)
    assert login(owner, user.email).status_code == 200  # the owner's usual address
    for _ in range(3):  # repeatably
        for _ in range(10):
            assert login(attacker, user.email, WRONG).status_code in (401, 429)
        r = login(attacker, user.email)
        assert r.status_code == 429 and r.json()["code"] == "rate_limited"
        assert login(owner, user.email).status_code == 200
        clock.advance(60)


def test_a_pair_waits_longer_after_each_failure(api, app, clock):
    user = api.user()
    client = at(app, ATTACKER)
    settings = app.state.services.settings
    for _ in range(settings.login_pair_free_failures - 1):
        assert login(client, user.email, WRONG).status_code == 401
    assert login(client, user.email, WRONG).status_code == 401  # the last free one
    waits = []
    for _ in range(3):
        refused = login(client, user.email)
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
        clock.advance(waits[-1])
        assert login(client, user.email, WRONG).status_code == 401
    first = settings.login_pair_first_delay_seconds
    assert waits == [first, first * 2, first * 4]
    clock.advance(first * 8)
    assert login(client, user.email).status_code == 200
    # A success starts the pair afresh.
    assert login(client, user.email, WRONG).status_code == 401
    assert login(client, user.email).status_code == 200


def test_the_account_ceiling_stops_many_addresses_but_not_the_owner(api, app, tune):
    user = api.user()
    assert login(at(app, OWNER), user.email).status_code == 200
    tune(login_max_failures_per_account=6)
    for i in range(6):
        assert login(at(app, f"203.0.113.{i + 1}"), user.email, WRONG).status_code == 401
    refused = login(at(app, "203.0.113.200"), user.email)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert login(at(app, OWNER), user.email).status_code == 200


def test_the_address_limit_spares_people_who_signed_in_from_there(api, app, tune):
    office = at(app, "198.51.100.1")
    colleague, newcomer = api.user("colleague"), api.user("newcomer")
    assert login(office, colleague.email).status_code == 200
    tune(login_max_failures_per_address=4)
    for i in range(4):
        assert login(office, f"guess{i}@example.com", WRONG).status_code == 401
    assert login(office, newcomer.email).status_code == 429
    assert login(office, colleague.email).status_code == 200
    assert login(at(app, "198.51.100.2"), newcomer.email).status_code == 200
