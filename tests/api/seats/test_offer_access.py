"""A client reads its party's offers in the room only as its own counsel decides (issue 14,
item 2): the choice is the party's, recorded on the seat, applied by the one offer policy
to lists, reads and notifications, and refused (403, audited) to anyone else."""

from __future__ import annotations

from tests.api.seats.conftest import events_named
from tests.factories import Api, Room


def _seat(api: Api, room: Room, label: str, reader: str = "room_admin") -> dict:
    rows = api.client.get(f"/api/v1/cases/{room.id}/members",
                          headers=room.users[reader].headers).json()
    user_id = room.users[label].id
    return next(m for m in rows if m["user_id"] == user_id and m["role"] != "room_admin")


def _set(api: Api, room: Room, by: str, member_id: str, reads: bool):  # noqa: ANN202
    return api.client.put(f"/api/v1/cases/{room.id}/members/{member_id}/offer-access",
                          headers=room.users[by].headers, json={"reads_offers": reads})


def _sees(api: Api, room: Room, label: str, path: str, offer_id: str) -> tuple[int, bool]:
    """(status of the offer's own page, whether the list shows it) for ``label``."""
    headers = room.users[label].headers
    one = api.client.get(f"/api/v1/cases/{room.id}/{path}/{offer_id}", headers=headers)
    listed = api.client.get(f"/api/v1/cases/{room.id}/{path}", headers=headers)
    assert listed.status_code == 200, listed.text
    return one.status_code, any(o["id"] == offer_id for o in listed.json())


def _told(api: Api, room: Room, label: str, kind_prefix: str) -> int:
    rows = api.client.get("/api/v1/notifications", headers=room.users[label].headers).json()
    return sum(1 for n in rows if n["kind"].startswith(kind_prefix))


def test_the_clients_reads_of_offers_follow_its_counsels_choice(api):
    room = api.room()
    api.consent_all(room)
    client = _seat(api, room, "plaintiff_client", reader="plaintiff_counsel")
    assert client["reads_offers"] is True  # seats from before the choice keep reading
    offer = api.offer(room, by="defense_counsel", from_party="defendant", to_party="plaintiff")
    r68 = api.rule68_offer(room)  # the defendant's offer of judgment to the plaintiff
    assert _sees(api, room, "plaintiff_client", "offers", offer["id"]) == (200, True)
    assert _sees(api, room, "plaintiff_client", "rule68-offers", r68["id"]) == (200, True)

    r = _set(api, room, "plaintiff_counsel", client["id"], False)
    assert r.status_code == 200, r.text
    assert r.json()["reads_offers"] is False
    assert _sees(api, room, "plaintiff_client", "offers", offer["id"]) == (404, False)
    assert _sees(api, room, "plaintiff_client", "rule68-offers", r68["id"]) == (404, False)
    # Counsel still reads them; the choice is about the client seat only.
    assert _sees(api, room, "plaintiff_counsel", "offers", offer["id"]) == (200, True)

    assert _set(api, room, "plaintiff_counsel", client["id"], True).status_code == 200
    assert _sees(api, room, "plaintiff_client", "offers", offer["id"]) == (200, True)
    assert _sees(api, room, "plaintiff_client", "rule68-offers", r68["id"]) == (200, True)
    recorded = events_named(api.app, "member.offer_access")
    assert [e.details["status"] for e in recorded] == ["offers_withheld", "reads_offers"]
    assert all(e.details["member_id"] == client["id"] for e in recorded)


def test_a_pro_se_party_decides_for_its_own_client_seat(api):
    room = api.room()
    helper = api.user("helper")
    api.member(room.id, None, helper, "client", room.parties["defendant2"])
    room.users["defendant2_client"] = helper
    seat = _seat(api, room, "defendant2_client", reader="pro_se")
    r = _set(api, room, "pro_se", seat["id"], False)
    assert r.status_code == 200 and r.json()["reads_offers"] is False


def test_only_the_partys_own_counsel_decides(api):
    room = api.room()
    client = _seat(api, room, "defense_client")
    for by, code in (("plaintiff_counsel", "offer_access_by_counsel"),
                     ("room_admin", "offer_access_by_counsel"),
                     ("pro_se", "offer_access_by_counsel"),
                     ("neutral", "offer_access_by_counsel"),
                     ("defense_client", "self_grant")):
        r = _set(api, room, by, client["id"], False)
        assert r.status_code == 403 and r.json()["code"] == code, (by, r.text)
    denied = events_named(api.app, "member.offer_access", "denied")
    assert sorted(e.details["reason"] for e in denied) == \
        ["offer_access_by_counsel"] * 4 + ["self_grant"]
    assert _seat(api, room, "defense_client", reader="defense_counsel")["reads_offers"] is True
    # Not a client seat: nothing to choose. Unknown seat: 404. Not a boolean: 422.
    co_counsel = api.user("co-counsel")
    co_seat = api.member(room.id, None, co_counsel, "counsel", room.parties["defendant"])
    r = _set(api, room, "defense_counsel", co_seat, False)
    assert r.status_code == 422 and r.json()["code"] == "not_a_client_seat"
    r = _set(api, room, "defense_counsel", "00000000-0000-4000-8000-000000000000", False)
    assert r.status_code == 404 and r.json()["code"] == "member_not_found"
    r = api.client.put(f"/api/v1/cases/{room.id}/members/{client['id']}/offer-access",
                       headers=room.users["defense_counsel"].headers,
                       json={"reads_offers": "no"})
    assert r.status_code == 422
    anonymous = api.client.put(f"/api/v1/cases/{room.id}/members/{client['id']}/offer-access",
                               json={"reads_offers": False})
    assert anonymous.status_code == 401
    outsider = _set(api, room, "outsider", client["id"], False)
    assert outsider.status_code == 404 and outsider.json()["code"] == "case_not_found"


def test_the_choice_is_shown_only_to_the_clients_own_side(api):
    room = api.room()
    assert _seat(api, room, "defense_client", reader="defense_counsel")["reads_offers"] is True
    assert _seat(api, room, "defense_client", reader="defense_client")["reads_offers"] is True
    for other in ("plaintiff_counsel", "room_admin", "neutral"):
        assert _seat(api, room, "defense_client", reader=other)["reads_offers"] is None
    assert _seat(api, room, "defense_counsel", reader="defense_counsel")["reads_offers"] is None


def test_offer_notifications_follow_the_same_choice(api):
    room = api.room()
    api.consent_all(room)
    client = _seat(api, room, "plaintiff_client")
    assert _set(api, room, "plaintiff_counsel", client["id"], False).status_code == 200
    api.offer(room, by="defense_counsel", from_party="defendant", to_party="plaintiff")
    api.rule68_offer(room)
    assert _told(api, room, "plaintiff_client", "offer.") == 0
    assert _told(api, room, "plaintiff_client", "rule68.") == 0
    assert _told(api, room, "plaintiff_counsel", "offer.") == 1
    assert _told(api, room, "plaintiff_counsel", "rule68.") == 1

    assert _set(api, room, "plaintiff_counsel", client["id"], True).status_code == 200
    api.offer(room, by="defense_counsel", from_party="defendant", to_party="plaintiff")
    assert _told(api, room, "plaintiff_client", "offer.") == 1
