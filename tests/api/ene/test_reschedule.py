"""Moving a session: who may, when not (closed, held, into the past), the statements' due
date counted again, the old reminders replaced by new ones, the calendar event updated
under its UID."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.models.notifications import REMINDER_PENDING, Reminder
from app.notifications.reminders import fire_times
from tests.api.ene.conftest import Ene
from tests.api.offers.conftest import events_named

MOVED_TO = "2030-07-18T17:00:00Z"  # a Thursday; the session was on Thursday 2030-06-20


def _move(ene: Ene, label: str | None, **body: object):
    headers = ene.user(label).headers if label else {}
    return ene.api.client.patch(ene.url(), headers=headers, json=body)


def _pending_reminders(ene: Ene) -> list[tuple[uuid.UUID | None, datetime]]:
    with ene.api.app.state.sessionmaker() as s:
        rows = s.execute(select(Reminder.party_id, Reminder.fire_at).where(
            Reminder.object_id == uuid.UUID(ene.sid),
            Reminder.status == REMINDER_PENDING)).all()
    return sorted(((p, at.astimezone(UTC)) for p, at in rows), key=str)


def _expected_reminders(ene: Ene, due_at: str) -> list[tuple[uuid.UUID | None, datetime]]:
    times = fire_times(datetime.fromisoformat(due_at), ene.session["court_timezone"])
    return sorted(((uuid.UUID(p), at) for p in ene.room.parties.values() for at in times),
                  key=str)


def test_the_evaluator_moves_the_session_and_the_seven_day_rule_follows(ene):
    before = _pending_reminders(ene)
    assert before == _expected_reminders(ene, ene.session["statement_due_at"])
    r = _move(ene, "neutral", scheduled_at=MOVED_TO)
    assert r.status_code == 200, r.text
    moved = r.json()
    assert moved["scheduled_at"].startswith("2030-07-18T17:00:00")
    assert moved["statement_due_date"] == "2030-07-11"  # 7 days before, as first set
    assert moved["statement_due_days_before"] == 7
    assert moved["statement_due_at"].startswith("2030-07-12T07:00:00")  # midnight LA
    assert ene.get("room_admin").json()["scheduled_at"] == moved["scheduled_at"]
    # The old reminders are gone, the new window's are pending, for every party.
    assert _pending_reminders(ene) == _expected_reminders(ene, moved["statement_due_at"])
    [event] = events_named(ene.api.app, "ene.session.reschedule")
    assert event.details == {"session_id": ene.sid}


def test_the_room_admin_sets_a_due_date_and_moving_back_restores_the_reminders(ene):
    r = _move(ene, "room_admin", statement_due="2030-06-10")
    assert r.status_code == 200, r.text
    assert (r.json()["statement_due_date"], r.json()["statement_due_days_before"]) == (
        "2030-06-10", None)
    assert _pending_reminders(ene) == _expected_reminders(ene, r.json()["statement_due_at"])
    # A fixed date stays when only the time moves; back to the first rule restores the
    # first reminders (same instants as before, no clash with the dropped ones).
    r = _move(ene, "room_admin", scheduled_at="2030-06-21T17:00:00Z")
    assert r.json()["statement_due_date"] == "2030-06-10"
    r = _move(ene, "room_admin", scheduled_at="2030-06-20T17:00:00Z",
              statement_due={"days_before": 7})
    assert r.status_code == 200, r.text
    assert r.json()["statement_due_at"] == ene.session["statement_due_at"]
    assert _pending_reminders(ene) == _expected_reminders(ene, ene.session["statement_due_at"])
    # The same time again changes nothing and records nothing.
    assert _move(ene, "room_admin", scheduled_at="2030-06-20T17:00:00Z").status_code == 200
    assert len(events_named(ene.api.app, "ene.session.reschedule")) == 3


@pytest.mark.parametrize("label,status,code", [
    (None, 401, None), ("plaintiff_counsel", 403, None), ("pro_se", 403, None),
    ("auditor", 403, None), ("outsider", 404, "case_not_found"),
])
def test_only_the_room_admin_or_the_evaluator_may_move_it(ene, label, status, code):
    if label == "outsider":
        ene.room.users["outsider"] = ene.api.user("outsider")
    r = _move(ene, label, scheduled_at=MOVED_TO)
    assert r.status_code == status, r.text
    if code:
        assert r.json()["code"] == code
    assert ene.get("room_admin").json()["scheduled_at"] == ene.session["scheduled_at"]


def test_another_neutral_of_the_case_may_not_move_a_colleagues_session(ene):
    colleague = ene.api.user("second-neutral")
    ene.api.member(ene.room.id, None, colleague, "neutral")
    r = ene.api.client.patch(ene.url(), headers=colleague.headers, json={"scheduled_at": MOVED_TO})
    assert r.status_code == 403 and r.json()["code"] == "not_session_host", r.text
    assert len(events_named(ene.api.app, "ene.session.reschedule", "denied")) == 1


@pytest.mark.parametrize("body,code", [
    ({}, "nothing_to_change"),
    ({"scheduled_at": "2020-01-01T10:00:00Z"}, "scheduled_in_past"),
    ({"statement_due": "2030-06-21"}, "statement_due_after_session"),
    ({"scheduled_at": "2030-07-18T17:00:00"}, "validation_error"),  # naive time
    ({"evaluator_user_id": str(uuid.uuid4())}, "validation_error"),  # not movable here
])
def test_a_bad_move_is_refused_with_a_code_and_changes_nothing(ene, body, code):
    r = ene.api.client.patch(ene.url(), headers=ene.user("neutral").headers, json=body)
    assert r.status_code == 422 and r.json()["code"] == code, r.text
    assert ene.get("neutral").json()["statement_due_at"] == ene.session["statement_due_at"]


def test_a_held_or_closed_session_stays_where_it_was(ene):
    r = ene.post("plaintiff_counsel", "/attendance")
    assert r.status_code == 201, r.text
    r = _move(ene, "neutral", scheduled_at=MOVED_TO)
    assert r.status_code == 409 and r.json()["code"] == "session_held", r.text
    assert ene.post("neutral", "/close", {"outcome": "settled"}).status_code == 200
    r = _move(ene, "neutral", scheduled_at=MOVED_TO)
    assert r.status_code == 409 and r.json()["code"] == "session_closed", r.text


def test_the_calendar_moves_the_event_under_the_same_uid(ene):
    path = f"/api/v1/cases/{ene.room.id}/deadlines.ics"
    headers = ene.user("plaintiff_counsel").headers

    def session_event() -> tuple[str, str]:
        text = ene.api.client.get(path, headers=headers).text.replace("\r\n ", "")
        [block] = [b for b in text.split("BEGIN:VEVENT") if f"ene-session-{ene.sid}" in b]
        lines = dict(line.split(":", 1) for line in block.splitlines() if ":" in line)
        start = next(v for k, v in lines.items() if k.startswith("DTSTART"))
        return lines["UID"], start

    uid, start = session_event()
    assert start == "20300620T170000Z"
    assert _move(ene, "neutral", scheduled_at=MOVED_TO).status_code == 200
    assert session_event() == (uid, "20300718T170000Z")
