"""Password reset by e-mail link, through HTTP: no account oracle (same answer, same SQL,
a mail either way), limits per address asked for and per client, a single-use expiring
link stored only as a hash and bound to the account's sessions, and a reset that ends every
session and is audited without the address."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.db import transaction
from app.models.audit import AuditEvent
from app.models.users import PasswordReset
from tests.api.auth.conftest import Clock
from tests.api.offers.conftest import events_named
from tests.api.seats.conftest import mails
from tests.factories import PASSWORD
from tests.sqlcount import statements
from tests.tools import same_answer

NEW_PASSWORD = "another long and private phrase"
RESET_LINK = re.compile(r"/password-reset/([A-Za-z0-9_-]{43})")
ASK = "/api/v1/auth/password-reset"


def _texts(app, address: str) -> list[str]:  # noqa: ANN001
    return [m.get_body(("plain",)).get_content() for m in mails(app) if m["To"] == address]


def _link(app, address: str) -> str:  # noqa: ANN001
    found = [match.group(1) for text in _texts(app, address)
             if (match := RESET_LINK.search(text))]
    assert len(found) == 1, found
    return found[0]


def _work(sql: list[str]) -> list[str]:
    return [s for s in sql if s.split()[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}]


def _headers(response) -> dict[str, str]:  # noqa: ANN001
    return {k: v for k, v in response.headers.items() if k.lower() != "x-request-id"}


def test_known_and_unknown_addresses_get_the_same_answer_and_the_same_work(api):
    user = api.user("forgetful")
    engine = api.app.state.engine
    # The client's own counter exists from here on, as it will for both measured requests.
    api.client.post(ASK, json={"email": "first@example.com"})
    with statements(engine) as known_sql:
        known = api.client.post(ASK, json={"email": user.email})
    with statements(engine) as unknown_sql:
        unknown = api.client.post(ASK, json={"email": "nobody-here@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json() == {"status": "requested"}
    assert _headers(known) == _headers(unknown)
    # The same statements, in the same order (transaction control left out: the audit
    # log's sequencing opens its own transactions, whose statements sqlcount drops).
    assert _work(known_sql) == _work(unknown_sql)
    # One lookup by address, in both cases; no statement names the address's account.
    assert sum("FROM users" in s for s in known_sql) == 1
    # A mail either way: the link to the account's owner, word of no account otherwise.
    assert RESET_LINK.search(_texts(api.app, user.email)[0])
    [none] = _texts(api.app, "nobody-here@example.com")
    assert "no account uses it" in none and not RESET_LINK.search(none)
    # The audit log never holds the address.
    for event in events_named(api.app, "auth.password_reset_request"):
        assert "example.com" not in str(event.details)


def test_the_link_resets_once_and_ends_every_session(api):
    user = api.user("forgetful")
    api.client.post(ASK, json={"email": user.email.upper()})
    token = _link(api.app, user.email)
    with transaction(api.app.state.sessionmaker) as session:
        stored = session.execute(select(PasswordReset.token_hash)).scalars().all()
        assert token.encode() not in b"".join(stored)
    common = api.client.post(f"{ASK}/{token}", json={"password": "password1234"})
    assert common.status_code == 422 and common.json()["code"] == "password_too_common"
    short = api.client.post(f"{ASK}/{token}", json={"password": "short"})
    assert short.status_code == 422
    done = api.client.post(f"{ASK}/{token}", json={"password": NEW_PASSWORD})
    assert done.status_code == 204, done.text
    # Every token of the account died with the reset.
    assert api.client.get("/api/v1/me", headers=user.headers).status_code == 401
    refreshed = api.client.post("/api/v1/auth/refresh",
                                json={"refresh_token": user.refresh_token})
    assert refreshed.status_code == 401
    assert api.login(user.email).status_code == 401
    assert api.login(user.email, NEW_PASSWORD).status_code == 200
    replay = api.client.post(f"{ASK}/{token}", json={"password": "yet another long phrase"})
    assert replay.status_code == 409 and replay.json()["code"] == "reset_link_used"
    assert [str(e.object_id) for e in events_named(api.app, "auth.password_reset")] == [user.id]
    denied = events_named(api.app, "auth.password_reset", "denied")
    assert [e.details["reason"] for e in denied] == ["reset_link_used"]
    with transaction(api.app.state.sessionmaker) as session:
        details = session.execute(select(AuditEvent.details)).scalars().all()
    assert user.email not in str(details)


def test_a_guessed_or_unknown_link_is_refused(api):
    for token in ("x" * 43, "short", "A" * 100):
        r = api.client.post(f"{ASK}/{token}", json={"password": NEW_PASSWORD})
        assert r.status_code == 404 and r.json()["code"] == "reset_link_invalid", token


def test_the_link_expires_after_an_hour(api):
    user = api.user("forgetful")
    clock = Clock(api.app)
    api.client.post(ASK, json={"email": user.email})
    token = _link(api.app, user.email)
    clock.advance(3601)
    late = api.client.post(f"{ASK}/{token}", json={"password": NEW_PASSWORD})
    assert late.status_code == 410 and late.json()["code"] == "reset_link_expired"
    assert api.login(user.email).status_code == 200  # the password is unchanged


def test_signing_out_everywhere_ends_a_pending_link(api):
    user = api.user("forgetful")
    api.client.post(ASK, json={"email": user.email})
    token = _link(api.app, user.email)
    assert api.client.post("/api/v1/auth/logout", headers=user.headers).status_code == 204
    late = api.client.post(f"{ASK}/{token}", json={"password": NEW_PASSWORD})
    assert late.status_code == 410 and late.json()["code"] == "reset_link_expired"


def test_a_reset_replaces_a_password_the_admin_chose(api):
    made = api.client.post("/api/v1/users", headers=api.admin.headers,
                           json={"email": "given@example.com", "name": "G", "password": PASSWORD})
    assert made.status_code == 201
    api.client.post(ASK, json={"email": "given@example.com"})
    token = _link(api.app, "given@example.com")
    assert api.client.post(f"{ASK}/{token}", json={"password": NEW_PASSWORD}).status_code == 204
    signed = api.login("given@example.com", NEW_PASSWORD)
    assert signed.status_code == 200 and signed.json()["password_change_required"] is False


def test_an_address_is_mailed_at_most_three_times_an_hour_and_is_told_nothing(api):
    user = api.user("forgetful")
    answers = [api.client.post(ASK, json={"email": user.email}) for _ in range(5)]
    assert {r.status_code for r in answers} == {202}
    assert len({str(same_answer(r.json())) for r in answers}) == 1
    assert len(_texts(api.app, user.email)) == 3
    with transaction(api.app.state.sessionmaker) as session:
        assert len(session.execute(select(PasswordReset)).all()) == 3


def test_a_client_asking_too_often_gets_429(api):
    limit = api.app.state.services.settings.password_reset_max_per_client
    for i in range(limit):
        r = api.client.post(ASK, json={"email": f"someone-{i}@example.com"})
        assert r.status_code == 202
    r = api.client.post(ASK, json={"email": "one-more@example.com"})
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    assert int(r.headers["Retry-After"]) > 0
    assert len(events_named(api.app, "auth.password_reset_request", "denied")) == 1
    assert not _texts(api.app, "one-more@example.com")


def test_a_second_factor_stays_after_a_reset(api):
    from tests.api.auth.conftest import enable_totp

    user = api.user("careful")
    clock = Clock(api.app)
    totp = enable_totp(api, user, clock)
    api.client.post(ASK, json={"email": user.email})
    token = _link(api.app, user.email)
    assert api.client.post(f"{ASK}/{token}", json={"password": NEW_PASSWORD}).status_code == 204
    assert api.login(user.email, NEW_PASSWORD).status_code == 401
    clock.advance(30)
    assert api.login(user.email, NEW_PASSWORD, otp=totp.at(clock.now)).status_code == 200


def test_the_reset_window_is_an_hour(api):
    """The address's limit counts per hour: an hour later it may be mailed again."""
    user = api.user("forgetful")
    clock = Clock(api.app)
    for _ in range(4):
        api.client.post(ASK, json={"email": user.email})
    assert len(_texts(api.app, user.email)) == 3
    clock.advance(timedelta(hours=1, seconds=1).total_seconds())
    api.client.post(ASK, json={"email": user.email})
    assert len(_texts(api.app, user.email)) == 4
