"""Invitations through HTTP: the inviter's answer never tells whether an account exists,
the token is single-use, expiring, bound to the address and stored only as a hash, and no
seat exists before acceptance."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from app.db import transaction
from app.models.notifications import AddressMail
from app.models.seats import Invitation
from tests.api.seats.conftest import audit_events, events_named, invite, mails, token_for
from tests.template import PASSWORD

NEW_PASSWORD = "a new and rather long passphrase"


def _seats(api, room, user_id: str) -> list[dict]:  # noqa: ANN001
    members = api.client.get(f"/api/v1/cases/{room.id}/members",
                             headers=room.users["auditor"].headers).json()
    return [m for m in members if m["user_id"] == user_id]


def test_the_answer_is_the_same_for_known_and_unknown_addresses(api):
    room = api.room()
    known = invite(api, room, "plaintiff_counsel", room.users["outsider"].email, "client",
                   "plaintiff")
    unknown = invite(api, room, "plaintiff_counsel", "nobody-yet@example.com", "client",
                     "plaintiff")
    assert known.status_code == unknown.status_code == 202
    assert set(known.json()) == set(unknown.json()) == {"id", "status"}
    assert known.json()["status"] == unknown.json()["status"] == "pending"
    assert known.headers.keys() == unknown.headers.keys()
    # Nothing is seated before acceptance.
    assert _seats(api, room, room.users["outsider"].id) == []
    # The audit log has ids, the role and the party, never the address.
    for event in events_named(api.app, "invitation.create"):
        assert "example.com" not in str(event.details)
        assert set(event.details) == {"role", "party_id", "invitation_id"}


def test_the_mail_carries_the_only_copy_of_the_token(api):
    room = api.room()
    r = invite(api, room, "plaintiff_counsel", "new-client@example.com", "client", "plaintiff")
    with transaction(api.app.state.sessionmaker) as session:
        letter = session.execute(select(AddressMail)).scalar_one()
        assert letter.token_nonce is not None and "{token}" in letter.link
    token = token_for(api.app, "new-client@example.com")
    with transaction(api.app.state.sessionmaker) as session:
        row = session.get(Invitation, uuid.UUID(r.json()["id"]))
        assert row is not None and token.encode() not in row.token_hash
        letter = session.execute(select(AddressMail)).scalar_one()
        # Sent: the nonce is gone, nothing can derive the token again.
        assert letter.token_nonce is None and token not in letter.link
    mail = mails(api.app)[-1]
    text = mail.get_body(("plain",)).get_content()
    assert "Doe v. Acme Corp." in mail["Subject"] and "expires" in text
    assert PASSWORD not in text


def test_a_new_user_accepts_with_their_own_password(api):
    room = api.room()
    invite(api, room, "plaintiff_counsel", "New-Client@Example.com", "client", "plaintiff")
    token = token_for(api.app, "new-client@example.com")
    shown = api.client.get(f"/api/v1/invitations/{token}")
    assert shown.status_code == 200, shown.text
    view = shown.json()
    assert view["case_caption"] == "Doe v. Acme Corp." and view["party_name"] == "Jane Doe"
    assert view["role_words"] == "client" and view["has_account"] is False
    assert view["inviter_name"] == "Plaintiff-Counsel" and view["status"] == "pending"
    accepted = api.client.post(f"/api/v1/invitations/{token}/accept",
                               json={"name": "New Client", "password": NEW_PASSWORD})
    assert accepted.status_code == 200, accepted.text
    seat = accepted.json()
    assert seat["role"] == "client" and seat["party_id"] == room.parties["plaintiff"]
    signed_in = api.login("new-client@example.com", NEW_PASSWORD)
    assert signed_in.status_code == 200
    me = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    assert api.client.get(f"/api/v1/cases/{room.id}", headers=me).status_code == 200
    # Single use: a replay is refused, and audited.
    again = api.client.post(f"/api/v1/invitations/{token}/accept",
                            json={"name": "X", "password": NEW_PASSWORD})
    assert again.status_code == 409 and again.json()["code"] == "invitation_not_pending"
    assert len(events_named(api.app, "invitation.accept")) == 1
    assert len(events_named(api.app, "invitation.accept", "denied")) == 1
    assert [e.details["via"] for e in events_named(api.app, "member.add")
            if e.object_id == seat["id"]] == ["invitation"]


def test_an_existing_account_accepts_only_signed_in_as_that_address(api):
    room = api.room()
    outsider = room.users["outsider"]
    invite(api, room, "plaintiff_counsel", outsider.email, "client", "plaintiff")
    token = token_for(api.app, outsider.email)
    assert api.client.get(f"/api/v1/invitations/{token}").json()["has_account"] is True
    anonymous = api.client.post(f"/api/v1/invitations/{token}/accept",
                                json={"name": "Intruder", "password": NEW_PASSWORD})
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "sign_in_required"
    other = api.client.post(f"/api/v1/invitations/{token}/accept",
                            headers=room.users["auditor"].headers)
    assert other.status_code == 403 and other.json()["code"] == "invitation_email_mismatch"
    assert _seats(api, room, outsider.id) == []
    ok = api.client.post(f"/api/v1/invitations/{token}/accept", headers=outsider.headers)
    assert ok.status_code == 200, ok.text
    assert [s["role"] for s in _seats(api, room, outsider.id)] == ["client"]


def test_declining_leaves_nothing_and_ends_the_link(api):
    room = api.room()
    outsider = room.users["outsider"]
    invite(api, room, "plaintiff_counsel", outsider.email, "client", "plaintiff")
    token = token_for(api.app, outsider.email)
    declined = api.client.post(f"/api/v1/invitations/{token}/decline")
    assert declined.status_code == 200 and declined.json() == {"status": "declined"}
    late = api.client.post(f"/api/v1/invitations/{token}/accept", headers=outsider.headers)
    assert late.status_code == 409 and late.json()["code"] == "invitation_not_pending"
    assert _seats(api, room, outsider.id) == []
    assert api.client.get("/api/v1/cases", headers=outsider.headers).json() == []
    decline_events = events_named(api.app, "invitation.decline")
    assert len(decline_events) == 1 and str(decline_events[0].case_id) == room.id


def test_tokens_expire_and_unknown_tokens_are_refused(api, clock):
    room = api.room()
    invite(api, room, "plaintiff_counsel", "late@example.com", "client", "plaintiff")
    token = token_for(api.app, "late@example.com")
    clock.advance(days=14, seconds=1)
    expired = api.client.post(f"/api/v1/invitations/{token}/accept",
                              json={"name": "Late", "password": NEW_PASSWORD})
    assert expired.status_code == 410 and expired.json()["code"] == "invitation_expired"
    assert api.client.get(f"/api/v1/invitations/{token}").json()["status"] == "expired"
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (forged, "x", "a" * 100):
        r = api.client.get(f"/api/v1/invitations/{bad}")
        assert r.status_code == 404 and r.json()["code"] == "invitation_not_found"
        r = api.client.post(f"/api/v1/invitations/{bad}/decline")
        assert r.status_code == 404
    assert api.client.get(f"/api/v1/invitations/{'a' * 101}").status_code == 422


def test_invitations_are_listed_to_whoever_controls_the_seat_and_can_be_withdrawn(api):
    room = api.room()
    made = invite(api, room, "plaintiff_counsel", "c1@example.com", "client", "plaintiff")
    invite(api, room, "room_admin", "aud@example.com", "auditor")
    inv_id = made.json()["id"]

    def listed(by: str) -> set[str]:
        r = api.client.get(f"/api/v1/cases/{room.id}/invitations",
                           headers=room.users[by].headers)
        assert r.status_code == 200
        return {i["email"] for i in r.json()}

    assert listed("plaintiff_counsel") == {"c1@example.com"}
    assert listed("room_admin") == {"aud@example.com"}
    assert listed("defense_counsel") == set()
    assert api.client.get(f"/api/v1/cases/{room.id}/invitations",
                          headers=room.users["outsider"].headers).status_code == 404
    stranger = api.client.delete(f"/api/v1/cases/{room.id}/invitations/{inv_id}",
                                 headers=room.users["defense_counsel"].headers)
    assert stranger.status_code == 404
    gone = api.client.delete(f"/api/v1/cases/{room.id}/invitations/{inv_id}",
                             headers=room.users["plaintiff_counsel"].headers)
    assert gone.status_code == 204
    token = token_for(api.app, "c1@example.com")
    r = api.client.post(f"/api/v1/invitations/{token}/accept",
                        json={"name": "C1", "password": NEW_PASSWORD})
    assert r.status_code == 409 and r.json()["code"] == "invitation_not_pending"


def test_a_destroyed_room_shows_nothing_and_seats_nobody(api):
    room = api.room()
    outsider = room.users["outsider"]
    invite(api, room, "plaintiff_counsel", outsider.email, "client", "plaintiff")
    token = token_for(api.app, outsider.email)
    r = api.client.post(f"/api/v1/cases/{room.id}/destroy", headers=room.admin.headers,
                        json={"confirm_caption": "Doe v. Acme Corp."})
    assert r.status_code == 200, r.text
    assert api.client.get(f"/api/v1/invitations/{token}").status_code == 404
    r = api.client.post(f"/api/v1/invitations/{token}/accept", headers=outsider.headers)
    assert r.status_code == 410
    assert api.client.post(f"/api/v1/invitations/{token}/decline").status_code == 200
    assert api.client.get("/api/v1/cases", headers=outsider.headers).json() == []


def test_no_event_of_the_flow_names_an_address(api):
    room = api.room()
    invite(api, room, "plaintiff_counsel", "trace@example.com", "client", "plaintiff")
    token = token_for(api.app, "trace@example.com")
    api.client.post(f"/api/v1/invitations/{token}/accept",
                    json={"name": "Trace", "password": NEW_PASSWORD})
    for event in audit_events(api.app, room.id):
        assert "trace@example.com" not in str(event.details)
        assert token not in str(event.details)


def test_expiry_is_fourteen_days(api):
    room = api.room()
    r = invite(api, room, "plaintiff_counsel", "days@example.com", "client", "plaintiff")
    with transaction(api.app.state.sessionmaker) as session:
        row = session.get(Invitation, uuid.UUID(r.json()["id"]))
        assert row is not None and row.expires_at - row.created_at == timedelta(days=14)
