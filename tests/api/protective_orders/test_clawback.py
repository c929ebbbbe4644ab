"""Clawback (FRE 502): downloads stop at once for everyone but the producing party (409
``clawed_back``), each member who held a copy is told and certifies sequestration or
destruction within the order's days, the room shows who certified and who is late, and
the audit log keeps every step."""

from __future__ import annotations

import pytest

from tests.api.documents.helpers import text_doc
from tests.api.offers.conftest import events_named
from tests.api.protective_orders.conftest import acknowledge, base, enter, mails

BASIS = "ZEBRA-BASIS: e-mail from general counsel giving legal advice"


@pytest.fixture
def produced(api, room, clock):  # noqa: ANN001, ANN201
    """An order (clawback in 10 days), a document the defense counsel and the pro se party
    downloaded, and the plaintiff's own client a copy too."""
    enter(api, room)
    doc = api.document(room, text_doc())
    for who in ("defense_counsel", "pro_se"):
        acknowledge(api, room, who)
        assert api.download(room, doc["id"], who).status_code == 200
    assert api.download(room, doc["id"], "plaintiff_client").status_code == 200
    return doc


def _claw(api, room, doc_id: str, who: str | None = "plaintiff_counsel"):  # noqa: ANN001, ANN202
    headers = room.users[who].headers if who else {}
    return api.client.post(f"{base(room)}/documents/{doc_id}/clawback", headers=headers,
                           json={"basis": BASIS})


def _certify(api, room, doc_id: str, who: str, action: str = "destroyed"):  # noqa: ANN001, ANN202
    return api.client.post(f"{base(room)}/documents/{doc_id}/clawback/certifications",
                           headers=room.users[who].headers, json={"action": action})


def test_who_claws_back(api, room, produced):
    doc_id = produced["id"]
    assert _claw(api, room, doc_id, None).status_code == 401
    assert _claw(api, room, doc_id, "outsider").status_code == 404
    assert _claw(api, room, doc_id, "plaintiff_client").status_code == 403
    r = _claw(api, room, doc_id, "defense_counsel")
    assert r.status_code == 403 and r.json()["code"] == "not_the_producing_party"
    assert _claw(api, room, doc_id).status_code == 201
    r = _claw(api, room, doc_id)
    assert r.status_code == 409 and r.json()["code"] == "already_clawed_back"


def test_downloads_stop_at_once_but_for_the_producing_party(api, app, room, produced):
    doc_id = produced["id"]
    r = _claw(api, room, doc_id)
    assert r.status_code == 201, r.text
    back = r.json()
    assert back["certify"]["deadline"] == "2026-11-12"  # 10 days after Monday, November 2
    assert {x["user_id"] for x in back["recipients"]} == {
        room.users["defense_counsel"].id, room.users["pro_se"].id}
    for who in ("defense_counsel", "pro_se", "defense_client"):
        r = api.download(room, doc_id, who)
        assert r.status_code == 409 and r.json()["code"] == "clawed_back", who
    for who in ("plaintiff_counsel", "plaintiff_client"):
        assert api.download(room, doc_id, who).status_code == 200, who
    # The recipients are told, never the basis.
    for who in ("defense_counsel", "pro_se"):
        inbox = api.client.get("/api/v1/notifications", headers=room.users[who].headers)
        assert "document.clawed_back" in [n["kind"] for n in inbox.json()], who
    assert "clawed back" in mails(app) and "ZEBRA" not in mails(app)
    (event,) = events_named(app, "clawback")
    assert event.details["count"] == 2 and "ZEBRA" not in str(event.details)
    assert [e.details["reason"] for e in events_named(app, "document.download", "denied")
            ] == ["clawed_back"] * 3


def test_certifications_and_who_is_late(api, app, room, produced, clock):
    doc_id = produced["id"]
    _claw(api, room, doc_id)
    r = _certify(api, room, doc_id, "defense_client")
    assert r.status_code == 403 and r.json()["code"] == "not_a_recipient"
    r = _certify(api, room, doc_id, "auditor")
    assert r.status_code == 403
    r = _certify(api, room, doc_id, "defense_counsel", action="kept")
    assert r.status_code == 422
    r = _certify(api, room, doc_id, "defense_counsel", action="sequestered")
    assert r.status_code == 201, r.text
    r = _certify(api, room, doc_id, "defense_counsel")
    assert r.status_code == 409 and r.json()["code"] == "already_certified"

    clock.advance(days=11)  # past midnight at the end of November 12 in California
    status = api.client.get(f"{base(room)}/documents/{doc_id}/clawback",
                            headers=room.users["plaintiff_counsel"].headers).json()
    by_user = {x["user_id"]: x for x in status["recipients"]}
    counsel, pro_se = by_user[room.users["defense_counsel"].id], by_user[room.users["pro_se"].id]
    assert (counsel["certified"], counsel["action"], counsel["late"]) == (
        True, "sequestered", False)
    assert (pro_se["certified"], pro_se["late"]) == (False, True)
    assert status["basis"] == BASIS
    r = _certify(api, room, doc_id, "pro_se")
    assert r.status_code == 201
    late = {x["user_id"]: x["late"] for x in r.json()["recipients"]}
    assert late[room.users["pro_se"].id] is True
    assert [e.details["late"] for e in events_named(app, "clawback.certify")] == [False, True]


def test_who_reads_the_status(api, room, produced):
    doc_id = produced["id"]
    path = f"{base(room)}/documents/{doc_id}/clawback"
    r = api.client.get(path, headers=room.users["defense_counsel"].headers)
    assert r.status_code == 404 and r.json()["code"] == "clawback_not_found"
    _claw(api, room, doc_id)
    # The room admin and the auditor trace: every recipient, never the basis.
    for who in ("room_admin", "auditor"):
        status = api.client.get(path, headers=room.users[who].headers).json()
        assert status["basis"] is None and len(status["recipients"]) == 2, who
    # Another side sees its own recipients only.
    status = api.client.get(path, headers=room.users["defense_client"].headers).json()
    assert [x["user_id"] for x in status["recipients"]] == [room.users["defense_counsel"].id]
    assert api.client.get(path, headers=room.users["outsider"].headers).status_code == 404
    assert api.client.get(path, headers=room.users["neutral"].headers).status_code == 404


def test_without_an_order_the_rooms_default_period(api, room, clock):
    doc = api.document(room, text_doc())
    api.download(room, doc["id"], "defense_counsel")
    back = _claw(api, room, doc["id"]).json()
    assert back["certify_days"] == 10 and back["certify"]["deadline"] == "2026-11-12"


def test_the_orders_own_clawback_period_drives_the_certification_deadline(api, room, clock):
    """The room's default is 10 days; an order that says 7 gives recipients 7 (counted by
    FRCP 6 from the notice on Monday, November 2, 2026)."""
    order = enter(api, room, clawback_days=7)
    assert order["clawback_days"] == 7
    doc = api.document(room, text_doc())
    acknowledge(api, room, "defense_counsel")
    assert api.download(room, doc["id"], "defense_counsel").status_code == 200
    r = _claw(api, room, doc["id"])
    assert r.status_code == 201, r.text
    assert r.json()["certify"]["deadline"] == "2026-11-09"
    clock.advance(days=8)
    got = api.client.get(f"{base(room)}/documents/{doc['id']}/clawback",
                         headers=room.admin.headers).json()
    assert [x["late"] for x in got["recipients"]] == [True]
