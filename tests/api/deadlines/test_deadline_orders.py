"""Court-ordered and stipulated deadlines and FRCP 6(b) extensions through HTTP.

The room's clock starts Monday 2026-11-02 15:00 UTC (07:00 in California); a Rule 68 offer
served then electronically has 14 days: Monday 2026-11-16 (FRCP 6(a)(1), 68(a)). Every
other date below is worked out by hand from the cited rule and a printed calendar.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.db import transaction
from app.models.notifications import Reminder
from tests.api.offers.conftest import events_named

ORDERS = "/api/v1/cases/{case}/deadline-orders"


@pytest.fixture
def room(api, clock):
    room = api.room()
    api.consent_all(room)
    return room


def post(api, room, by, body):
    return api.client.post(ORDERS.format(case=room.id), headers=room.users[by].headers,
                           json=body)


def listed(api, room, by):
    r = api.client.get(ORDERS.format(case=room.id), headers=room.users[by].headers)
    assert r.status_code == 200, r.text
    return r.json()


def named(**fields):
    return {"kind": "court_order", "applies_to": "Answer to the amended complaint",
            "rule": "FRCP 15(a)(3)", "base_deadline": "2026-11-09", "extra_days": 21,
            "order_date": "2026-11-02", "source": "ECF No. 42", **fields}


def test_rule68_offer_extended_by_order_moves_the_time_to_accept(api, room, clock):
    offer = api.rule68_offer(room)
    assert offer["acceptance_deadline"] == "2026-11-16"
    # 14 more days after Monday 11-16: Monday 11-30 (Thanksgiving 11-26 and California's
    # day after, 11-27, fall inside the period and do not matter).
    r = post(api, room, "plaintiff_counsel", {
        "kind": "extension_6b", "applies_to": f"rule68:{offer['id']}", "extra_days": 14,
        "order_date": "2026-11-02", "source": "ECF No. 42"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["effective_deadline"] == "2026-11-30"
    assert body["base_deadline"] == "2026-11-16"
    first = body["explanation"][0]
    assert first == "Extended to 2026-11-30 by order under FRCP 6(b) of 2026-11-02, ECF No. 42"
    assert any("FRCP 6(b)(1)(A)" in line for line in body["explanation"])
    assert any("Courts are divided" in line for line in body["explanation"])
    # The offer itself follows the order: page, status and acceptance.
    clock.set(datetime(2026, 11, 20, 18, 0, tzinfo=UTC))
    got = api.client.get(f"/api/v1/cases/{room.id}/rule68-offers/{offer['id']}",
                         headers=room.users["plaintiff_counsel"].headers).json()
    assert got["acceptance_deadline"] == "2026-11-30"
    assert got["status"] == "open"
    assert any(line.startswith("Extended to 2026-11-30 by order under FRCP 6(b) of "
                               "2026-11-02, ECF No. 42") for line in got["deadline_explanation"])
    accepted = api.client.post(f"/api/v1/cases/{room.id}/rule68-offers/{offer['id']}/accept",
                               headers=room.users["plaintiff_counsel"].headers, json={})
    assert accepted.status_code == 200, accepted.text
    again = post(api, room, "defense_counsel", {
        "kind": "court_order", "applies_to": f"rule68:{offer['id']}",
        "new_deadline": "2026-12-15", "order_date": "2026-11-20", "source": "ECF No. 50"})
    assert again.status_code == 409 and again.json()["code"] == "offer_already_accepted"


def test_extension_after_expiry_is_6b1b_and_audited_without_text(api, room, clock, app):
    offer = api.rule68_offer(room)
    clock.set(datetime(2026, 11, 18, 18, 0, tzinfo=UTC))
    r = post(api, room, "defense_counsel", {
        "kind": "court_order", "applies_to": f"rule68:{offer['id']}",
        "new_deadline": "2026-11-25", "order_date": "2026-11-18",
        "source": "ECF No. 57 (minute order)"})
    assert r.status_code == 201, r.text
    assert any("FRCP 6(b)(1)(B)" in line for line in r.json()["explanation"])
    (event,) = events_named(app, "deadline.order.record")
    details = str(event.details)
    assert "ECF" not in details and "minute order" not in details
    assert "2026-11-25" in details


def test_rule68_order_hidden_from_those_who_cannot_see_the_offer(api, room):
    offer = api.rule68_offer(room)
    body = {"kind": "court_order", "applies_to": f"rule68:{offer['id']}",
            "new_deadline": "2026-11-30", "order_date": "2026-11-02", "source": "ECF No. 9"}
    # The pro se co-defendant is neither offeror nor offeree: the offer does not exist for it.
    r = post(api, room, "pro_se", body)
    assert r.status_code == 404 and r.json()["code"] == "rule68_offer_not_found"
    r = post(api, room, "room_admin", body)
    assert r.status_code == 404
    assert post(api, room, "defense_counsel", body).status_code == 201
    assert len(listed(api, room, "plaintiff_client")) == 1
    assert listed(api, room, "pro_se") == []
    assert listed(api, room, "neutral") == []


@pytest.mark.parametrize("who,status", [
    ("room_admin", 201), ("plaintiff_counsel", 201), ("pro_se", 201),
    ("plaintiff_client", 403), ("neutral", 403), ("auditor", 403), ("outsider", 404)])
def test_who_records_a_named_deadline(api, room, who, status):
    r = post(api, room, who, named())
    assert r.status_code == status, r.text
    if status == 403:
        assert r.json()["code"] == "deadline_order_not_allowed"


def test_named_deadline_extra_days_rolls_and_is_listed_to_every_member(api, room):
    # 21 days after Monday 11-09 is Monday 11-30 (FRCP 6(a)(1)).
    r = post(api, room, "room_admin", named())
    assert r.status_code == 201, r.text
    assert r.json()["effective_deadline"] == "2026-11-30"
    # 4 days after Monday 11-23 is Friday 11-27, California's day after Thanksgiving (Cal.
    # Code Civ. Proc. 135; FRCP 6(a)(6)(C)), then the weekend: Monday 11-30.
    r = post(api, room, "plaintiff_counsel", named(
        applies_to="Reply in support of the motion", rule=None, base_deadline="2026-11-23",
        extra_days=4, kind="stipulation", source="ECF No. 44"))
    assert r.status_code == 201, r.text
    assert r.json()["effective_deadline"] == "2026-11-30"
    assert r.json()["explanation"][0] == (
        "Extended to 2026-11-30 by the parties' stipulation of 2026-11-02, ECF No. 44")
    for who in ("neutral", "auditor", "plaintiff_client"):
        assert [o["source"] for o in listed(api, room, who)] == ["ECF No. 42", "ECF No. 44"]


def test_a_set_date_on_a_saturday_is_kept_and_said(api, room):
    r = post(api, room, "room_admin", named(extra_days=None, new_deadline="2026-12-05"))
    assert r.status_code == 201, r.text
    assert r.json()["effective_deadline"] == "2026-12-05"
    assert any("2026-12-05 is a Saturday" in line for line in r.json()["explanation"])


@pytest.mark.parametrize("rule,applies_to", [
    ("FRCP 59(e)", "Motion to alter or amend the judgment"),
    ("Rule 50(b)", "Renewed motion for judgment as a matter of law"),
    ("Fed. R. Civ. P. 52(b)", "Amended findings"),
    (None, "Motion for a new trial under Rule 59(b)"),
    (None, "Rule 60(b) motion"),
    ("FRCP 50(d)", "Conditional new-trial motion"),
    ("FRCP 59(d)", "New trial on the court's initiative"),
])
def test_rule_6b2_times_are_refused(api, room, rule, applies_to):
    r = post(api, room, "plaintiff_counsel", named(rule=rule, applies_to=applies_to))
    assert r.status_code == 422
    assert r.json()["code"] == "time_not_extendable"


def test_rule_60c_and_rule_12_are_extendable(api, room):
    assert post(api, room, "plaintiff_counsel", named(rule="FRCP 12(a)(1)")).status_code == 201
    assert post(api, room, "plaintiff_counsel", named(
        rule=None, applies_to="Opposition under Rule 56(c)")).status_code == 201


@pytest.mark.parametrize("fields,code", [
    ({"extra_days": None}, "deadline_order_incomplete"),
    ({"new_deadline": "2026-12-01"}, "deadline_order_incomplete"),
    ({"base_deadline": None}, "deadline_order_incomplete"),
    ({"order_date": "2026-11-03"}, "order_date_in_future"),
    ({"extra_days": None, "new_deadline": "2026-11-09"}, "deadline_not_extended"),
    ({"applies_to": "rule68:not-a-uuid"}, "invalid_applies_to"),
    ({"kind": "sua_sponte"}, "validation_error"),
    ({"extra_days": 0}, "validation_error"),
    ({"order_date": "26-11-02"}, "validation_error"),
    ({"source": ""}, "validation_error"),
])
def test_bad_orders_are_422_with_a_code(api, room, fields, code):
    r = post(api, room, "room_admin", named(**fields))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == code


def test_the_offer_reminders_and_lapse_notice_move_with_the_order(api, room, app):
    offer = api.rule68_offer(room)
    r = post(api, room, "plaintiff_counsel", {
        "kind": "court_order", "applies_to": f"rule68:{offer['id']}",
        "new_deadline": "2026-12-04", "order_date": "2026-11-02", "source": "ECF No. 61"})
    assert r.status_code == 201, r.text
    # Friday 2026-12-04 ends at midnight Pacific: 2026-12-05T08:00:00Z.
    new_end = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
    assert datetime.fromisoformat(r.json()["effective_ends_at"]) == new_end
    with transaction(app.state.sessionmaker) as session:
        rows = list(session.execute(select(Reminder).where(
            Reminder.object_id == uuid.UUID(offer["id"]))).scalars())
    assert rows and {row.due_at for row in rows} == {new_end}
    assert max(row.fire_at for row in rows) == new_end  # the lapse notice, at the new end
