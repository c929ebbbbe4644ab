"""An account the platform admin creates must replace its password at first sign-in:
sign-in works, but until the change every call but the change itself (and ``GET /me``,
sign-out) answers 403 ``password_change_required``. An account made by accepting an
invitation chose its own password and is not held."""

from __future__ import annotations

from tests.api.offers.conftest import events_named
from tests.api.seats.conftest import invite, token_for
from tests.factories import PASSWORD

OWN_PASSWORD = "my very own unguessable phrase"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _created_by_admin(api, email: str = "given@example.com") -> dict:  # noqa: ANN001
    r = api.client.post("/api/v1/users", headers=api.admin.headers,
                        json={"email": email, "name": "Given", "password": PASSWORD})
    assert r.status_code == 201, r.text
    return r.json()


def test_an_admin_made_account_may_do_nothing_before_choosing_its_password(api):
    made = _created_by_admin(api)
    signed = api.login("given@example.com")
    assert signed.status_code == 200, signed.text
    assert signed.json()["password_change_required"] is True
    me = _bearer(signed.json()["access_token"])
    for method, path, body in [
        ("GET", "/api/v1/cases", None),
        ("POST", "/api/v1/cases", {"caption": "X v. Y", "court": "N.D. Cal.",
                                   "court_state": "CA", "docket_number": "1:26-cv-1"}),
        ("GET", "/api/v1/notifications", None),
        ("POST", "/api/v1/me/totp", {"password": PASSWORD}),
        ("GET", "/api/v1/me/invitations", None),
    ]:
        r = api.client.request(method, path, headers=me, json=body)
        assert r.status_code == 403, (path, r.status_code, r.text)
        assert r.json()["code"] == "password_change_required", path
    refused = events_named(api.app, "auth.password_change_required", "denied")
    assert len(refused) == 5 and {str(e.object_id) for e in refused} == {made["id"]}
    # What it may do: read who it is (and that it must change), change the password.
    shown = api.client.get("/api/v1/me", headers=me)
    assert shown.status_code == 200 and shown.json()["must_change_password"] is True
    same = api.client.post("/api/v1/me/password", headers=me,
                           json={"current_password": PASSWORD, "new_password": PASSWORD})
    assert same.status_code == 422 and same.json()["code"] == "password_unchanged"
    changed = api.client.post("/api/v1/me/password", headers=me,
                              json={"current_password": PASSWORD, "new_password": OWN_PASSWORD})
    assert changed.status_code == 204, changed.text
    # The change ended the session that made it, as every password change does.
    assert api.client.get("/api/v1/me", headers=me).status_code == 401
    again = api.login("given@example.com", OWN_PASSWORD)
    assert again.status_code == 200 and again.json()["password_change_required"] is False
    fresh = _bearer(again.json()["access_token"])
    assert api.client.get("/api/v1/cases", headers=fresh).status_code == 200
    assert api.client.get("/api/v1/me", headers=fresh).json()["must_change_password"] is False
    assert api.login("given@example.com").status_code == 401  # the given one is gone


def test_sign_out_works_before_the_change(api):
    _created_by_admin(api)
    signed = api.login("given@example.com").json()
    out = api.client.post("/api/v1/auth/logout", headers=_bearer(signed["access_token"]))
    assert out.status_code == 204
    assert api.client.get("/api/v1/me",
                          headers=_bearer(signed["access_token"])).status_code == 401


def test_a_platform_admin_route_is_closed_too(api):
    """A second platform admin made through the CLI is held like anyone else; here an
    admin-made account is refused on an admin-only route with the same code, not 403
    ``not_platform_admin`` (the password check comes first)."""
    _created_by_admin(api)
    me = _bearer(api.login("given@example.com").json()["access_token"])
    r = api.client.get("/api/v1/users", headers=me)
    assert r.status_code == 403 and r.json()["code"] == "password_change_required"


def test_an_account_made_by_accepting_an_invitation_is_not_held(api):
    room = api.room()
    invite(api, room, "plaintiff_counsel", "invited@example.com", "client", "plaintiff")
    token = token_for(api.app, "invited@example.com")
    accepted = api.client.post(f"/api/v1/invitations/{token}/accept",
                               json={"name": "Invited Client", "password": OWN_PASSWORD})
    assert accepted.status_code == 200, accepted.text
    signed = api.login("invited@example.com", OWN_PASSWORD)
    assert signed.status_code == 200 and signed.json()["password_change_required"] is False
    me = _bearer(signed.json()["access_token"])
    assert api.client.get(f"/api/v1/cases/{room.id}", headers=me).status_code == 200
