"""Browser sessions without a browser: cookie flags, CSRF, CSP, time-outs, sign-out."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.auth import web_sessions as web_session
from app.models.base import utcnow
from tests.factories import PASSWORD
from tests.testclient import TestClient
from tests.web.helpers import csrf_of, page_csrf, sign_in

COOKIE = "settleroom_session"


@pytest.fixture
def app(web_app):  # noqa: ANN001, ANN201
    """The module's app; a test that moves the clock gets it back afterwards."""
    clock = web_app.state.services.clock
    yield web_app
    web_app.state.services.clock = clock


@pytest.fixture
def client(app):  # noqa: ANN001, ANN201
    with TestClient(app) as c:
        yield c


@pytest.fixture
def api(web_api):  # noqa: ANN001, ANN201
    return web_api


@pytest.fixture
def user(api):  # noqa: ANN001, ANN201
    return api.user("browser")


def test_signin_sets_an_httponly_strict_cookie(client, user):
    r = sign_in(client, user.email)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith(COOKIE + "="))
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=strict" in lowered and "path=/" in lowered
    assert "secure" not in lowered  # dev: plain http; outside dev the cookie is Secure


def test_cookie_is_secure_and_host_prefixed_outside_dev(app):
    prod = app.state.settings.model_copy(update={"env": "prod"})
    assert web_session.cookie_name(prod) == "__Host-settleroom"
    from fastapi import Response
    response = Response()
    web_session.set_cookie(response, prod, "token")
    header = response.headers["set-cookie"].lower()
    assert "secure" in header and "httponly" in header and "samesite=strict" in header


def test_wrong_password_shows_the_form_again_with_the_rule(client, user):
    r = sign_in(client, user.email, "not the password at all")
    assert r.status_code == 401
    assert "not correct" in r.text and "second-factor code" in r.text
    assert COOKIE not in r.headers.get("set-cookie", "").split("=")[0]


def test_signin_without_its_form_token_is_refused(client, user):
    r = client.post("/signin", data={"email": user.email, "password": PASSWORD},
                    follow_redirects=False)
    assert r.status_code == 403 and "expired" in r.text


def test_signin_needs_the_second_factor_when_enabled(api, client, user):
    import pyotp
    secret = client.post("/api/v1/me/totp", headers=user.headers,
                         json={"password": PASSWORD}).json()["secret"]
    code = pyotp.TOTP(secret).now()
    assert client.post("/api/v1/me/totp/confirm", headers=user.headers,
                       json={"code": code}).status_code == 200
    assert sign_in(client, user.email).status_code == 401
    r = sign_in(client, user.email, otp=pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30)))
    assert r.status_code == 303


def test_pages_need_a_session(client):
    r = client.get("/account", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin?next=%2Faccount"


def test_post_without_or_with_a_wrong_csrf_token_is_refused(client, user):
    sign_in(client, user.email)
    for data in ({}, {"csrf_token": "0" * 64}):
        r = client.post("/cases", data={"caption": "X v. Y", "court": "D. Mass.",
                                        "court_state": "MA", "docket_number": "1", **data})
        assert r.status_code == 403
        assert "security token" in r.text and "another site" in r.text
    assert "X v. Y" not in client.get("/").text


def test_csrf_token_is_bound_to_the_session(api, client, user):
    sign_in(client, user.email)
    token = page_csrf(client)
    client.cookies.clear()
    sign_in(client, api.user("other").email)
    r = client.post("/signout-everywhere", data={"csrf_token": token})
    assert r.status_code == 403


def test_pages_carry_a_strict_csp_and_the_security_headers(client, user):
    for r in (client.get("/signin"), (sign_in(client, user.email), client.get("/"))[1]):
        csp = r.headers["content-security-policy"]
        for part in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                     "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"):
            assert part in csp
        assert "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["cache-control"] == "no-store"
        assert "<script>" not in r.text and " style=" not in r.text
    api_response = client.get("/healthz")
    assert "content-security-policy" not in api_response.headers


def _move_clock(app, delta):
    start = utcnow()
    app.state.services.clock = lambda: start + delta


