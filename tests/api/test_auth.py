"""Accounts and tokens through HTTP: login, refresh rotation and reuse, logout, password
change, rate limits, TOTP without replay, and the token attacks at the HTTP edge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from app.kernel.passwords import Passwords
from tests.factories import PASSWORD
from tests.tools import same_answer


def test_login_returns_a_bearer_pair(api):
    user = api.user("alice")
    r = api.login(user.email)
    body = r.json()
    assert r.status_code == 200
    assert body["token_type"] == "bearer" and body["expires_in"] == 15 * 60
    me = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {"id": user.id, "email": user.email, "name": "Alice",
                         "is_platform_admin": False, "totp_enabled": False,
                         "must_change_password": False}


def test_unknown_email_and_wrong_password_get_the_same_answer(api, monkeypatch):
    user = api.user("bob")
    calls = []
    real_verify = Passwords.verify

    def counting(self, stored_hash, password):
        calls.append(stored_hash is None)
        return real_verify(self, stored_hash, password)

    monkeypatch.setattr(Passwords, "verify", counting)
    wrong = api.login(user.email, "not the password at all")
    unknown = api.login("nobody@example.com", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert same_answer(wrong.json()) == same_answer(unknown.json())
    assert wrong.json()["code"] == "invalid_credentials"
    # Both paths run one Argon2 verification (the unknown one against a dummy hash).
    assert calls == [False, True]


def test_anonymous_me_is_401_problem(client):
    r = client.get("/api/v1/me")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "unauthenticated"


def test_refresh_rotates_and_the_old_token_stops_working(api):
    user = api.user()
    r = api.client.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert r.status_code == 200
    new = r.json()
    assert new["refresh_token"] != user.refresh_token
    again = api.client.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert again.status_code == 401 and again.json()["code"] == "invalid_refresh_token"


def test_reusing_a_refresh_token_revokes_its_whole_family(api):
    user = api.user()
    first = api.client.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    successor = first.json()["refresh_token"]
    reuse = api.client.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert reuse.status_code == 401
    stolen = api.client.post("/api/v1/auth/refresh", json={"refresh_token": successor})
    assert stolen.status_code == 401


def test_reuse_revokes_only_that_family(api):
    user = api.user()
    other_session = api.login(user.email).json()["refresh_token"]
    api.client.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    api.client.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    ok = api.client.post("/api/v1/auth/refresh", json={"refresh_token": other_session})
    assert ok.status_code == 200


def test_logout_takes_effect_on_the_next_request(api):
    user = api.user()
    assert api.client.get("/api/v1/me", headers=user.headers).status_code == 200
    assert api.client.post("/api/v1/auth/logout", headers=user.headers).status_code == 204
    r = api.client.get("/api/v1/me", headers=user.headers)
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"
    refresh = api.client.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert refresh.status_code == 401


def test_password_change_revokes_tokens_and_needs_the_current_password(api):
    user = api.user()
    bad = api.client.post("/api/v1/me/password", headers=user.headers,
                          json={"current_password": "wrong password!", "new_password": "x" * 14})
    assert bad.status_code == 422 and bad.json()["code"] == "wrong_password"
    new_password = "a brand new passphrase"
    ok = api.client.post("/api/v1/me/password", headers=user.headers,
                         json={"current_password": PASSWORD, "new_password": new_password})
    assert ok.status_code == 204
    assert api.client.get("/api/v1/me", headers=user.headers).status_code == 401
    assert api.login(user.email).status_code == 401
    assert api.login(user.email, new_password).status_code == 200


def test_short_new_password_is_422(api):
    user = api.user()
    r = api.client.post("/api/v1/me/password", headers=user.headers,
                        json={"current_password": PASSWORD, "new_password": "short"})
    assert r.status_code == 422 and r.json()["code"] == "validation_error"


def test_repeated_failures_from_one_address_give_429_even_with_the_right_password(api, settings):
    user = api.user()
    for _ in range(settings.login_pair_free_failures):
        assert api.login(user.email, "wrong password!!").status_code == 401
    r = api.login(user.email)
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    assert "Retry-After" in r.headers


def test_repeated_failures_per_address_give_429_for_accounts_new_to_it(api, settings):
    email = "never-signed-in-here@example.com"
    created = api.client.post("/api/v1/users", headers=api.admin.headers,
                              json={"email": email, "name": "N", "password": PASSWORD})
    assert created.status_code == 201
    for i in range(settings.login_max_failures_per_address):
        api.login(f"guess{i}@example.com", "wrong password!!")
    assert api.login(email).status_code == 429


def test_a_successful_login_clears_the_pair_counter(api, settings):
    user = api.user()
    for _ in range(settings.login_pair_free_failures - 1):
        api.login(user.email, "wrong password!!")
    assert api.login(user.email).status_code == 200
    for _ in range(settings.login_pair_free_failures - 1):
        api.login(user.email, "wrong password!!")
    assert api.login(user.email).status_code == 200


def _enable_totp(api, user):
    setup = api.client.post("/api/v1/me/totp", headers=user.headers,
                            json={"password": PASSWORD})
    assert setup.status_code == 200
    secret = setup.json()["secret"]
    assert setup.json()["otpauth_uri"].startswith("otpauth://totp/")
    totp = pyotp.TOTP(secret)
    bad = api.client.post("/api/v1/me/totp/confirm", headers=user.headers, json={"code": "000000"
                          if totp.now() != "000000" else "111111"})
    assert bad.status_code == 422
    ok = api.client.post("/api/v1/me/totp/confirm", headers=user.headers,
                         json={"code": totp.now()})
    assert ok.status_code == 200
    return totp


def test_totp_second_factor_is_required_and_cannot_be_replayed(api):
    user = api.user()
    totp = _enable_totp(api, user)
    # The confirming code's step is spent: move the server clock to the next step.
    later = datetime.now(UTC) + timedelta(seconds=30)
    api.app.state.services.clock = lambda: later
    assert api.login(user.email).status_code == 401
    code = totp.at(later)
    assert api.login(user.email, otp=code).status_code == 200
    replay = api.login(user.email, otp=code)
    assert replay.status_code == 401 and replay.json()["code"] == "invalid_credentials"
    # The code of an earlier, already passed step is refused too.
    assert api.login(user.email, otp=totp.at(later - timedelta(seconds=30))).status_code == 401


def test_enabling_a_factor_ends_the_tokens_that_asked_for_it(api):
    user = api.user()
    _enable_totp(api, user)
    r = api.client.post("/api/v1/me/totp", headers=user.headers, json={"password": PASSWORD})
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"


@pytest.mark.parametrize("header", [
    "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
    "Bearer not-a-token",
    "Basic dXNlcjpwYXNz",
])
def test_bad_bearer_tokens_are_401(api, header):
    r = api.client.get("/api/v1/me", headers={"Authorization": header})
    assert r.status_code == 401


def test_users_endpoint_is_for_platform_admins(api):
    user = api.user()
    body = {"email": "new@example.com", "name": "New", "password": PASSWORD}
    assert api.client.post("/api/v1/users", json=body).status_code == 401
    r = api.client.post("/api/v1/users", headers=user.headers, json=body)
    assert r.status_code == 403 and r.json()["code"] == "not_platform_admin"
    ok = api.client.post("/api/v1/users", headers=api.admin.headers, json=body)
    assert ok.status_code == 201 and set(ok.json()) == {"id", "email", "name"}
    dup = api.client.post("/api/v1/users", headers=api.admin.headers,
                          json={**body, "email": "NEW@example.com"})
    assert dup.status_code == 409 and dup.json()["code"] == "email_taken"


def test_users_list_is_paginated_and_bounded(api):
    api.user()
    api.user()
    r = api.client.get("/api/v1/users?limit=2", headers=api.admin.headers)
    assert r.status_code == 200 and len(r.json()) == 2
    assert api.client.get("/api/v1/users?limit=201",
                          headers=api.admin.headers).status_code == 422


def test_mass_assignment_on_user_create_is_422_and_changes_nothing(api):
    body = {"email": "mass@example.com", "name": "M", "password": PASSWORD,
            "is_platform_admin": True}
    r = api.client.post("/api/v1/users", headers=api.admin.headers, json=body)
    assert r.status_code == 422
    assert api.login("mass@example.com").status_code == 401
