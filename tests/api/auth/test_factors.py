"""Second factors: set up, replace and remove only with the password again (and the current
code when one is set); recovery codes shown once, stored hashed, each usable once; a change
of factor ends every session."""

from __future__ import annotations

import pyotp
from sqlalchemy import select

from app.db import transaction
from app.models.users import RecoveryCode
from tests.api.auth.conftest import enable_totp, login
from tests.factories import PASSWORD


def _me(api, user):  # noqa: ANN001, ANN202
    return api.client.get("/api/v1/me", headers=user.headers)


def test_a_stolen_access_token_cannot_enrol_a_factor(api):
    user = api.user()
    no_password = api.client.post("/api/v1/me/totp", headers=user.headers)
    assert no_password.status_code == 422
    wrong = api.client.post("/api/v1/me/totp", headers=user.headers,
                            json={"password": "a guess of the password"})
    assert wrong.status_code == 422 and wrong.json()["code"] == "wrong_password"
    assert _me(api, user).json()["totp_enabled"] is False


def test_reauthentication_is_throttled_like_a_sign_in(api, app):
    user = api.user()
    free = app.state.services.settings.login_pair_free_failures
    for _ in range(free):
        r = api.client.post("/api/v1/me/totp", headers=user.headers,
                            json={"password": "a guess of the password"})
        assert r.status_code == 422
    r = api.client.post("/api/v1/me/totp", headers=user.headers, json={"password": PASSWORD})
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"


def test_enrolment_shows_recovery_codes_once_and_ends_every_session(api, clock):
    user = api.user()
    other = login(api.client, user.email).json()
    setup = api.client.post("/api/v1/me/totp", headers=user.headers, json={"password": PASSWORD})
    assert setup.status_code == 200
    totp = pyotp.TOTP(setup.json()["secret"])
    confirmed = api.client.post("/api/v1/me/totp/confirm", headers=user.headers,
                                json={"code": totp.at(clock.now)})
    assert confirmed.status_code == 200
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    assert _me(api, user).status_code == 401
    assert api.client.post("/api/v1/auth/refresh",
                           json={"refresh_token": other["refresh_token"]}).status_code == 401
    # Stored as keyed hashes only.
    with transaction(api.app.state.sessionmaker) as session:
        stored = session.execute(select(RecoveryCode.code_hash)).scalars().all()
    assert len(stored) == 10
    for code in codes:
        assert all(code.encode() not in h and code.replace("-", "").encode() not in h
                   for h in stored)


def test_a_recovery_code_signs_in_once(api, clock):
    user = api.user()
    enable_totp(api, user, clock)
    code = user.recovery_codes[3]
    assert login(api.client, user.email, otp=code.upper()).status_code == 200
    again = login(api.client, user.email, otp=code)
    assert again.status_code == 401 and again.json()["code"] == "invalid_credentials"
    assert login(api.client, user.email, otp=user.recovery_codes[4]).status_code == 200


def test_replacing_a_factor_needs_the_current_code(api, clock):
    user = api.user()
    old = enable_totp(api, user, clock)
    body = {"password": PASSWORD}
    r = api.client.post("/api/v1/me/totp", headers=user.headers, json=body)
    assert r.status_code == 422 and r.json()["code"] == "invalid_second_factor"
    r = api.client.post("/api/v1/me/totp", headers=user.headers,
                        json={**body, "code": old.at(clock.now)})
    assert r.status_code == 200
    new = pyotp.TOTP(r.json()["secret"])
    # Until the new one is confirmed, the old one stays in force.
    clock.advance(30)
    assert login(api.client, user.email, otp=new.at(clock.now)).status_code == 401
    assert login(api.client, user.email, otp=old.at(clock.now)).status_code == 200
    assert api.client.post("/api/v1/me/totp/confirm", headers=user.headers,
                           json={"code": new.at(clock.now)}).status_code == 200
    clock.advance(30)
    assert login(api.client, user.email, otp=old.at(clock.now)).status_code == 401
    assert login(api.client, user.email, otp=new.at(clock.now)).status_code == 200


def test_removing_a_factor_needs_password_and_code_and_ends_every_session(api, clock):
    user = api.user()
    totp = enable_totp(api, user, clock)
    path = "/api/v1/me/totp/remove"
    no_code = api.client.post(path, headers=user.headers, json={"password": PASSWORD})
    assert no_code.status_code == 422 and no_code.json()["code"] == "invalid_second_factor"
    wrong = api.client.post(path, headers=user.headers,
                            json={"password": "a guess of the password",
                                  "code": totp.at(clock.now)})
    assert wrong.status_code == 422 and wrong.json()["code"] == "wrong_password"
    ok = api.client.post(path, headers=user.headers,
                         json={"password": PASSWORD, "code": user.recovery_codes[0]})
    assert ok.status_code == 204
    assert _me(api, user).status_code == 401
    signed = login(api.client, user.email)
    assert signed.status_code == 200
    headers = {"Authorization": f"Bearer {signed.json()['access_token']}"}
    assert api.client.get("/api/v1/me", headers=headers).json()["totp_enabled"] is False
    # The recovery codes went with the factor.
    with transaction(api.app.state.sessionmaker) as session:
        assert session.execute(select(RecoveryCode)).first() is None


def test_confirming_without_a_set_up_is_409(api):
    user = api.user()
    r = api.client.post("/api/v1/me/totp/confirm", headers=user.headers, json={"code": "123456"})
    assert r.status_code == 409 and r.json()["code"] == "totp_not_pending"