def test_idle_timeout(app, client, user):
    sign_in(client, user.email)
    assert client.get("/account").status_code == 200
    _move_clock(app, web_session.IDLE_TIMEOUT - timedelta(minutes=1))
    assert client.get("/account").status_code == 200  # activity moves the idle clock
    _move_clock(app, 2 * web_session.IDLE_TIMEOUT - timedelta(minutes=3))
    assert client.get("/account").status_code == 200
    _move_clock(app, 3 * web_session.IDLE_TIMEOUT)
    r = client.get("/account", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")


def test_absolute_timeout_despite_activity(app, client, user):
    sign_in(client, user.email)
    step = web_session.IDLE_TIMEOUT - timedelta(minutes=5)
    elapsed = timedelta(0)
    while elapsed + step < web_session.ABSOLUTE_TIMEOUT:
        elapsed += step
        _move_clock(app, elapsed)
        assert client.get("/account", follow_redirects=False).status_code == 200
    _move_clock(app, web_session.ABSOLUTE_TIMEOUT + timedelta(seconds=1))
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_signout_ends_only_this_session(app, client, user):
    sign_in(client, user.email)
    with TestClient(app) as other:
        sign_in(other, user.email)
        r = client.post("/signout", data={"csrf_token": page_csrf(client)},
                        follow_redirects=False)
        assert r.headers["location"] == "/signin?notice=signed_out"
        assert client.get("/account", follow_redirects=False).status_code == 303
        assert other.get("/account").status_code == 200


def test_signout_everywhere_ends_every_session_and_every_api_token(app, client, user):
    sign_in(client, user.email)
    with TestClient(app) as other:
        sign_in(other, user.email)
        assert client.get("/api/v1/me", headers=user.headers).status_code == 200
        r = client.post("/signout-everywhere", data={"csrf_token": page_csrf(client)},
                        follow_redirects=False)
        assert r.status_code == 303
        assert client.get("/account", follow_redirects=False).status_code == 303
        assert other.get("/account", follow_redirects=False).status_code == 303
        assert client.get("/api/v1/me", headers=user.headers).status_code == 401
        refreshed = client.post("/api/v1/auth/refresh",
                                json={"refresh_token": user.refresh_token})
        assert refreshed.status_code == 401


def test_cookie_does_not_authenticate_the_api(client, user):
    sign_in(client, user.email)
    assert client.get("/api/v1/me").status_code == 401


def test_open_redirect_after_signin_is_refused(client, user):
    page = client.get("/signin?next=//evil.example/")
    r = client.post("/signin", data={"email": user.email, "password": PASSWORD,
                                     "csrf_token": csrf_of(page.text),
                                     "next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/"


# One session model: whatever ends every session through the API ends browser sessions too.

def _api_pair(client, user):  # noqa: ANN001, ANN202
    r = client.post("/api/v1/auth/token", data={"username": user.email, "password": PASSWORD})
    assert r.status_code == 200
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_api_logout_ends_every_browser_session(app, client, api):
    user = api.user("logout")
    sign_in(client, user.email)
    assert client.get("/account").status_code == 200
    headers = _api_pair(client, user)
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_api_password_change_ends_every_browser_session(app, client, api):
    user = api.user("pwchange")
    sign_in(client, user.email)
    headers = _api_pair(client, user)
    r = client.post("/api/v1/me/password", headers=headers,
                    json={"current_password": PASSWORD, "new_password": "an entirely new phrase"})
    assert r.status_code == 204
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_page_password_change_keeps_this_browser_only(app, client, api):
    user = api.user("pwpage")
    sign_in(client, user.email)
    headers = _api_pair(client, user)
    with TestClient(app) as other:
        sign_in(other, user.email)
        r = client.post("/account/password", data={
            "csrf_token": page_csrf(client), "current_password": PASSWORD,
            "new_password": "an entirely new phrase"}, follow_redirects=False)
        assert r.status_code == 303
        assert client.get("/account").status_code == 200
        assert other.get("/account", follow_redirects=False).status_code == 303
        assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_page_refuses_a_common_password_with_its_rule(client, api):
    user = api.user("pwcommon")
    sign_in(client, user.email)
    r = client.post("/account/password", data={
        "csrf_token": page_csrf(client), "current_password": PASSWORD,
        "new_password": "Password1234"})
    assert r.status_code == 422 and "too common" in r.text


def test_factor_set_up_and_removal_through_the_pages(app, client, api):
    import pyotp
    user = api.user("factor")
    sign_in(client, user.email)
    no_password = client.post("/account/totp", data={"csrf_token": page_csrf(client),
                                                     "password": "a guess at it"})
    assert no_password.status_code == 422
    page = client.post("/account/totp", data={"csrf_token": page_csrf(client),
                                              "password": PASSWORD})
    assert page.status_code == 200
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page.text).group(1)
    totp = pyotp.TOTP(secret)
    with TestClient(app) as other:
        sign_in(other, user.email)
        shown = client.post("/account/totp/confirm", data={"csrf_token": page_csrf(client),
                                                           "code": totp.now()})
        assert shown.status_code == 200
        codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", shown.text)
        assert len(codes) == 10
        # Shown once: the account page never shows them again.
        assert codes[0] not in client.get("/account").text
        assert other.get("/account", follow_redirects=False).status_code == 303
        sign_in(other, user.email, otp=codes[0])
        assert other.get("/account").status_code == 200
        removed = client.post("/account/totp/remove", data={
            "csrf_token": page_csrf(client), "password": PASSWORD, "code": codes[1]},
            follow_redirects=False)
        assert removed.status_code == 303
        assert client.get("/account").status_code == 200
        assert other.get("/account", follow_redirects=False).status_code == 303
