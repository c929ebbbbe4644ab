""""My invitations" through HTTP: an account sees the pending invitations to its own
address, in words, and answers them without the link; nobody else can."""

from __future__ import annotations

from tests.api.seats.conftest import Clock, events_named, invite


def _mine(api, user) -> list[dict]:  # noqa: ANN001
    r = api.client.get("/api/v1/me/invitations", headers=user.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _seats(api, room, user_id: str) -> list[dict]:  # noqa: ANN001
    members = api.client.get(f"/api/v1/cases/{room.id}/members",
                             headers=room.users["auditor"].headers).json()
    return [m for m in members if m["user_id"] == user_id]


def test_an_account_sees_its_pending_invitations_in_words(api):
    room = api.room()
    outsider = room.users["outsider"]
    r = invite(api, room, "plaintiff_counsel", outsider.email.upper(), "client", "plaintiff")
    invite(api, room, "plaintiff_counsel", "someone-else@example.com", "client", "plaintiff")
    [shown] = _mine(api, outsider)
    assert shown["id"] == r.json()["id"] and shown["case_id"] == room.id
    assert shown["case_caption"] == "Doe v. Acme Corp."
    assert (shown["role"], shown["role_words"], shown["party_name"]) == (
        "client", "client", "Jane Doe")
    assert shown["inviter_name"] == "Plaintiff-Counsel" and shown["expires_at"]
    assert _mine(api, room.users["auditor"]) == []
    assert api.client.get("/api/v1/me/invitations").status_code == 401


def test_accepting_from_the_list_seats_the_account_and_only_it(api):
    room = api.room()
    outsider = room.users["outsider"]
    invitation = invite(api, room, "room_admin", outsider.email, "auditor").json()["id"]
    other = api.client.post(f"/api/v1/me/invitations/{invitation}/accept",
                            headers=room.users["neutral"].headers)
    assert other.status_code == 404 and other.json()["code"] == "invitation_not_found"
    assert len(events_named(api.app, "invitation.accept", "denied")) == 1
    ok = api.client.post(f"/api/v1/me/invitations/{invitation}/accept",
                         headers=outsider.headers)
    assert ok.status_code == 200, ok.text
    assert [s["role"] for s in _seats(api, room, outsider.id)] == ["auditor"]
    assert _mine(api, outsider) == []
    again = api.client.post(f"/api/v1/me/invitations/{invitation}/accept",
                            headers=outsider.headers)
    assert again.status_code == 409 and again.json()["code"] == "invitation_not_pending"


def test_the_seat_rules_hold_on_the_list_too(api):
    """Plaintiff's counsel invited to sit as defendant's client: adverse, refused at
    acceptance as with the link."""
    room = api.room()
    counsel = room.users["plaintiff_counsel"]
    invitation = invite(api, room, "defense_counsel", counsel.email, "client",
                        "defendant").json()["id"]
    r = api.client.post(f"/api/v1/me/invitations/{invitation}/accept", headers=counsel.headers)
    assert r.status_code == 403 and r.json()["code"] == "adverse_party_conflict"
    assert {s["role"] for s in _seats(api, room, counsel.id)} == {"counsel"}


def test_declining_from_the_list_leaves_nothing(api):
    room = api.room()
    outsider = room.users["outsider"]
    invitation = invite(api, room, "plaintiff_counsel", outsider.email, "client",
                        "plaintiff").json()["id"]
    stranger = api.client.post(f"/api/v1/me/invitations/{invitation}/decline",
                               headers=room.users["auditor"].headers)
    assert stranger.status_code == 404
    r = api.client.post(f"/api/v1/me/invitations/{invitation}/decline",
                        headers=outsider.headers)
    assert r.status_code == 200 and r.json() == {"status": "declined"}
    assert _mine(api, outsider) == [] and _seats(api, room, outsider.id) == []
    [declined] = events_named(api.app, "invitation.decline")
    assert str(declined.actor_user_id) == outsider.id


def test_expired_invitations_are_not_listed(api, clock: Clock):
    room = api.room()
    outsider = room.users["outsider"]
    invite(api, room, "plaintiff_counsel", outsider.email, "client", "plaintiff")
    clock.advance(days=15)
    assert _mine(api, outsider) == []
