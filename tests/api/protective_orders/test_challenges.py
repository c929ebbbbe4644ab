"""POST .../documents/{id}/challenges: a receiving party challenges a designation; the
designating party is told (never the reason); the order's meet-and-confer and motion
deadlines come from the FRCP 6 engine in the court's calendar; past the motion deadline
without a motion the room says the designation may be treated as withdrawn, and changes
nothing."""

from __future__ import annotations

from tests.api.documents.helpers import text_doc
from tests.api.offers.conftest import events_named
from tests.api.protective_orders.conftest import base, enter, mails

REASON = "ZEBRA-REASON: the pricing memo is public in the 10-K"


def _challenge(api, room, doc_id: str, who: str | None = "defense_counsel", **body):  # noqa: ANN001, ANN202
    headers = room.users[who].headers if who else {}
    return api.client.post(f"{base(room)}/documents/{doc_id}/challenges", headers=headers,
                           json={"reason": REASON, **body})


def test_who_challenges(api, room, clock):
    doc = api.document(room, text_doc())
    r = _challenge(api, room, doc["id"])
    assert r.status_code == 409 and r.json()["code"] == "not_designated_under_order"
    enter(api, room)
    assert _challenge(api, room, doc["id"], None).status_code == 401
    assert _challenge(api, room, doc["id"], "outsider").status_code == 404
    assert _challenge(api, room, doc["id"], "defense_client").status_code == 403
    r = _challenge(api, room, doc["id"], "plaintiff_counsel")
    assert r.status_code == 403 and r.json()["code"] == "not_a_receiving_party"
    private = api.document(room, text_doc(), audience=room.parties["defendant"])
    r = _challenge(api, room, private["id"], "pro_se")
    assert r.status_code == 404 and r.json()["code"] == "document_not_found"
    r = _challenge(api, room, doc["id"], "defense_counsel", reason="")
    assert r.status_code == 422
    assert _challenge(api, room, doc["id"], "pro_se").status_code == 201


def test_deadlines_notice_and_withdrawal(api, app, room, clock):
    enter(api, room)
    doc = api.document(room, text_doc(), designation="AEO")
    r = _challenge(api, room, doc["id"])
    assert r.status_code == 201, r.text
    ch = r.json()
    # Notice on Monday, November 2, 2026: 14 and 21 days, counted in California.
    assert ch["meet_confer"]["deadline"] == "2026-11-16"
    assert ch["motion"]["deadline"] == "2026-11-23"
    assert ch["motion"]["ends_at"] == "2026-11-24T08:00:00Z"
    assert any("21 days" in line for line in ch["motion"]["explanation"])
    assert ch["may_be_treated_as_withdrawn"] is False
    assert ch["designating_party_id"] == room.parties["plaintiff"]
    # The designating party's counsel hears of it; no mail carries the reason.
    def kinds(who: str) -> list[str]:
        inbox = api.client.get("/api/v1/notifications", headers=room.users[who].headers)
        return [n["kind"] for n in inbox.json() if n["kind"] == "designation.challenged"]

    assert kinds("plaintiff_counsel") == ["designation.challenged"]
    assert kinds("defense_counsel") == kinds("plaintiff_client") == []
    assert "challenged" in mails(app) and "ZEBRA" not in mails(app)
    (event,) = events_named(app, "designation.challenge")
    assert "ZEBRA" not in str(event.details)

    clock.advance(days=21, hours=16, minutes=59)  # 11:59 pm on November 23 in California
    listed = api.client.get(f"{base(room)}/documents/{doc['id']}/challenges",
                            headers=room.users["plaintiff_counsel"].headers).json()
    assert listed[0]["may_be_treated_as_withdrawn"] is False
    assert listed[0]["reason"] == REASON
    clock.advance(minutes=1)
    listed = api.client.get(f"{base(room)}/documents/{doc['id']}/challenges",
                            headers=room.users["defense_counsel"].headers).json()
    assert listed[0]["may_be_treated_as_withdrawn"] is True
    # The room changes nothing on its own.
    got = api.client.get(f"{base(room)}/documents/{doc['id']}",
                         headers=room.users["plaintiff_counsel"].headers).json()
    assert got["designation"] == "AEO"


def test_the_motion_and_the_impasse(api, room, clock):
    enter(api, room)
    doc = api.document(room, text_doc())
    ch = _challenge(api, room, doc["id"]).json()
    path = f"{base(room)}/documents/{doc['id']}/challenges/{ch['id']}"
    clock.advance(days=3)
    r = api.client.post(f"{path}/impasse", headers=room.users["defense_client"].headers,
                        json={"agreed_on": "2026-11-05"})
    assert r.status_code == 403
    r = api.client.post(f"{path}/impasse", headers=room.users["defense_counsel"].headers,
                        json={"agreed_on": "2026-11-09"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_impasse_date"
    r = api.client.post(f"{path}/impasse", headers=room.users["defense_counsel"].headers,
                        json={"agreed_on": "2026-11-05"})
    assert r.status_code == 200
    # 14 days after the impasse (November 19) comes before 21 days after the notice.
    assert r.json()["motion"]["deadline"] == "2026-11-19"
    r = api.client.post(f"{path}/motion", headers=room.users["defense_counsel"].headers,
                        json={"filed_on": "2026-11-05"})
    assert r.status_code == 403 and r.json()["code"] == "not_the_designating_party"
    r = api.client.post(f"{path}/motion", headers=room.users["plaintiff_counsel"].headers,
                        json={"filed_on": "2026-11-05"})
    assert r.status_code == 200 and r.json()["motion_filed_on"] == "2026-11-05"
    clock.advance(days=60)
    listed = api.client.get(f"{base(room)}/documents/{doc['id']}/challenges",
                            headers=room.users["pro_se"].headers).json()
    assert listed[0]["may_be_treated_as_withdrawn"] is False
    r = api.client.post(f"{path}/motion", headers=room.users["plaintiff_counsel"].headers,
                        json={"filed_on": "2026-11-06"})
    assert r.status_code == 409 and r.json()["code"] == "motion_recorded"


def test_the_motion_deadline_skips_a_holiday(api, room, clock):
    """Noticed on Thursday, November 5: 21 days fall on Thanksgiving; the engine moves the
    last day exactly as GET /deadlines does for the court."""
    enter(api, room)
    doc = api.document(room, text_doc())
    clock.advance(days=3)
    ch = _challenge(api, room, doc["id"]).json()
    engine = api.client.get("/api/v1/deadlines", headers=room.admin.headers, params={
        "trigger": "2026-11-05", "days": 21, "direction": "after", "state": "CA",
        "service_method": "electronic", "court_timezone": "America/Los_Angeles"}).json()
    assert ch["motion"]["deadline"] == engine["deadline"] != "2026-11-26"


def test_order_periods_are_the_orders(api, room, clock):
    enter(api, room, meet_confer_days=7, motion_days=28)
    doc = api.document(room, text_doc())
    ch = _challenge(api, room, doc["id"]).json()
    assert ch["meet_confer"]["deadline"] == "2026-11-09"
    assert ch["motion"]["deadline"] == "2026-11-30"
