"""Onboarding pages through a TestClient: the sign-in page without developer hints, the
first sign-in's password change, password reset by e-mail link, and "My invitations"."""

from __future__ import annotations

import re

from tests.api.seats.conftest import invite, mails
from tests.factories import PASSWORD
from tests.web.helpers import csrf_of, page_csrf, sign_in, sign_in_as

OWN_PASSWORD = "a phrase nobody else chose"
RESET_LINK = re.compile(r"/password-reset/([A-Za-z0-9_-]{43})")


def test_the_sign_in_page_gives_no_developer_instructions(client):
    page = client.get("/signin")
    assert page.status_code == 200
    for hint in ("make run", "SETTLEROOM_", "bootstrap", "admin-password", "<code>"):
        assert hint not in page.text, hint
    assert '<a href="/password-reset">Forgot password?</a>' in page.text


def test_an_admin_made_account_is_sent_to_the_change_form_first(api, client):
    r = api.client.post("/api/v1/users", headers=api.admin.headers,
                        json={"email": "given-web@example.com", "name": "Given",
                              "password": PASSWORD})
    assert r.status_code == 201
    signed = sign_in(client, "given-web@example.com")
    assert signed.status_code == 303
    for path in ("/", "/notifications", "/my-invitations", "/account", "/deadlines"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/account/new-password", path
    form = client.get("/account/new-password")
    assert form.status_code == 200 and "Choose your own password" in form.text
    token = csrf_of(form.text)
    same = client.post("/account/new-password", data={
        "csrf_token": token, "current_password": PASSWORD, "new_password": PASSWORD})
    assert same.status_code == 422 and "must differ" in same.text
    done = client.post("/account/new-password", follow_redirects=False, data={
        "csrf_token": token, "current_password": PASSWORD, "new_password": OWN_PASSWORD})
    assert done.status_code == 303 and done.headers["location"].startswith("/?notice=")
    # This browser stays signed in; the rest of the app is open now.
    assert client.get("/").status_code == 200
    assert client.get("/account/new-password", follow_redirects=False).status_code == 303


def test_an_admin_made_account_may_sign_out_before_the_change(api, client):
    api.client.post("/api/v1/users", headers=api.admin.headers,
                    json={"email": "leaving@example.com", "name": "L", "password": PASSWORD})
    sign_in(client, "leaving@example.com")
    token = csrf_of(client.get("/account/new-password").text)
    out = client.post("/signout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"].startswith("/signin")
    assert client.get("/", follow_redirects=False).headers["location"].startswith("/signin")


def test_password_reset_through_the_pages(api, client, web_app):
    user = api.user("forgetful")
    form = client.get("/password-reset")
    assert form.status_code == 200
    known = client.post("/password-reset", data={"email": user.email,
                                                 "csrf_token": csrf_of(form.text)})
    form = client.get("/password-reset")
    unknown = client.post("/password-reset", data={"email": "no-such@example.com",
                                                   "csrf_token": csrf_of(form.text)})
    assert known.status_code == unknown.status_code == 200
    assert known.text == unknown.text and "Check your mail" in known.text
    stale = client.post("/password-reset", data={"email": user.email, "csrf_token": "x"})
    assert stale.status_code == 403
    [text] = [m.get_body(("plain",)).get_content() for m in mails(web_app)
              if m["To"] == user.email]
    token = RESET_LINK.search(text).group(1)  # type: ignore[union-attr]
    page = client.get(f"/password-reset/{token}")
    assert page.status_code == 200 and "Choose a new password" in page.text
    done = client.post(f"/password-reset/{token}", follow_redirects=False, data={
        "password": OWN_PASSWORD, "csrf_token": csrf_of(page.text)})
    assert done.status_code == 303
    assert done.headers["location"] == "/signin?notice=password_reset_done"
    assert "Your new password is set" in client.get(done.headers["location"]).text
    assert sign_in(client, user.email, OWN_PASSWORD).status_code == 303
    used = client.get(f"/password-reset/{token}")
    assert used.status_code == 409 and "already used" in used.text


def test_my_invitations_page_lists_and_answers(api, client, room):
    invitee = api.user("invitee")
    first = invite(api, room, "plaintiff_counsel", invitee.email, "client", "plaintiff")
    second = invite(api, room, "room_admin", invitee.email, "auditor")
    assert first.status_code == second.status_code == 202
    sign_in_as(client, invitee)
    page = client.get("/my-invitations")
    assert page.status_code == 200
    assert "Doe v. Acme Corp." in page.text and "client for Jane Doe" in page.text
    assert "Plaintiff-Counsel" in page.text and ">auditor<" in page.text
    token = page_csrf(client, "/my-invitations")
    accepted = client.post(f"/my-invitations/{first.json()['id']}/accept",
                           data={"csrf_token": token}, follow_redirects=False)
    assert accepted.status_code == 303
    assert accepted.headers["location"].startswith(f"/cases/{room.id}")
    declined = client.post(f"/my-invitations/{second.json()['id']}/decline",
                           data={"csrf_token": token}, follow_redirects=False)
    assert declined.status_code == 303
    after = client.get("/my-invitations")
    assert "No invitation is waiting for you." in after.text
    members = client.get(f"/cases/{room.id}/members").text
    assert members.count(invitee.email) == 1  # one seat: the client's
