"""Rule 68 papers and tools through HTTP: the filing package, the costs-only export, the
68(d) cost comparison, the deadline calendar, GET /deadlines and content-free audit."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from tests.api.offers.conftest import audit_events
from tests.papers import assert_court_ready

BASE = "/api/v1/cases/{case}"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def pdf_text(content: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())  # lines wrap anywhere


@pytest.fixture
def room(api, clock):
    room = api.room()
    api.consent_all(room)
    return room


def url(room, suffix: str) -> str:
    return BASE.format(case=room.id) + suffix


def test_filing_package_after_acceptance(api, room, clock):
    clock.set(at("2026-11-12T15:00:00Z"))
    offer = api.rule68_offer(room)
    package = url(room, f"/rule68-offers/{offer['id']}/filing-package")
    r = api.client.get(package, headers=room.users["defense_counsel"].headers)
    assert r.status_code == 409 and r.json()["code"] == "offer_not_accepted"
    clock.set(at("2026-11-16T18:30:00Z"))
    r = api.client.post(url(room, f"/rule68-offers/{offer['id']}/accept"),
                        headers=room.users["plaintiff_counsel"].headers)
    assert r.status_code == 200
    r = api.client.get(package, headers=room.users["defense_counsel"].headers)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = pdf_text(r.content)
    for needle in ("Offer of judgment (FRCP 68)", "USD 76,543.21", "plus costs then accrued",
                   "Notice of acceptance", "Proof of service",
                   "Served on Thursday, November 12, 2026",
                   "electronic service", "Plaintiff-Counsel (counsel)",
                   "Defense-Counsel (counsel)",
                   "10:30 am Pacific Standard Time, Monday, November 16, 2026",
                   "the clerk must then enter judgment", "FRCP 68(a)", "Jane Doe", "Acme Corp."):
        assert needle in text, needle
    assert "Admissible only" not in text
    assert_court_ready(r.content, text, signer="Plaintiff-Counsel", declaration=True)




def test_export_of_an_unaccepted_offer_is_marked(api, room):
    offer = api.rule68_offer(room)
    r = api.client.get(url(room, f"/rule68-offers/{offer['id']}/export"),
                       headers=room.users["plaintiff_client"].headers)
    assert r.status_code == 200
    reader = PdfReader(io.BytesIO(r.content))
    for page in reader.pages:
        assert "Admissible only in a proceeding to determine costs - FRCP 68(b)" in (
            page.extract_text())
    assert_court_ready(r.content, pdf_text(r.content), signer="Defense-Counsel",
                       declaration=False)
    r = api.client.get(url(room, f"/rule68-offers/{offer['id']}/export"),
                       headers=room.users["pro_se"].headers)
    assert r.status_code == 404


def compare(api, room, offer, **body):
    return api.client.post(url(room, f"/rule68-offers/{offer['id']}/cost-comparison"),
                           headers=room.users["defense_counsel"].headers, json=body)


@pytest.mark.parametrize("costs,judgment,pre_offer,pays", [
    ("plus_accrued", 7_654_322, 50_000, False),  # one cent better than the offer
    ("plus_accrued", 7_654_321, 50_000, True),  # equal is not more favorable
    ("plus_accrued", 5_000_000, 50_000, True),
    ("included", 7_604_321, 50_000, True),  # 7,604,321 + 50,000 = the lump sum
    ("included", 7_604_322, 50_000, False),
])
def test_cost_comparison(api, room, clock, costs, judgment, pre_offer, pays):
    offer = api.rule68_offer(room, costs=costs)
    r = compare(api, room, offer, judgment_amount_cents=judgment,
                pre_offer_costs_cents=pre_offer)
    assert r.status_code == 409 and r.json()["code"] == "offer_still_open"
    clock.advance(days=30)
    r = compare(api, room, offer, judgment_amount_cents=judgment,
                pre_offer_costs_cents=pre_offer)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["applicable"] is True and body["offeree_pays_post_offer_costs"] is pays
    assert body["explanation"]


def test_cost_comparison_not_applicable_and_after_acceptance(api, room, clock):
    offer = api.rule68_offer(room)
    clock.advance(days=30)
    r = compare(api, room, offer, judgment_amount_cents=0, pre_offer_costs_cents=0,
                judgment_for="offeror")
    assert r.status_code == 200
    assert r.json()["applicable"] is False
    assert r.json()["offeree_pays_post_offer_costs"] is None
    assert "Delta Air Lines" in " ".join(r.json()["explanation"])
    r = compare(api, room, offer, judgment_amount_cents=-1, pre_offer_costs_cents=0)
    assert r.status_code == 422
    accepted = api.rule68_offer(room)
    api.client.post(url(room, f"/rule68-offers/{accepted['id']}/accept"),
                    headers=room.users["plaintiff_counsel"].headers)
    r = compare(api, room, accepted, judgment_amount_cents=1, pre_offer_costs_cents=0)
    assert r.status_code == 409 and r.json()["code"] == "offer_accepted"


def test_calendar_shows_what_each_caller_may_see(api, room, clock):
    api.offer(room, expires_at="2026-11-20T17:00:00Z")
    api.offer(room, expires_at="2026-11-21T17:00:00Z", designation="AEO")
    api.offer(room)  # no expiry: no event
    api.rule68_offer(room)
    api.rule68_offer(room, by="pro_se", offeror="defendant2")
    expected = {"plaintiff_counsel": 4, "plaintiff_client": 3, "defense_counsel": 3,
                "defense_client": 2, "pro_se": 1, "neutral": 0, "auditor": 0, "room_admin": 0}
    for role, count in expected.items():
        r = api.client.get(url(room, "/deadlines.ics"), headers=room.users[role].headers)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
        calendar = Calendar.from_ical(r.content)
        events = list(calendar.walk("VEVENT"))
        assert len(events) == count, role
        for event in events:
            assert "76,543" not in str(event.to_ical()) and "12,345" not in str(event.to_ical())
    r = api.client.get(url(room, "/deadlines.ics"), headers=room.users["defense_client"].headers)
    events = {str(e["summary"]): e for e in Calendar.from_ical(r.content).walk("VEVENT")}
    rule68 = events["Last day to accept a Rule 68 offer of judgment"]
    assert rule68.decoded("dtstart") == date(2026, 11, 16)
    assert events["A settlement offer expires"].decoded("dtstart") == at("2026-11-20T17:00:00Z")
    assert api.client.get(url(room, "/deadlines.ics")).status_code == 401
    assert api.client.get(url(room, "/deadlines.ics"),
                          headers=room.users["outsider"].headers).status_code == 404


def test_calendar_has_ene_dates_alarms_words_without_ids_and_stable_uids(api, room, clock):
    offer = api.rule68_offer(room)
    session = api.ene_session(room)

    def events() -> dict[str, object]:
        r = api.client.get(url(room, "/deadlines.ics"),
                           headers=room.users["plaintiff_counsel"].headers)
        assert r.status_code == 200
        return {str(e["summary"]): e for e in Calendar.from_ical(r.content).walk("VEVENT")}

    first = events()
    assert set(first) == {"Last day to accept a Rule 68 offer of judgment",
                          "Early Neutral Evaluation session", "ENE written statements due"}
    meeting = first["Early Neutral Evaluation session"]
    assert meeting.decoded("dtstart") == at(session["scheduled_at"])
    assert first["ENE written statements due"].decoded("dtstart") == date.fromisoformat(
        session["statement_due_date"])
    for event in first.values():
        lines = event.to_ical().decode().replace("\r\n ", "").splitlines()
        words = "\n".join(line for line in lines if not line.startswith("UID:"))
        assert offer["id"] not in words and session["id"] not in words
        alarms = [a.decoded("trigger") for a in event.walk("VALARM")]
        assert sorted(alarms) == [-timedelta(days=1), -timedelta(hours=2)]
    again = events()
    assert {k: str(v["uid"]) for k, v in first.items()} == {
        k: str(v["uid"]) for k, v in again.items()}


DEADLINES = [
    # params, deadline
    ({"trigger": "2026-11-12", "days": 14, "state": "CA"}, "2026-11-30"),
    ({"trigger": "2026-11-12", "days": 14}, "2026-11-27"),  # no state: Friday counts
    ({"trigger": "2026-06-04", "days": 14, "service_method": "mail"}, "2026-06-22"),
    ({"trigger": "2026-12-10", "days": 14, "direction": "before"}, "2026-11-25"),
    ({"trigger": "2027-01-15", "days": 14, "direction": "before"}, "2026-12-31"),
    ({"trigger": "2026-07-01", "days": 3, "inaccessible_days": "2026-07-06"}, "2026-07-07"),
]


@pytest.mark.parametrize("params,deadline", DEADLINES)
def test_deadline_table_over_http(api, params, deadline):
    user = api.user("calc")
    r = api.client.get("/api/v1/deadlines", params=params, headers=user.headers)
    assert r.status_code == 200, r.text
    assert r.json()["deadline"] == deadline
    assert r.json()["explanation"]


@pytest.mark.parametrize("params", [
    {"trigger": "2026-02-30", "days": 14}, {"trigger": "2026-01-01", "days": 0},
    {"trigger": "1900-01-01", "days": 3}, {"trigger": "2026-01-01", "days": 3, "state": "ZZ"},
    {"trigger": "2026-01-01", "days": 3, "court_timezone": "Mars/Base"},
    {"trigger": "2026-01-01", "days": 3, "direction": "sideways"}, {"days": 3},
])
def test_deadline_errors_are_422(api, params):
    user = api.user("calc")
    r = api.client.get("/api/v1/deadlines", params=params, headers=user.headers)
    # A missing trigger is named as such since hour periods made both periods optional.
    assert r.status_code == 422 and r.json()["code"] in ("validation_error",
                                                         "invalid_deadline_input",
                                                         "deadline_period_required")


def test_deadlines_need_authentication(api):
    r = api.client.get("/api/v1/deadlines", params={"trigger": "2026-01-01", "days": 3})
    assert r.status_code == 401


def test_audit_events_hold_no_content(api, room, app, clock):
    terms = "Quokka-unique-judgment-terms-5521"
    offer = api.rule68_offer(room, terms=terms, amount_cents=31_415_926)
    headers = room.users["plaintiff_counsel"].headers
    api.client.get(url(room, f"/rule68-offers/{offer['id']}"), headers=headers)
    api.client.get(url(room, f"/rule68-offers/{offer['id']}"),
                   headers=room.users["neutral"].headers)
    api.client.post(url(room, f"/rule68-offers/{offer['id']}/withdraw"),
                    headers=room.users["defense_counsel"].headers)
    api.client.post(url(room, f"/rule68-offers/{offer['id']}/accept"), headers=headers)
    api.client.get(url(room, f"/rule68-offers/{offer['id']}/filing-package"), headers=headers)
    api.client.get(url(room, "/deadlines.ics"), headers=headers)
    events = audit_events(app, room.id)
    actions = {(e.action, e.outcome) for e in events}
    assert {("rule68.serve", "ok"), ("rule68.read", "ok"), ("rule68.withdraw", "denied"),
            ("rule68.accept", "ok"), ("rule68.filing_package", "ok"),
            ("calendar.read", "ok")} <= actions
    for event in events:
        blob = event.entry.decode() + str(event.details)
        for needle in (terms, "31415926", "314,159.26", "Jane Doe", "Acme"):
            assert needle not in blob
