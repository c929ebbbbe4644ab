"""The abuses of issue 14, refused through HTTP with their codes and audited; and the
platform admin's direct seat, notified and leavable."""

from __future__ import annotations

from tests.api.seats.conftest import events_named, invite, token_for


def _accept(api, token: str, user) -> object:  # noqa: ANN001
    return api.client.post(f"/api/v1/invitations/{token}/accept", headers=user.headers)


def test_the_room_admin_cannot_seat_itself_anywhere(api):
    room = api.room()
    me = room.admin.email
    for role, party in (("client", "defendant"), ("neutral", None), ("counsel", "defendant"),
                        ("auditor", None)):
        r = invite(api, room, "room_admin", me, role, party)
        assert r.status_code == 403 and r.json()["code"] == "self_grant", (role, r.text)
    denied = events_named(api.app, "invitation.create", "denied")
    assert {e.details["reason"] for e in denied} == {"self_grant"}
    assert all("@" not in str(e.details) for e in denied)


def test_a_seated_party_decides_its_own_seats(api):
    room = api.room()
    newcomer = room.users["outsider"].email
    for by, role, party in (("room_admin", "client", "defendant"),
                            ("room_admin", "counsel", "defendant"),
                            ("plaintiff_counsel", "client", "defendant"),
                            ("plaintiff_client", "client", "plaintiff")):
        r = invite(api, room, by, newcomer, role, party)
        assert r.status_code == 403 and r.json()["code"] == "seat_controlled_by_party", (by, role)
    assert invite(api, room, "defense_counsel", newcomer, "client", "defendant").status_code == 202
    assert invite(api, room, "pro_se", newcomer, "client", "defendant2").status_code == 202
    assert invite(api, room, "plaintiff_counsel", newcomer, "auditor").json()["code"] == \
        "role_not_allowed"


def test_the_room_admin_invites_only_the_first_counsel_of_a_party(api):
    room = api.room()
    r = api.client.post(f"/api/v1/cases/{room.id}/parties", headers=room.admin.headers,
                        json={"name": "Intervenor", "side": "defendant", "represented": True})
    room.parties["intervenor"] = r.json()["id"]
    first = api.user("first-counsel")
    assert invite(api, room, "room_admin", first.email, "counsel", "intervenor").status_code \
        == 202
    r = _accept(api, token_for(api.app, first.email), first)
    assert r.status_code == 200, r.text
    again = invite(api, room, "room_admin", "second@example.com", "counsel", "intervenor")
    assert again.status_code == 403 and again.json()["code"] == "seat_controlled_by_party"


def test_a_pending_first_counsel_invitation_loses_its_power_once_the_party_is_seated(api):
    room = api.room()
    r = api.client.post(f"/api/v1/cases/{room.id}/parties", headers=room.admin.headers,
                        json={"name": "Intervenor", "side": "defendant", "represented": True})
    room.parties["intervenor"] = r.json()["id"]
    a, b = api.user("counsel-a"), api.user("counsel-b")
    invite(api, room, "room_admin", a.email, "counsel", "intervenor")
    invite(api, room, "room_admin", b.email, "counsel", "intervenor")
    assert _accept(api, token_for(api.app, a.email), a).status_code == 200
    late = _accept(api, token_for(api.app, b.email), b)
    assert late.status_code == 403 and late.json()["code"] == "seat_controlled_by_party"


def test_one_user_never_sits_for_two_adverse_parties(api):
    room = api.room()
    plaintiff_counsel = room.users["plaintiff_counsel"]
    r = invite(api, room, "defense_counsel", plaintiff_counsel.email, "client", "defendant")
    assert r.status_code == 202  # the inviter learns nothing of the invitee
    refused = _accept(api, token_for(api.app, plaintiff_counsel.email), plaintiff_counsel)
    assert refused.status_code == 403 and refused.json()["code"] == "adverse_party_conflict"
    assert [e.details["reason"] for e in events_named(api.app, "invitation.accept", "denied")] \
        == ["adverse_party_conflict"]
    # Nothing of the defendant's side opened to them.
    ene = api.client.get(f"/api/v1/cases/{room.id}", headers=plaintiff_counsel.headers).json()
    assert ene["my_roles"] == ["counsel"]


