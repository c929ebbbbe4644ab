"""The daily digest: kinds a user chose to read once a day come in one mail at 8 am in the
user's digest time zone, listing in words what happened and what the user may still see;
nothing when nothing happened; once per day whatever the workers do; a Rule 68 service
notice always at once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.models.notifications import MailDigest, MailOutbox
from app.notifications.digests import latest_instant
from app.notifications.worker import DeliveryWorker
from tests.clock import Clock
from tests.factories import Api, Room
from tests.mailserver import Inbox

PATH = "/api/v1/me/notification-preferences"
SECRETS = ["12345.67", "12,345.67", "1234567", "Mutual release", "dismissal with prejudice",
           "76543.21", "76,543.21", "7654321", "Judgment against Acme", "order.txt"]
SUMMARY = "Your daily summary"
MADE = "A settlement offer was made in Doe v. Acme Corp. (3:25-cv-01234)"


@pytest.fixture
def room(api: Api) -> Room:
    room = api.room()
    api.consent_all(room)
    return room



def _worker(app) -> DeliveryWorker:  # noqa: ANN001
    """A fresh worker each time: a restart keeps nothing in memory."""
    return DeliveryWorker(app.state.sessionmaker, app.state.settings,
                          clock=app.state.services.now)


def _digests(app, inbox: Inbox, address: str) -> list[str]:  # noqa: ANN001
    _worker(app).drain()
    return [r.text for r in inbox.to(address) if SUMMARY in str(r.message["Subject"])]


def _prefer(api: Api, room: Room, label: str, **body: object) -> dict:
    r = api.client.put(PATH, headers=room.users[label].headers, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_preferences_say_per_kind_immediate_digest_or_off(api, room):
    counsel = room.users["defense_counsel"].headers
    first = api.client.get(PATH, headers=counsel).json()
    assert (first["digest"], first["digest_timezone"], first["digest_hour"]) == (
        [], "America/New_York", 8)
    assert {k["delivery"] for k in first["kinds"]} == {"immediate"}
    prefs = _prefer(api, room, "defense_counsel", digest=["offer.received", "ene.message"],
                    email_off=["document.shared"], digest_timezone="America/Chicago")
    delivery = {k["kind"]: k["delivery"] for k in prefs["kinds"]}
    assert (delivery["offer.received"], delivery["document.shared"],
            delivery["rule68.served"], delivery["offer.accepted"]) == (
        "digest", "off", "immediate", "immediate")
    assert prefs["digest"] == ["ene.message", "offer.received"]
    assert prefs["digest_timezone"] == "America/Chicago"
    for body, code in (({"digest": ["rule68.served"]}, "kind_not_optional"),
                       ({"digest": ["no.such"]}, "unknown_kind"),
                       ({"digest": ["offer.received"], "email_off": ["offer.received"]},
                        "conflicting_delivery"),
                       ({"digest_timezone": "Pacific"}, "validation_error"),
                       ({"digest_timezone": "../etc/passwd"}, "validation_error")):
        r = api.client.put(PATH, headers=counsel, json=body)
        assert r.status_code == 422 and r.json()["code"] == code, r.text
    assert api.client.get(PATH, headers=counsel).json() == prefs  # refusals changed nothing


def test_one_digest_at_8_am_lists_what_happened_in_words_and_only_once(api, app, room, inbox):
    clock = Clock(app, datetime(2026, 12, 1, 15, 0, tzinfo=UTC))  # 10 am in New York
    counsel = room.users["defense_counsel"]
    _prefer(api, room, "defense_counsel", digest=["offer.received", "document.shared"])
    api.offer(room, expires_at="2026-12-18T22:00:00+00:00")
    clock.now += timedelta(hours=2)
    api.document(room, b"Confidential exhibit.\n")
    _worker(app).drain()
    # The client reads at once; counsel waits for the digest, and has both in the inbox.
    assert [r.to for r in inbox.received if "offer" in str(r.message["Subject"])] == [
        [room.users["defense_client"].email]]
    assert not inbox.to(counsel.email)
    assert len(api.client.get("/api/v1/notifications", headers=counsel.headers).json()) == 2
    clock.now = datetime(2026, 12, 2, 12, 59, tzinfo=UTC)  # 7:59 am in New York
    assert _digests(app, inbox, counsel.email) == []
    clock.now = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)  # 8 am EST
    [digest] = _digests(app, inbox, counsel.email)
    assert "Your daily summary: 2 updates in your settlement rooms" in digest
    text = " ".join(digest.split())
    # The digest's hour is the reader's (New York); a deadline is said in court time.
    assert "as of 8 am (America/New_York) on Wednesday, December 2, 2026" in text
    assert f"- {MADE}. It is open until 2:00 pm Pacific Standard Time, Friday, December " \
           "18, 2026 (America/Los_Angeles)." in text
    assert "- A document was shared with your side in Doe v. Acme Corp." in text
    assert "https://" in text or "http://" in text
    assert all(secret not in digest for secret in SECRETS)
    # Restarted workers, later the same day: nothing more.
    clock.now += timedelta(hours=3)
    assert len(_digests(app, inbox, counsel.email)) == 1
    # Something after 8 am waits for the next morning's digest.
    api.offer(room)
    assert len(_digests(app, inbox, counsel.email)) == 1
    clock.now = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)
    digests = _digests(app, inbox, counsel.email)
    assert len(digests) == 2 and "1 update in" in digests[1]
    # A day with nothing: no digest.
    clock.now = datetime(2026, 12, 4, 13, 0, tzinfo=UTC)
    assert len(_digests(app, inbox, counsel.email)) == 2
    with app.state.sessionmaker() as s:
        assert s.execute(select(func.count()).select_from(MailDigest)).scalar_one() == 2


def test_the_digest_follows_the_users_zone_across_a_dst_change(api, app, room, inbox):
    clock = Clock(app, datetime(2026, 10, 31, 18, 0, tzinfo=UTC))
    counsel = room.users["defense_counsel"]
    _prefer(api, room, "defense_counsel", digest=["offer.received"],
            digest_timezone="America/Los_Angeles")
    api.offer(room)
    # Sunday, November 1, 2026: Pacific time falls back at 2 am; 8 am PST is 16:00 UTC.
    nov1 = datetime(2026, 11, 1, 16, 0, tzinfo=UTC)
    assert latest_instant(nov1, "America/Los_Angeles") == nov1
    clock.now = nov1 - timedelta(minutes=1)
    assert _digests(app, inbox, counsel.email) == []
    clock.now = nov1
    assert len(_digests(app, inbox, counsel.email)) == 1


def test_read_items_and_items_no_longer_visible_are_left_out_and_empty_sends_nothing(
        api, app, room, inbox):
    clock = Clock(app, datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    counsel, client = room.users["defense_counsel"], room.users["defense_client"]
    for label in ("defense_counsel", "defense_client"):
        _prefer(api, room, label, digest=["offer.received"])
    api.offer(room)
    api.offer(room)
    # Counsel reads one in the inbox; the client is removed from the party.
    first = api.client.get("/api/v1/notifications", headers=counsel.headers).json()[0]
    assert api.client.post(f"/api/v1/notifications/{first['id']}/read",
                           headers=counsel.headers).status_code == 200
    members = api.client.get(f"/api/v1/cases/{room.id}/members",
                             headers=room.admin.headers).json()
    seat = next(m["id"] for m in members if m["user_id"] == client.id)
    assert api.client.delete(f"/api/v1/cases/{room.id}/members/{seat}",
                             headers=counsel.headers).status_code == 204
    clock.now = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
    [digest] = _digests(app, inbox, counsel.email)
    assert "1 update in" in digest
    assert _digests(app, inbox, client.email) == []  # left the room: nothing, not empty
    with app.state.sessionmaker() as s:
        assert s.execute(select(func.count()).select_from(MailDigest)).scalar_one() == 1


def test_a_rule68_offer_is_mailed_at_once_to_a_digest_reader(api, app, room, inbox):
    Clock(app, datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    counsel = room.users["plaintiff_counsel"]
    _prefer(api, room, "plaintiff_counsel", digest=[
        k["kind"] for k in api.client.get(PATH, headers=counsel.headers).json()["kinds"]
        if k["optional"]])
    api.rule68_offer(room)
    _worker(app).drain()
    assert [str(r.message["Subject"]).split(" in ")[0] for r in inbox.to(counsel.email)] == [
        "A Rule 68 offer of judgment was served on your side"]


def test_workers_side_by_side_make_one_digest_and_send_it_once(api, app, room, inbox):
    clock = Clock(app, datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    counsel = room.users["defense_counsel"]
    _prefer(api, room, "defense_counsel", digest=["offer.received"])
    for _ in range(3):
        api.offer(room)
    clock.now = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
    workers = [_worker(app) for _ in range(3)]
    start = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def run(worker: DeliveryWorker) -> None:
        start.wait()
        try:
            worker.drain()
        except Exception as exc:  # noqa: BLE001 - SQLite may refuse a second writer
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    _worker(app).drain()  # whatever a refused writer left behind
    [digest] = _digests(app, inbox, counsel.email)
    assert "3 updates in" in digest
    with app.state.sessionmaker() as s:
        assert s.execute(select(func.count()).select_from(MailOutbox)
                         .where(MailOutbox.digest_id.is_not(None))).scalar_one() == 1
