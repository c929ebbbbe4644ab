"""California section 998 offers through HTTP, on SQLite and PostgreSQL: only in a superior
court case; any party serves any other; 10 days before trial; the 30-day window with its
service extensions, CCP 12a rolls and the trial cut; signed acceptance; revocation before
acceptance; expiry; 998(c)-(e) after a refused offer; visibility; plain words; audit events
without amounts or terms. Expected dates were computed by hand (see the unit table)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.api.offers.conftest import audit_events, events_named
from tests.unit.test_ccp998_rules import WINDOWS

BASE = "/api/v1/cases/{case}"
AMOUNT = 4_321_987
TERMS = "Defendant pays the sum stated; mutual releases"


@pytest.fixture
def room(api, clock):
    room = api.room()
    r = api.client.patch(BASE.format(case=room.id), headers=room.users["room_admin"].headers,
                         json={"court_system": "ca_superior", "county": "san francisco"})
    assert r.status_code == 200, r.text
    return room


def url(room, suffix=""):
    return BASE.format(case=room.id) + "/ccp998-offers" + suffix


def body(room, offeror="defendant", offeree="plaintiff", **fields):
    return {"offeror_party_id": room.parties[offeror], "offeree_party_id": room.parties[offeree],
            "amount_cents": AMOUNT, "terms": TERMS, **fields}


def serve(api, room, by="defense_counsel", **kw):
    return api.client.post(url(room), headers=room.users[by].headers, json=body(room, **kw))


def served(api, room, **kw):
    r = serve(api, room, **kw)
    assert r.status_code == 201, r.text
    return r.json()


def act(api, room, offer, verb, by, payload=None):
    return api.client.post(url(room, f"/{offer['id']}/{verb}"), headers=room.users[by].headers,
                           json=payload)


SIGNED = {"signed_by_name": "Pat Plaintiff-Counsel"}


def test_case_moves_to_a_superior_court(api, room):
    case = api.client.get(BASE.format(case=room.id),
                          headers=room.users["room_admin"].headers).json()
    assert case["court_system"] == "ca_superior" and case["county"] == "San Francisco"
    assert case["court"] == "Superior Court of California, County of San Francisco"
    assert case["court_timezone"] == "America/Los_Angeles" and case["district"] is None


@pytest.mark.parametrize(("fields", "code"), [
    ({"court_system": "ca_superior"}, "county_required"),
    ({"court_system": "ca_superior", "county": "Gotham"}, "unknown_county"),
    ({"court_system": "ca_superior", "county": "Kern", "district": "caed"},
     "district_not_for_state_court"),
    ({"court_system": "ca_superior", "county": "Kern", "court_state": "NV"},
     "court_state_mismatch"),
    ({"county": "Kern"}, "county_without_superior_court"),
])
def test_superior_court_case_refusals(api, fields, code):
    owner = api.user("owner")
    r = api.client.post("/api/v1/cases", headers=owner.headers, json={
        "caption": "Roe v. Doe", "docket_number": "CGC-26-000001", "court": "x", **fields})
    assert r.status_code == 422 and r.json()["code"] == code


def test_create_superior_court_case(api):
    owner = api.user("owner")
    r = api.client.post("/api/v1/cases", headers=owner.headers, json={
        "caption": "Roe v. Doe", "docket_number": "CGC-26-000001",
        "court_system": "ca_superior", "county": "Los Angeles"})
    assert r.status_code == 201, r.text
    assert r.json()["court"] == "Superior Court of California, County of Los Angeles"


def test_not_available_in_a_federal_case(api, clock):
    room = api.room()
    r = api.client.post(url(room), headers=room.users["defense_counsel"].headers,
                        json=body(room))
    assert r.status_code == 422 and r.json()["code"] == "ccp998_not_available"
    assert events_named(api.app, "ccp998.serve", "denied")


def test_electronic_service_window_and_plain_words(api, room, clock):
    # Served Mon Nov 2, 2026 (7 am Pacific): +30 = Wed Dec 2; +2 court days (CCP 1010.6):
    # Thu Dec 3, Fri Dec 4.
    offer = served(api, room)
    assert offer["status"] == "open" and offer["acceptance_deadline"] == "2026-12-04"
    assert offer["acceptance_deadline_ends_at"].startswith("2026-12-05T08:00:00")
    assert offer["amount_cents"] == AMOUNT and offer["terms"] == TERMS
    assert "998(b)" in offer["acceptance_provision"]
    words = " ".join(offer["plain_words"])
    assert "by 11:59 pm Pacific, Friday, December 4" in words
    assert "If you do nothing" in words and "any party" in words.lower()
    assert "talk to your lawyer" not in words
    assert any("1010.6(a)(3)(B)" in line for line in offer["deadline_explanation"])
    client = api.client.get(url(room, f"/{offer['id']}"),
                            headers=room.users["plaintiff_client"].headers).json()
    assert any("talk to your lawyer" in line for line in client["plain_words"])


@pytest.mark.parametrize(("method", "last"), [("personal", "2026-12-02"),
                                              ("mail", "2026-12-07"),
                                              ("mail_outside_california", "2026-12-14"),
                                              ("overnight", "2026-12-04")])
def test_service_outside_the_room(api, room, method, last):
    # Nov 2 + 30 = Wed Dec 2; mail +5 = Mon Dec 7; outside California +10 = Sat Dec 12 ->
    # Mon Dec 14 (CCP 12a); overnight +2 court days = Fri Dec 4.
    offer = served(api, room, service_method=method)
    assert offer["acceptance_deadline"] == last


def test_backdated_and_future_service(api, room, clock):
    past = (clock.now - timedelta(days=3)).isoformat()  # Fri Oct 30 + 30 = Sun Nov 29 -> Mon
    assert served(api, room, service_method="personal",
                  served_at=past)["acceptance_deadline"] == "2026-11-30"
    future = (clock.now + timedelta(hours=1)).isoformat()
    r = serve(api, room, service_method="personal", served_at=future)
    assert r.status_code == 422 and r.json()["code"] == "served_at_in_future"
    r = serve(api, room, served_at=past)
    assert r.status_code == 422 and r.json()["code"] == "served_at_not_allowed"


def test_any_party_may_offer_any_other(api, room):
    # Unlike FRCP 68, a plaintiff may make a 998 offer.
    offer = served(api, room, by="plaintiff_counsel", offeror="plaintiff", offeree="defendant")
    assert offer["offeror_party_id"] == room.parties["plaintiff"]
    r = serve(api, room, by="plaintiff_counsel", offeror="defendant")
    assert r.status_code == 403 and r.json()["code"] == "not_your_party"
    r = serve(api, room, offeree="defendant")
    assert r.status_code == 422 and r.json()["code"] == "same_party"


def test_self_represented_offeree_is_not_served_electronically(api, room):
    r = serve(api, room, by="plaintiff_counsel", offeror="plaintiff", offeree="defendant2")
    assert r.status_code == 409
    assert r.json()["code"] == "ccp998_electronic_service_needs_consent"
    offer = served(api, room, by="plaintiff_counsel", offeror="plaintiff",
                   offeree="defendant2", service_method="mail")
    assert offer["acceptance_deadline"] == "2026-12-07"


def test_ten_days_before_trial(api, room):
    headers = room.users["room_admin"].headers
    # Trial Wed Nov 11, 2026: the last day to serve was Sun Nov 1.
    api.client.patch(BASE.format(case=room.id), headers=headers, json={"trial_date": "2026-11-11"})
    r = serve(api, room)
    assert r.status_code == 409 and r.json()["code"] == "ccp998_too_close_to_trial"
    # Trial Thu Nov 12: Nov 2 is the last day; the window closes at the start of Nov 12.
    api.client.patch(BASE.format(case=room.id), headers=headers, json={"trial_date": "2026-11-12"})
    offer = served(api, room)
    assert offer["cut_by_trial"] and offer["acceptance_deadline"] == "2026-11-11"
    assert offer["acceptance_deadline_ends_at"].startswith("2026-11-12T08:00:00")
    assert "trial starts the next day" in " ".join(offer["plain_words"])


def test_signed_acceptance_then_no_revocation(api, room):
    offer = served(api, room)
    r = act(api, room, offer, "accept", "defense_counsel", SIGNED)
    assert r.status_code == 403 and r.json()["code"] == "not_an_offeree"
    r = act(api, room, offer, "accept", "plaintiff_client", SIGNED)
    assert r.status_code == 403 and r.json()["code"] == "role_not_allowed"
    r = act(api, room, offer, "accept", "plaintiff_counsel",
            {**SIGNED, "terms_sha256": "0" * 64})
    assert r.status_code == 409
    r = act(api, room, offer, "accept", "plaintiff_counsel",
            {**SIGNED, "terms_sha256": offer["terms_sha256"]})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted" and r.json()["signed_by_name"] == SIGNED[
        "signed_by_name"]
    r = act(api, room, offer, "revoke", "defense_counsel")
    assert r.status_code == 409 and r.json()["code"] == "ccp998_accepted"


def test_revocation_before_acceptance(api, room):
    offer = served(api, room)
    r = act(api, room, offer, "revoke", "plaintiff_counsel")
    assert r.status_code == 403 and r.json()["code"] == "not_offering_party"
    r = act(api, room, offer, "revoke", "defense_counsel")
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    r = act(api, room, offer, "accept", "plaintiff_counsel", SIGNED)
    assert r.status_code == 409 and r.json()["code"] == "ccp998_revoked"


def test_expiry_and_cost_consequences(api, room, clock):
    offer = served(api, room)
    r = act(api, room, offer, "cost-comparison", "defense_counsel",
            {"judgment_for": "plaintiff", "judgment_amount_cents": 1})
    assert r.status_code == 409 and r.json()["code"] == "ccp998_not_refused"
    clock.set(datetime(2026, 12, 5, 7, 59, 59, tzinfo=UTC))  # 11:59:59 pm Pacific, Dec 4
    assert api.client.get(url(room, f"/{offer['id']}"), headers=room.users[
        "plaintiff_counsel"].headers).json()["status"] == "open"
    clock.set(datetime(2026, 12, 5, 8, 0, tzinfo=UTC))
    r = act(api, room, offer, "accept", "plaintiff_counsel", SIGNED)
    assert r.status_code == 409 and r.json()["code"] == "ccp998_expired"
    r = act(api, room, offer, "revoke", "defense_counsel")
    assert r.status_code == 409 and r.json()["code"] == "ccp998_expired"
    # Offer $43,219.87 by the defendant; judgment $40,000 + $1,000 pre-offer costs = $41,000,
    # not more favorable; $2,500 post-offer defence costs offset: $37,500 to the plaintiff.
    r = act(api, room, offer, "cost-comparison", "plaintiff_client", {
        "judgment_for": "plaintiff", "judgment_amount_cents": 4_000_000,
        "pre_offer_costs_cents": 100_000, "defendant_post_offer_costs_cents": 250_000})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["more_favorable"] is False and out["net_to_plaintiff_cents"] == 3_750_000
    assert "plaintiff_pays_defendant_costs_from_offer" in out["consequences"]
    words = api.client.get(url(room, f"/{offer['id']}"), headers=room.users[
        "plaintiff_counsel"].headers).json()["plain_words"]
    assert "ended at 11:59 pm Pacific, Friday, December 4" in words[0]


VISIBLE = {"plaintiff_counsel": 200, "plaintiff_client": 200, "defense_counsel": 200,
           "defense_client": 200, "pro_se": 404, "neutral": 403, "auditor": 403,
           "room_admin": 403, "outsider": 404}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_visibility(api, room, role):
    offer = served(api, room)
    headers = room.users[role].headers
    assert api.client.get(url(room, f"/{offer['id']}"),
                          headers=headers).status_code == VISIBLE[role]
    listing = api.client.get(url(room), headers=headers)
    if VISIBLE[role] == 200:
        assert [o["id"] for o in listing.json()] == [offer["id"]]
    elif role == "pro_se":
        assert listing.json() == []
    assert api.client.get(url(room, f"/{offer['id']}")).status_code == 401


def test_audit_and_notifications_carry_no_amount_or_terms(api, room):
    offer = served(api, room)
    act(api, room, offer, "accept", "plaintiff_counsel", SIGNED)
    text = json.dumps([e.details for e in audit_events(api.app, room.id)], default=str)
    for secret in (str(AMOUNT), "43,219", "releases", SIGNED["signed_by_name"]):
        assert secret not in text
    assert events_named(api.app, "ccp998.serve") and events_named(api.app, "ccp998.accept")
    mine = api.client.get("/api/v1/notifications",
                          headers=room.users["plaintiff_counsel"].headers).json()
    assert {"ccp998.served", "ccp998.accepted"} & {n["kind"] for n in mine}
    prefs = api.client.get("/api/v1/me/notification-preferences",
                           headers=room.users["plaintiff_counsel"].headers).json()
    # The served notice is the service itself: it cannot be turned off or put in a digest.
    assert {k["kind"]: k["optional"] for k in prefs["kinds"]}["ccp998.served"] is False


def test_rule68_is_not_available_in_a_superior_court_case(api, room):
    api.consent_all(room)
    r = api.client.post(BASE.format(case=room.id) + "/rule68-offers",
                        headers=room.users["defense_counsel"].headers, json={
                            **body(room), "costs": "plus_accrued"})
    assert r.status_code == 422 and r.json()["code"] == "rule68_not_available"


@pytest.mark.parametrize(("served_on", "method", "trial", "last", "cut", "why"), WINDOWS,
                         ids=[f"{w[0]}-{w[1]}" + (f"-trial{w[2]}" if w[2] else "")
                              for w in WINDOWS])
def test_hand_computed_table_through_http(api, room, clock, served_on, method, trial, last, cut,
                                          why):
    """Every dated case of the hand-computed table, served through the API at noon Pacific
    on its service day (in person or by mail: dated now; electronic: through the room)."""
    day = datetime.fromisoformat(served_on)
    clock.set(datetime(day.year, day.month, day.day, 20, 0, tzinfo=UTC))
    if trial:
        r = api.client.patch(BASE.format(case=room.id), headers=room.users["room_admin"].headers,
                             json={"trial_date": trial})
        assert r.status_code == 200, r.text
    offer = served(api, room, service_method=method)
    assert (offer["acceptance_deadline"], offer["cut_by_trial"]) == (last, cut), why


@pytest.mark.parametrize(("method", "moment"), [
    ("electronic", "11:59 pm Pacific, Friday, December 4"),  # +2 court days (CCP 1010.6)
    ("mail", "11:59 pm Pacific, Monday, December 7"),  # +5 days (CCP 1013(a))
])
def test_the_explanation_ends_with_the_last_moment_in_plain_words(api, room, method, moment):
    offer = served(api, room, service_method=method)
    line = f"In plain words: the offer can be accepted until {moment}."
    assert offer["deadline_explanation"][-1] == line
    # The offeree's client reads the same line through GET.
    again = api.client.get(url(room, f"/{offer['id']}"),
                           headers=room.users["plaintiff_client"].headers).json()
    assert again["deadline_explanation"][-1] == line
    listed = api.client.get(url(room), headers=room.users["plaintiff_counsel"].headers).json()
    assert [o["deadline_explanation"][-1] for o in listed if o["id"] == offer["id"]] == [line]