def test_a_neutral_holds_no_party_seat_and_a_party_member_is_never_the_neutral(api):
    room = api.room()
    client = room.users["plaintiff_client"]
    invite(api, room, "room_admin", client.email, "neutral")
    r = _accept(api, token_for(api.app, client.email), client)
    assert r.status_code == 403 and r.json()["code"] == "neutral_holds_party_seat"
    neutral = room.users["neutral"]
    invite(api, room, "plaintiff_counsel", neutral.email, "client", "plaintiff")
    r = _accept(api, token_for(api.app, neutral.email), neutral)
    assert r.status_code == 403 and r.json()["code"] == "neutral_holds_party_seat"


def test_a_client_seated_by_its_own_counsel_reads_the_partys_offers(api):
    room = api.room()
    offer = api.offer(room)
    newcomer = api.user("new-client")
    invite(api, room, "plaintiff_counsel", newcomer.email, "client", "plaintiff")
    assert _accept(api, token_for(api.app, newcomer.email), newcomer).status_code == 200
    r = api.client.get(f"/api/v1/cases/{room.id}/offers/{offer['id']}",
                       headers=newcomer.headers)
    assert r.status_code == 200


def test_only_a_platform_admin_seats_directly_and_the_seated_user_is_told(api):
    room = api.room()
    outsider = room.users["outsider"]
    body = {"user_id": outsider.id, "role": "client", "party_id": room.parties["defendant"]}
    path = f"/api/v1/cases/{room.id}/members"
    for who in ("room_admin", "plaintiff_counsel", "defense_counsel", "auditor"):
        r = api.client.post(path, headers=room.users[who].headers, json=body)
        assert r.status_code == 403 and r.json()["code"] == "not_platform_admin", who
    assert api.client.post(path, json=body).status_code == 401
    adverse = api.client.post(path, headers=api.admin.headers, json={
        **body, "user_id": room.users["plaintiff_counsel"].id})
    assert adverse.status_code == 403 and adverse.json()["code"] == "adverse_party_conflict"
    seated = api.client.post(path, headers=api.admin.headers, json=body)
    assert seated.status_code == 201, seated.text
    [event] = [e for e in events_named(api.app, "member.add")
               if e.object_id == seated.json()["id"]]
    assert event.details["via"] == "platform_admin"
    inbox = api.client.get("/api/v1/notifications", headers=outsider.headers).json()
    assert [n["kind"] for n in inbox] == ["member.seated"]
    left = api.client.delete(f"{path}/{seated.json()['id']}", headers=outsider.headers)
    assert left.status_code == 204
    assert api.client.get(f"/api/v1/cases/{room.id}", headers=outsider.headers).status_code \
        == 404
    assert len(events_named(api.app, "member.leave")) == 1


def test_removing_a_partys_member_is_for_that_partys_counsel_who_is_told(api):
    room = api.room()
    members = api.client.get(f"/api/v1/cases/{room.id}/members",
                             headers=room.admin.headers).json()
    defense_client = next(m["id"] for m in members if m["role"] == "client"
                          and m["party_id"] == room.parties["defendant"])
    path = f"/api/v1/cases/{room.id}/members/{defense_client}"
    for who in ("room_admin", "plaintiff_counsel"):
        r = api.client.delete(path, headers=room.users[who].headers)
        assert r.status_code == 403 and r.json()["code"] == "seat_controlled_by_party"
    co_counsel = api.user("co-counsel")
    api.member(room.id, None, co_counsel, "counsel", room.parties["defendant"])
    assert api.client.delete(path, headers=room.users["defense_counsel"].headers).status_code \
        == 204
    told = api.client.get("/api/v1/notifications", headers=co_counsel.headers).json()
    assert "member.removed" in [n["kind"] for n in told]
    # The acting counsel is not told of its own act, the other side not at all.
    for who in ("defense_counsel", "plaintiff_counsel"):
        assert "member.removed" not in [n["kind"] for n in api.client.get(
            "/api/v1/notifications", headers=room.users[who].headers).json()]
