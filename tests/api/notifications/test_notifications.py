"""Notifications: each event reaches exactly the members who may see its item (but the side
that acted), by a real SMTP server and in the inbox; no content in any of it; the outbox
commits with the action; failed mails are retried and end as dead letters."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.models.notifications import MAIL_DEAD, MAIL_PENDING, MAIL_SENT, MailOutbox, Notification
from tests.factories import Api, Room
from tests.mailserver import Inbox

ROLES = ["room_admin", "plaintiff_counsel", "plaintiff_client", "defense_counsel",
         "defense_client", "pro_se", "neutral", "auditor", "outsider"]
# Amount, terms and their renderings that must never leave the room.
SECRETS = ["12345.67", "12,345.67", "1234567", "Mutual release", "dismissal with prejudice",
           "76543.21", "76,543.21", "7654321", "Judgment against Acme"]


@pytest.fixture
def mail_settings() -> dict[str, object]:
    return {"mail_from": "settleroom <rooms@example.org>",
            "public_url": "https://rooms.example.org"}


@pytest.fixture
def room(api: Api) -> Room:
    room = api.room()
    api.consent_all(room)
    return room


def _deliver(app) -> int:  # noqa: ANN001
    return int(app.state.mailer.drain())


def _who(room: Room, inbox: Inbox) -> set[str]:
    by_email = {room.users[label].email: label for label in ROLES}
    return {by_email[a] for a in inbox.addresses()}


def _readers(api: Api, room: Room, path: str) -> set[str]:
    """The room's users who may read the item at ``path`` (200 rather than 404)."""
    return {label for label in ROLES
            if api.client.get(path, headers=room.users[label].headers).status_code == 200}


def test_an_offer_reaches_the_other_side_who_may_read_it_and_nobody_else(api, app, room,
                                                                         inbox):
    offer = api.offer(room)  # plaintiff's counsel to the represented defendant
    assert _deliver(app) == 2
    readers = _readers(api, room, f"/api/v1/cases/{room.id}/offers/{offer['id']}")
    assert readers == {"plaintiff_counsel", "plaintiff_client", "defense_counsel",
                       "defense_client"}
    assert _who(room, inbox) == {"defense_counsel", "defense_client"}  # not the acting side
    mail = inbox.received[0]
    assert mail.message["Subject"] == ("A settlement offer was made in Doe v. Acme Corp. "
                                       "(3:25-cv-01234)")
    assert f"https://rooms.example.org/cases/{room.id}/offers" in mail.text
    assert mail.message.get_body(("html",)) is not None


def test_an_aeo_offer_is_not_announced_to_the_client_nor_to_a_co_defendant(api, app, room,
                                                                           inbox):
    api.offer(room, designation="AEO")
    api.offer(room, by="pro_se", from_party="defendant2", to_party="plaintiff",
              share_with_neutral=True)
    _deliver(app)
    # AEO: the defendant's counsel only. The pro se defendant's offer: the plaintiff's
    # counsel and client and the neutral it was shared with; never Acme's side.
    assert sorted(inbox.addresses()) == sorted(room.users[label].email for label in (
        "defense_counsel", "plaintiff_counsel", "plaintiff_client", "neutral"))


def test_accept_reject_withdraw_and_counter_tell_the_other_side(api, app, room, inbox):
    first = api.offer(room)
    second = api.offer(room)
    third = api.offer(room)
    _deliver(app)
    inbox.received.clear()
    # The counter comes first: once an offer is accepted the pair has settled, and no new
    # offer passes between them (409 thread_settled).
    counter = api.offer(room, by="defense_counsel", from_party="defendant",
                        to_party="plaintiff", replies_to=api.offer(room)["id"])
    assert counter["replies_to"]
    headers = room.users["defense_counsel"].headers
    base = f"/api/v1/cases/{room.id}/offers"
    r = api.client.post(f"{base}/{first['id']}/accept", headers=headers,
                        json={"terms_sha256": first["terms_sha256"]})
    assert r.status_code == 200, r.text
    assert api.client.post(f"{base}/{second['id']}/reject", headers=headers).status_code == 200
    r = api.client.post(f"{base}/{third['id']}/withdraw",
                        headers=room.users["plaintiff_counsel"].headers)
    assert r.status_code == 200, r.text
    _deliver(app)
    subjects = {(r.to[0], r.message["Subject"].split(" in ")[0]) for r in inbox.received}
    pc, pcl = room.users["plaintiff_counsel"].email, room.users["plaintiff_client"].email
    dc, dcl = room.users["defense_counsel"].email, room.users["defense_client"].email
    assert subjects == {
        (pc, "A settlement offer was accepted"), (pcl, "A settlement offer was accepted"),
        (pc, "A settlement offer was rejected"), (pcl, "A settlement offer was rejected"),
        (dc, "A settlement offer was withdrawn"), (dcl, "A settlement offer was withdrawn"),
        (dc, "A settlement offer was made"), (dcl, "A settlement offer was made"),
        (pc, "A counter-offer was made"), (pcl, "A counter-offer was made"),
    }


