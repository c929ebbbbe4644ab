"""Deadline reminders with a controlled clock: they fire at court-local times to whoever
must act, survive a new worker (they live in the database), and stop once the item is
resolved."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.models.notifications import REMINDER_CANCELLED, REMINDER_FIRED, Reminder
from app.notifications.reminders import fire_times
from app.notifications.worker import DeliveryWorker
from tests.clock import Clock
from tests.factories import Api, Room
from tests.mailserver import Inbox


@pytest.fixture
def room(api: Api) -> Room:
    room = api.room()
    api.consent_all(room)
    return room



def _deliver(app) -> None:  # noqa: ANN001
    """What is due now, delivered by a fresh worker (a restart keeps nothing in memory)."""
    DeliveryWorker(app.state.sessionmaker, app.state.settings, clock=app.state.services.now,
                   reminder_sources=app.state.mailer._reminder_sources).drain()


def _reminded(app, room: Room, inbox: Inbox) -> list[str]:  # noqa: ANN001
    """Who got a reminder since the last call."""
    _deliver(app)
    labels = {u.email: label for label, u in room.users.items()}
    got = sorted(labels[a] for r in inbox.received if "Reminder:" in str(r.message["Subject"])
                 for a in r.to)
    inbox.received.clear()
    return got


def _statuses(app, object_id: str) -> Counter[str]:  # noqa: ANN001
    with app.state.sessionmaker() as s:
        return Counter(s.execute(select(Reminder.status).where(
            Reminder.object_id == __import__("uuid").UUID(object_id))).scalars())


def test_rule68_reminders_fire_in_court_time_and_stop_once_accepted(api, app, room, inbox):
    clock = Clock(app, datetime(2026, 10, 19, 15, 0, tzinfo=UTC))
    offer = api.rule68_offer(room)
    _reminded(app, room, inbox)
    zone = api.client.get(f"/api/v1/cases/{room.id}",
                          headers=room.admin.headers).json()["court_timezone"]
    times = fire_times(datetime.fromisoformat(offer["acceptance_deadline_ends_at"]), zone)
    # Four reminders and, at the window's end, the notice that it lapsed (if it does).
    assert len(times) == 4 and _statuses(app, offer["id"]) == {"pending": 5}
    for at in times[:2]:
        clock.now = at - timedelta(minutes=1)
        assert _reminded(app, room, inbox) == []
        clock.now = at
        assert _reminded(app, room, inbox) == ["plaintiff_counsel"]  # counsel acts, not the client
    mail = api.client.get("/api/v1/notifications?unread=true",
                          headers=room.users["plaintiff_counsel"].headers).json()
    assert [n["kind"] for n in mail][:2] == ["reminder.rule68", "reminder.rule68"]
    r = api.client.post(f"/api/v1/cases/{room.id}/rule68-offers/{offer['id']}/accept",
                        headers=room.users["plaintiff_counsel"].headers,
                        json={"terms_sha256": offer["terms_sha256"]})
    assert r.status_code == 200, r.text
    clock.now = datetime.fromisoformat(offer["acceptance_deadline_ends_at"])
    _deliver(app)
    assert _told_of(inbox, "lapsed") == []
    assert _reminded(app, room, inbox) == []  # accepted: no lapse to tell of
    assert _statuses(app, offer["id"]) == {REMINDER_FIRED: 2, REMINDER_CANCELLED: 3}


def test_offer_expiry_reminders_go_to_the_addressees_counsel_until_it_is_rejected(
        api, app, room, inbox):
    clock = Clock(app, datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    offer = api.offer(room, expires_at="2026-03-13T22:00:00+00:00")
    zone = api.client.get(f"/api/v1/cases/{room.id}",
                          headers=room.admin.headers).json()["court_timezone"]
    times = fire_times(datetime(2026, 3, 13, 22, 0, tzinfo=UTC), zone)
    clock.now = times[0]
    assert _reminded(app, room, inbox) == ["defense_counsel"]
    r = api.client.post(f"/api/v1/cases/{room.id}/offers/{offer['id']}/reject",
                        headers=room.users["defense_counsel"].headers)
    assert r.status_code == 200, r.text
    clock.now = datetime(2026, 3, 13, 22, 0, tzinfo=UTC)  # the expiry itself
    _deliver(app)
    assert _told_of(inbox, "expired") == []
    assert _reminded(app, room, inbox) == []  # rejected before it could expire
    assert _statuses(app, offer["id"]) == {REMINDER_FIRED: 1, REMINDER_CANCELLED: 4}


def test_statement_reminders_stop_for_the_party_that_submitted(api, app, room, inbox):
    Clock(app, datetime(2030, 5, 1, 15, 0, tzinfo=UTC))
    session = api.ene_session(room)  # June 20, 2030; statements due before it
    due = datetime.fromisoformat(session["statement_due_at"])
    times = fire_times(due, session["court_timezone"])
    r = api.client.post(f"/api/v1/cases/{room.id}/ene-sessions/{session['id']}/statements",
                        headers=room.users["plaintiff_counsel"].headers,
                        json={"party_id": room.parties["plaintiff"], "body": "Our view."})
    assert r.status_code == 201, r.text
    app.state.services.clock = lambda: times[0]
    assert _reminded(app, room, inbox) == ["defense_counsel", "pro_se"]


def test_a_destroyed_case_sends_no_reminder(api, app, room, inbox):
    clock = Clock(app, datetime(2026, 10, 19, 15, 0, tzinfo=UTC))
    offer = api.rule68_offer(room)
    r = api.client.post(f"/api/v1/cases/{room.id}/destroy", headers=room.admin.headers,
                        json={"confirm_caption": "Doe v. Acme Corp."})
    assert r.status_code == 200, r.text
    clock.now = datetime.fromisoformat(offer["acceptance_deadline_ends_at"]) - timedelta(hours=1)
    assert _reminded(app, room, inbox) == []
    assert _statuses(app, offer["id"]) == {REMINDER_CANCELLED: 4, "pending": 1}
    clock.now = datetime.fromisoformat(offer["acceptance_deadline_ends_at"])
    _deliver(app)
    assert _told_of(inbox, "lapsed") == []
    assert _statuses(app, offer["id"]) == {REMINDER_CANCELLED: 5}


def _told_of(inbox: Inbox, word: str) -> list[str]:
    """The addresses told, since the last ``_reminded``, that something expired or lapsed."""
    return sorted(a for r in inbox.received if word in str(r.message["Subject"]) for a in r.to)


def test_an_offer_that_expires_unanswered_is_announced_to_whoever_may_see_it(
        api, app, room, inbox):
    clock = Clock(app, datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    offer = api.offer(room, expires_at="2026-03-13T22:00:00+00:00")
    _reminded(app, room, inbox)
    inbox.received.clear()
    clock.now = datetime(2026, 3, 13, 21, 59, tzinfo=UTC)
    _deliver(app)
    assert _told_of(inbox, "expired") == []
    inbox.received.clear()
    clock.now = datetime(2026, 3, 13, 22, 0, tzinfo=UTC)
    _deliver(app)
    labels = {u.email: label for label, u in room.users.items()}
    assert sorted(labels[a] for a in _told_of(inbox, "expired")) == [
        "defense_client", "defense_counsel", "plaintiff_client", "plaintiff_counsel"]
    kinds = [n["kind"] for n in api.client.get(
        "/api/v1/notifications", headers=room.users["plaintiff_counsel"].headers).json()]
    assert "offer.expired" in kinds
    for mail in inbox.received:
        assert "12,345.67" not in mail.text and "Mutual release" not in mail.text
    assert _statuses(app, offer["id"])[REMINDER_FIRED] >= 1


def test_a_rule68_offer_that_lapses_is_announced_to_both_sides(api, app, room, inbox):
    clock = Clock(app, datetime(2026, 10, 19, 15, 0, tzinfo=UTC))
    offer = api.rule68_offer(room)
    end = datetime.fromisoformat(offer["acceptance_deadline_ends_at"])
    clock.now = end - timedelta(minutes=1)
    _deliver(app)
    assert _told_of(inbox, "lapsed") == []
    inbox.received.clear()
    clock.now = end
    _deliver(app)
    labels = {u.email: label for label, u in room.users.items()}
    told = sorted(labels[a] for a in _told_of(inbox, "lapsed"))
    assert told == ["defense_client", "defense_counsel", "plaintiff_client", "plaintiff_counsel"]
    lapse = next(m for m in inbox.received if "lapsed" in str(m.message["Subject"]))
    assert "68(b)" in lapse.text and "7,654,321" not in lapse.text
