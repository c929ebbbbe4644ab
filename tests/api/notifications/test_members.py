"""A party's team changes: everyone else who sits for that party (counsel, pro se party,
clients) is told, by mail and in the inbox; the member concerned, the one who acted, the
other parties and the party-less seats are not."""

from __future__ import annotations

import re

import pytest

from tests.factories import Api, Room
from tests.mailserver import Inbox

ADDED = "A member joined your party in the room"
REMOVED = "A member of your party left or was removed from the room"
LINK = re.compile(r"/invitations/([A-Za-z0-9_-]{43})")


@pytest.fixture
def room(api: Api) -> Room:
    return api.room()


def _told(app, room: Room, inbox: Inbox) -> dict[str, list[str]]:  # noqa: ANN001
    """Who got which headline since the last call (the invitation mail aside)."""
    app.state.mailer.drain()
    labels = {u.email: label for label, u in room.users.items()}
    told: dict[str, list[str]] = {}
    for mail in inbox.received:
        subject = " ".join(str(mail.message["Subject"]).split()).split(" in Doe v.")[0]
        for address in mail.to:
            told.setdefault(labels.get(address, address), []).append(subject)
    inbox.received.clear()
    return told


def _members(api: Api, room: Room) -> list[dict]:
    return api.client.get(f"/api/v1/cases/{room.id}/members",
                          headers=room.admin.headers).json()


def test_an_accepted_invitation_tells_the_partys_other_members_only(api, app, room, inbox):
    newcomer = room.users["outsider"]
    r = api.client.post(f"/api/v1/cases/{room.id}/invitations",
                        headers=room.users["plaintiff_counsel"].headers,
                        json={"email": newcomer.email, "role": "client",
                              "party_id": room.parties["plaintiff"]})
    assert r.status_code == 202, r.text
    app.state.mailer.drain()
    [invitation] = inbox.to(newcomer.email)
    token = LINK.search(invitation.text).group(1)  # type: ignore[union-attr]
    inbox.received.clear()
    r = api.client.post(f"/api/v1/invitations/{token}/accept", headers=newcomer.headers)
    assert r.status_code == 200, r.text
    # The inviting counsel and the party's other client; not the newcomer, who accepted,
    # and nobody of the defendants, the neutral, the auditor or the room admin.
    assert _told(app, room, inbox) == {"plaintiff_counsel": [ADDED],
                                       "plaintiff_client": [ADDED]}
    # The newcomer's removal by counsel tells the party's other client (counsel acted).
    r = api.client.delete(f"/api/v1/cases/{room.id}/members/{r.json()['id']}",
                          headers=room.users["plaintiff_counsel"].headers)
    assert r.status_code == 204, r.text
    assert _told(app, room, inbox) == {"plaintiff_client": [REMOVED]}


def test_a_direct_seat_and_a_removal_reach_the_partys_team(api, app, room, inbox):
    co_counsel = api.user("co-counsel")
    room.users["co_counsel"] = co_counsel
    api.member(room.id, None, co_counsel, "counsel", room.parties["defendant"])
    assert _told(app, room, inbox) == {
        "co_counsel": ["You were given a seat in a settlement room"],
        "defense_counsel": [ADDED], "defense_client": [ADDED]}
    client_seat = next(m["id"] for m in _members(api, room) if m["role"] == "client"
                       and m["party_id"] == room.parties["defendant"])
    r = api.client.delete(f"/api/v1/cases/{room.id}/members/{client_seat}",
                          headers=room.users["defense_counsel"].headers)
    assert r.status_code == 204, r.text
    assert _told(app, room, inbox) == {"co_counsel": [REMOVED]}
    # A party-less seat changes nobody's party: nobody is told.
    api.member(room.id, None, api.user("second-auditor"), "auditor")
    told = _told(app, room, inbox)
    assert list(told.values()) == [["You were given a seat in a settlement room"]]
    inbox_kinds = [n["kind"] for n in api.client.get(
        "/api/v1/notifications", headers=room.users["plaintiff_counsel"].headers).json()]
    assert "member.added" not in inbox_kinds and "member.removed" not in inbox_kinds