def test_a_served_rule68_offer_names_the_last_moment_to_accept_in_court_time(api, app, room,
                                                                            inbox):
    offer = api.rule68_offer(room)  # the defendant's counsel serves the plaintiff
    _deliver(app)
    assert _who(room, inbox) == {"plaintiff_counsel", "plaintiff_client"}
    readers = _readers(api, room, f"/api/v1/cases/{room.id}/rule68-offers/{offer['id']}")
    assert {"neutral", "auditor", "pro_se", "room_admin"}.isdisjoint(readers)
    # The window ends at midnight court time (exclusive): its last minute is 11:59 pm of
    # the acceptance deadline's day, in the case's time zone.
    zone = api.client.get(f"/api/v1/cases/{room.id}",
                          headers=room.admin.headers).json()["court_timezone"]
    ends = datetime.fromisoformat(offer["acceptance_deadline_ends_at"])
    last = (ends - timedelta(minutes=1)).astimezone(ZoneInfo(zone))
    assert last.date().isoformat() == offer["acceptance_deadline"]
    text = inbox.received[0].text
    assert "A Rule 68 offer of judgment was served on your side" in text
    standard = "Daylight" if last.dst() else "Standard"
    region = {"America/New_York": "Eastern", "America/Los_Angeles": "Pacific"}[zone]
    assert (f"The last moment to accept is 11:59 pm {region} {standard} Time, "
            f"{last:%A, %B} {last.day}, {last:%Y} ({zone})") in " ".join(text.split())
    r = api.client.post(f"/api/v1/cases/{room.id}/rule68-offers/{offer['id']}/accept",
                        headers=room.users["plaintiff_counsel"].headers,
                        json={"terms_sha256": offer["terms_sha256"]})
    assert r.status_code == 200, r.text
    inbox.received.clear()
    _deliver(app)
    assert _who(room, inbox) == {"defense_counsel", "defense_client"}


def test_no_amount_terms_or_body_in_any_mail_or_inbox_entry(api, app, room, inbox):
    offer = api.offer(room)
    api.rule68_offer(room)
    _deliver(app)
    assert len(inbox.received) == 4
    for mail in inbox.received:
        for secret in SECRETS:
            assert secret not in mail.text
    r = api.client.get("/api/v1/notifications", headers=room.users["defense_counsel"].headers)
    assert r.status_code == 200
    for secret in [*SECRETS, offer["terms_sha256"]]:
        assert secret not in r.text


def test_the_inbox_lists_counts_and_marks_read_only_ones_own(api, app, room, inbox):
    offer = api.offer(room)
    reader = room.users["defense_counsel"].headers
    listed = api.client.get("/api/v1/notifications?unread=true", headers=reader).json()
    assert [(n["kind"], n["case_id"], n["link"], n["read_at"]) for n in listed] == [
        ("offer.received", room.id, f"/cases/{room.id}/offers", None)]
    assert api.client.get("/api/v1/notifications/unread-count",
                          headers=reader).json() == {"unread": 1}
    nid = listed[0]["id"]
    other = api.client.post(f"/api/v1/notifications/{nid}/read",
                            headers=room.users["defense_client"].headers)
    assert other.status_code == 404 and other.json()["code"] == "notification_not_found"
    r = api.client.post(f"/api/v1/notifications/{nid}/read", headers=reader)
    assert r.status_code == 200 and r.json()["read_at"] is not None
    assert api.client.get("/api/v1/notifications/unread-count",
                          headers=reader).json() == {"unread": 0}
    assert api.client.get("/api/v1/notifications?unread=true", headers=reader).json() == []
    assert len(api.client.get("/api/v1/notifications", headers=reader).json()) == 1
    assert offer["id"] not in str(listed[0]["link"])  # the page, not the object's id
    assert api.client.get("/api/v1/notifications").status_code == 401


def test_a_refused_action_leaves_no_notification(api, app, room, inbox):
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    r = api.client.post(f"/api/v1/cases/{room.id}/offers",
                        headers=room.users["plaintiff_counsel"].headers,
                        json={"from_party_id": room.parties["plaintiff"],
                              "to_party_id": room.parties["defendant"], "amount_cents": 100,
                              "terms": "x", "expires_at": past})
    assert r.status_code == 422
    with app.state.sessionmaker() as s:
        assert s.execute(select(Notification)).first() is None
        assert s.execute(select(MailOutbox)).first() is None


def test_a_permanent_refusal_is_a_dead_letter_the_room_admin_sees(api, app, room, inbox):
    inbox.refuse[room.users["defense_client"].email] = "550 5.1.1 No such mailbox"
    api.offer(room)
    _deliver(app)
    assert _who(room, inbox) == {"defense_counsel"}
    with app.state.sessionmaker() as s:
        states = sorted(s.execute(select(MailOutbox.status, MailOutbox.attempts,
                                         MailOutbox.last_error)).all())
    assert states == [(MAIL_DEAD, 1, "smtp_recipient_refused"), (MAIL_SENT, 1, None)]
    path = f"/api/v1/cases/{room.id}/mail-dead-letters"
    letters = api.client.get(path, headers=room.admin.headers).json()
    assert [(d["kind"], d["user_id"], d["last_error"]) for d in letters] == [
        ("offer.received", room.users["defense_client"].id, "smtp_recipient_refused")]
    assert api.client.get(path, headers=room.users["defense_counsel"].headers).status_code == 403
    assert api.client.get(path, headers=room.users["outsider"].headers).status_code == 404


def test_a_temporary_refusal_is_retried_with_backoff_until_the_last_attempt(api, app, room,
                                                                           inbox):
    app.state.settings.mail_max_attempts = 3
    now = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    app.state.services.clock = lambda: now
    inbox.refuse[room.users["defense_client"].email] = "451 4.3.0 Try again later"
    api.offer(room)
    assert _deliver(app) == 2

    def state() -> tuple[str, int, datetime]:
        with app.state.sessionmaker() as s:
            status, attempts, due = s.execute(
                select(MailOutbox.status, MailOutbox.attempts, MailOutbox.next_attempt_at)
                .where(MailOutbox.status != MAIL_SENT)).one()
        return status, attempts, due

    assert state() == (MAIL_PENDING, 1, now + timedelta(seconds=30))
    assert _deliver(app) == 0  # not due yet
    now += timedelta(seconds=30)
    assert _deliver(app) == 1
    assert state() == (MAIL_PENDING, 2, now + timedelta(seconds=60))
    now += timedelta(seconds=60)
    assert _deliver(app) == 1
    status, attempts, _ = state()
    assert (status, attempts) == (MAIL_DEAD, 3)
    del inbox.refuse[room.users["defense_client"].email]
    now += timedelta(days=1)
    assert _deliver(app) == 0  # a dead letter stays dead
    assert _who(room, inbox) == {"defense_counsel"}


def test_without_an_smtp_host_mails_are_eml_files_written_once(api, app, room, tmp_path):
    app.state.settings.smtp_host = None
    from app.notifications.worker import DeliveryWorker

    worker = DeliveryWorker(app.state.sessionmaker, app.state.settings)
    api.offer(room)
    assert worker.drain() == 2
    folder = Path(app.state.settings.data_dir) / "outbox"
    files = sorted(folder.glob("*.eml"))
    assert len(files) == 2
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    with app.state.sessionmaker() as s:
        ids = {str(i) for i in s.execute(select(MailOutbox.id)).scalars()}
    assert {f.stem for f in files} == ids
    for f in files:
        text = f.read_text()
        assert f"Message-ID: <{f.stem}@example.org>" in text
        assert all(secret not in text for secret in SECRETS)
    # Handing the same mail over again (a worker that died before recording it) finds the
    # file and leaves it as it is.
    first = files[0].read_bytes()
    worker.transport.send(uuid.UUID(files[0].stem), __import__("email").message_from_string(
        "Subject: other\n\nother\n", _class=__import__("email.message").message.EmailMessage))
    assert files[0].read_bytes() == first and len(list(folder.glob("*.eml"))) == 2


def _rule68_as(api: Api, room: Room, offer_id: str, label: str) -> dict:
    r = api.client.get(f"/api/v1/cases/{room.id}/rule68-offers/{offer_id}",
                       headers=room.users[label].headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_service_notice_of_a_rule68_offer_is_shown_to_both_sides(api, app, room, inbox):
    offer = api.rule68_offer(room)
    plaintiff = room.parties["plaintiff"]
    assert offer["service_notices"] == [
        {"party_id": plaintiff, "status": "pending", "delivered_at": None}]
    _deliver(app)
    for label in ("defense_counsel", "plaintiff_counsel", "plaintiff_client"):
        seen = _rule68_as(api, room, offer["id"], label)
        [notice] = seen["service_notices"]
        assert (notice["party_id"], notice["status"]) == (plaintiff, "delivered")
        assert notice["delivered_at"] is not None
        assert not any("5(b)(2)(E)" in line for line in seen["deadline_explanation"])
    listed = api.client.get(f"/api/v1/cases/{room.id}/rule68-offers",
                            headers=room.users["defense_counsel"].headers).json()
    assert [o["service_notices"][0]["status"] for o in listed] == ["delivered"]


def test_a_service_notice_that_failed_for_good_says_service_may_not_be_effective(
        api, app, room, inbox):
    inbox.refuse[room.users["plaintiff_counsel"].email] = "550 5.1.1 No such mailbox"
    offer = api.rule68_offer(room)
    _deliver(app)
    for label in ("defense_counsel", "plaintiff_counsel"):
        seen = _rule68_as(api, room, offer["id"], label)
        assert [n["status"] for n in seen["service_notices"]] == ["failed"]
        assert any("FRCP 5(b)(2)(E)" in line for line in seen["deadline_explanation"])
    # The client's mail got through, but service on a represented party is on counsel.
    assert _who(room, inbox) == {"plaintiff_client"}


def test_an_offer_served_by_mail_has_no_electronic_service_notice(api, app, room, inbox):
    offer = api.rule68_offer(room, service_method="mail")
    _deliver(app)
    assert _rule68_as(api, room, offer["id"], "defense_counsel")["service_notices"] == []


def test_preferences_turn_mail_off_per_kind_and_hide_the_caption(api, app, room, inbox):
    counsel = room.users["plaintiff_counsel"]
    path = "/api/v1/me/notification-preferences"
    prefs = api.client.get(path, headers=counsel.headers).json()
    assert (prefs["caption_in_mail"], prefs["email_off"]) == (True, [])
    assert {k["kind"]: k["optional"] for k in prefs["kinds"]}["rule68.served"] is False
    for body, code in (({"email_off": ["rule68.served"]}, "kind_not_optional"),
                       ({"email_off": ["no.such"]}, "unknown_kind"),
                       ({"caption_in_mail": 1}, "validation_error")):
        r = api.client.put(path, headers=counsel.headers, json=body)
        assert r.status_code == 422 and r.json()["code"] == code, r.text
    r = api.client.put(path, headers=counsel.headers,
                       json={"email_off": ["offer.received"], "caption_in_mail": False})
    assert r.status_code == 200 and r.json()["email_off"] == ["offer.received"]
    api.offer(room, by="defense_counsel", from_party="defendant", to_party="plaintiff")
    _deliver(app)
    assert _who(room, inbox) == {"plaintiff_client"}  # counsel reads it in the inbox only
    kinds = [n["kind"] for n in api.client.get("/api/v1/notifications",
                                               headers=counsel.headers).json()]
    assert kinds == ["offer.received"]
    inbox.received.clear()
    # A Rule 68 offer served on the plaintiff: the notice is legal service and goes by
    # mail regardless, without the case's name for this reader.
    api.rule68_offer(room)
    _deliver(app)
    [mine] = inbox.to(counsel.email)
    assert "one of your cases" in mine.text and "Doe v. Acme" not in mine.text
    [theirs] = inbox.to(room.users["plaintiff_client"].email)
    assert "Doe v. Acme Corp." in theirs.text
