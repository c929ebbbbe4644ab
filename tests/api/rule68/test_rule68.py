"""Rule 68 offers of judgment through HTTP: access per endpoint, visibility, eligibility
(counterclaims, no claims), timing before trial and the 68(c) hearing, the 14-day window
with FRCP 6 rolls, service by mail (+3), joint offers and idempotent acceptance."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.api.offers.conftest import events_named

BASE = "/api/v1/cases/{case}"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@pytest.fixture
def room(api, clock):
    room = api.room()
    api.consent_all(room)
    return room


def url(room, suffix: str) -> str:
    return BASE.format(case=room.id) + suffix


def serve_body(room, offeror="defendant", offeree="plaintiff", **fields):
    return {"offeror_party_id": room.parties[offeror], "offeree_party_id": room.parties[offeree],
            "amount_cents": 7_654_321, "costs": "plus_accrued", "terms": "Judgment", **fields}


def post(api, room, suffix, by, body=None, **headers):
    return api.client.post(url(room, suffix), headers={**room.users[by].headers, **headers},
                           json=body)


# --- access per endpoint ----------------------------------------------------------------------

ENDPOINTS = [
    # method, suffix, body, wrong role, valid role, accepted first
    ("POST", "/rule68-offers", lambda r, o: serve_body(r, offeror="defendant2"),
     "defense_client", "pro_se", False),
    ("GET", "/rule68-offers", None, "neutral", "plaintiff_client", False),
    ("GET", "/rule68-offers/{id}", None, "auditor", "defense_client", False),
    ("POST", "/rule68-offers/{id}/accept", lambda r, o: {}, "plaintiff_client",
     "plaintiff_counsel", False),
    ("GET", "/rule68-offers/{id}/filing-package", None, "room_admin", "plaintiff_client", True),
    ("GET", "/rule68-offers/{id}/export", None, "neutral", "defense_counsel", False),
    ("POST", "/service-consents", lambda r, o: {"party_id": r.parties["plaintiff"]},
     "plaintiff_client", "plaintiff_counsel", False),
    ("PUT", "/liability-hearing", lambda r, o: {"hearing_date": "2027-06-01"},
     "plaintiff_counsel", "room_admin", False),
]


@pytest.mark.parametrize("index", range(len(ENDPOINTS)))
def test_endpoint_401_404_403_and_valid(api, room, index):
    method, suffix, body_of, wrong, valid, accepted = ENDPOINTS[index]
    offer = api.rule68_offer(room)
    if accepted:
        assert post(api, room, f"/rule68-offers/{offer['id']}/accept",
                    "plaintiff_counsel").status_code == 200
    path = url(room, suffix.format(id=offer["id"]))
    body = body_of(room, offer) if body_of else None
    assert api.client.request(method, path, json=body).status_code == 401
    r = api.client.request(method, path, json=body, headers=room.users["outsider"].headers)
    assert r.status_code == 404
    r = api.client.request(method, path, json=body, headers=room.users[wrong].headers)
    assert r.status_code == 403 and r.json()["code"] == "role_not_allowed"
    r = api.client.request(method, path, json=body, headers=room.users[valid].headers)
    assert r.status_code in (200, 201), r.text


def test_withdraw_and_cost_comparison_access(api, room):
    offer = api.rule68_offer(room)
    for suffix, body, wrong in [("withdraw", None, "defense_client"),
                                ("cost-comparison", {"judgment_amount_cents": 1,
                                                     "pre_offer_costs_cents": 0}, "auditor")]:
        path = url(room, f"/rule68-offers/{offer['id']}/{suffix}")
        assert api.client.post(path, json=body).status_code == 401
        assert api.client.post(path, json=body,
                               headers=room.users["outsider"].headers).status_code == 404
        assert api.client.post(path, json=body,
                               headers=room.users[wrong].headers).status_code == 403
    r = post(api, room, f"/rule68-offers/{offer['id']}/withdraw", "plaintiff_counsel")
    assert r.status_code == 403 and r.json()["code"] == "not_offering_party"


# --- visibility -------------------------------------------------------------------------------

VISIBLE = {"plaintiff_counsel": 200, "plaintiff_client": 200, "defense_counsel": 200,
           "defense_client": 200, "pro_se": 404, "neutral": 403, "auditor": 403,
           "room_admin": 403, "outsider": 404}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_visibility_matrix(api, room, role):
    offer = api.rule68_offer(room)
    headers = room.users[role].headers
    r = api.client.get(url(room, f"/rule68-offers/{offer['id']}"), headers=headers)
    assert r.status_code == VISIBLE[role]
    listing = api.client.get(url(room, "/rule68-offers"), headers=headers)
    if VISIBLE[role] == 200:
        assert [o["id"] for o in listing.json()] == [offer["id"]]
    elif role == "pro_se":
        assert listing.json() == []
    else:
        assert listing.status_code in (403, 404)


# --- eligibility ------------------------------------------------------------------------------

def test_no_claims_means_plaintiffs_against_defendants(api, room):
    r = post(api, room, "/rule68-offers", "plaintiff_counsel",
             serve_body(room, offeror="plaintiff", offeree="defendant"))
    assert r.status_code == 403 and r.json()["code"] == "not_a_defending_party"
    r = post(api, room, "/rule68-offers", "defense_counsel",
             serve_body(room, offeror="defendant", offeree="defendant2"))
    assert r.status_code == 403 and r.json()["code"] == "not_a_defending_party"
    r = post(api, room, "/rule68-offers", "pro_se", serve_body(room, offeror="defendant"))
    assert r.status_code == 403 and r.json()["code"] == "not_a_defending_party"
    assert post(api, room, "/rule68-offers", "pro_se",
                serve_body(room, offeror="defendant2")).status_code == 201
    assert len(events_named(api.app, "rule68.serve", "denied")) == 3


def test_counterclaim_lets_the_plaintiff_serve(api, room):
    def claim(claimant, defenders):
        r = api.client.post(url(room, "/claims"), headers=room.admin.headers, json={
            "claimant_party_id": room.parties[claimant],
            "defending_party_ids": [room.parties[d] for d in defenders], "description": "c"})
        assert r.status_code == 201
        return r.json()["id"]

    main = claim("plaintiff", ["defendant"])
    counter = claim("defendant", ["plaintiff"])
    assert post(api, room, "/rule68-offers", "plaintiff_counsel", serve_body(
        room, offeror="plaintiff", offeree="defendant", claim_id=counter)).status_code == 201
    # defendant2 defends no recorded claim any more
    r = post(api, room, "/rule68-offers", "pro_se", serve_body(room, offeror="defendant2"))
    assert r.status_code == 403 and r.json()["code"] == "not_a_defending_party"
    r = post(api, room, "/rule68-offers", "defense_counsel",
             serve_body(room, claim_id=counter))  # the defendant brings that claim
    assert r.status_code == 403 and r.json()["code"] == "not_a_defending_party"
    assert post(api, room, "/rule68-offers", "defense_counsel",
                serve_body(room, claim_id=main)).status_code == 201
    r = post(api, room, "/rule68-offers", "defense_counsel",
             serve_body(room, claim_id="00000000-0000-4000-8000-000000000000"))
    assert r.status_code == 422 and r.json()["code"] == "unknown_claim"


def test_consent_to_electronic_service_is_required(api, clock):
    room = api.room()
    r = post(api, room, "/rule68-offers", "defense_counsel", serve_body(room))
    assert r.status_code == 409 and r.json()["code"] == "no_electronic_service_consent"
    post(api, room, "/service-consents", "defense_counsel", {"party_id": room.parties["defendant"]})
    # service by mail, recorded with its date, needs no consent (FRCP 5(b)(2)(C))
    r = post(api, room, "/rule68-offers", "defense_counsel",
             serve_body(room, service_method="mail", served_at="2026-11-01T12:00:00Z"))
    assert r.status_code == 201, r.text
    consents = api.client.get(url(room, "/service-consents"), headers=room.users["auditor"].headers)
    assert [c["party_id"] for c in consents.json()] == [room.parties["defendant"]]
    r = post(api, room, "/service-consents", "defense_counsel",
             {"party_id": room.parties["plaintiff"]})
    assert r.status_code == 403 and r.json()["code"] == "not_your_party"


# --- timing -----------------------------------------------------------------------------------

def test_too_close_to_trial_counts_back_past_thanksgiving(api, room, clock):
    api.client.patch(url(room, ""), headers=room.admin.headers, json={"trial_date": "2026-12-10"})
    clock.set(at("2026-11-26T15:00:00Z"))  # 14 days before trial is Thanksgiving
    r = post(api, room, "/rule68-offers", "defense_counsel", serve_body(room))
    assert r.status_code == 422 and r.json()["code"] == "too_close_to_trial"
    r = post(api, room, "/rule68-offers", "defense_counsel", serve_body(
        room, service_method="mail", served_at="2026-11-26T14:00:00Z"))
    assert r.status_code == 422 and r.json()["code"] == "too_close_to_trial"
    clock.set(at("2026-11-25T20:00:00Z"))
    assert post(api, room, "/rule68-offers", "defense_counsel",
                serve_body(room)).status_code == 201


def test_too_close_to_the_hearing_on_the_extent_of_liability(api, room, clock):
    api.client.patch(url(room, ""), headers=room.admin.headers, json={"trial_date": "2026-12-10"})
    r = api.client.put(url(room, "/liability-hearing"), headers=room.admin.headers,
                       json={"hearing_date": "2027-01-15"})
    # Without liable_party_ids, every party defending a claim is taken as held liable.
    assert r.json() == {"case_id": room.id, "liability_determined": True,
                        "hearing_date": "2027-01-15", "claim_ids": [],
                        "liable_party_ids": sorted([room.parties["defendant"],
                                                    room.parties["defendant2"]])}
    clock.set(at("2027-01-01T15:00:00Z"))  # 14 days before is New Year's Day: back to Dec 31
    r = post(api, room, "/rule68-offers", "defense_counsel", serve_body(room))
    assert r.status_code == 422 and r.json()["code"] == "too_close_to_hearing"
    clock.set(at("2026-12-31T15:00:00Z"))  # after trial began, but 68(c) governs now
    assert post(api, room, "/rule68-offers", "defense_counsel",
                serve_body(room)).status_code == 201
    r = api.client.put(url(room, "/liability-hearing"), headers=room.admin.headers,
                       json={"hearing_date": None})
    assert r.json()["liability_determined"] is False


# --- the 14-day window ------------------------------------------------------------------------

@pytest.mark.parametrize("when,status,code", [
    # The room's court is in California: the window ends at midnight Pacific, not New York.
    ("2026-12-01T07:59:59Z", 200, None),  # 11:59:59 pm in Los Angeles on Monday Nov 30
    ("2026-12-01T08:00:00Z", 409, "acceptance_window_closed"),
])
def test_window_rolls_over_thanksgiving_and_the_day_after(api, room, clock, when, status, code):
    clock.set(at("2026-11-12T15:00:00Z"))
    offer = api.rule68_offer(room)
    assert offer["served_on"] == "2026-11-12"
    assert offer["acceptance_deadline"] == "2026-11-30"
    text = " ".join(offer["deadline_explanation"])
    assert "Thanksgiving" in text and "Day after Thanksgiving" in text and "FRCP 68(a)" in text
    clock.set(at("2026-11-20T12:00:00Z"))
    r = post(api, room, f"/rule68-offers/{offer['id']}/withdraw", "defense_counsel")
    assert r.status_code == 409 and r.json()["code"] == "offer_irrevocable"
    # 68(b): an open offer does not preclude a later one; each keeps its own window.
    later = post(api, room, "/rule68-offers", "defense_counsel", serve_body(room))
    assert later.status_code == 201 and later.json()["acceptance_deadline"] == "2026-12-04"
    clock.set(at(when))
    r = post(api, room, f"/rule68-offers/{offer['id']}/accept", "plaintiff_counsel")
    assert r.status_code == status
    if code:
        assert r.json()["code"] == code
        got = api.client.get(url(room, f"/rule68-offers/{offer['id']}"),
                             headers=room.users["plaintiff_client"].headers).json()
        assert got["status"] == "withdrawn"
        r = post(api, room, f"/rule68-offers/{offer['id']}/withdraw", "defense_counsel")
        assert r.status_code == 409 and r.json()["code"] == "offer_not_open"
        later = post(api, room, "/rule68-offers", "defense_counsel", serve_body(room))
        assert later.status_code == 201  # 68(b): no bar to a later offer
    else:
        assert r.json()["status"] == "accepted"
        r = post(api, room, f"/rule68-offers/{offer['id']}/withdraw", "defense_counsel")
        assert r.status_code == 409 and r.json()["code"] == "offer_not_open"


def test_service_by_mail_adds_three_days(api, room, clock):
    clock.set(at("2026-06-10T12:00:00Z"))
    offer = api.rule68_offer(room, service_method="mail", served_at="2026-06-04T14:00:00Z")
    # 14 days after Thu June 4 is Thu June 18; +3 for mail is Sun June 21 -> Mon June 22
    assert (offer["served_on"], offer["acceptance_deadline"]) == ("2026-06-04", "2026-06-22")
    assert any("FRCP 6(d)" in line for line in offer["deadline_explanation"])
    r = post(api, room, "/rule68-offers", "pro_se", serve_body(
        room, offeror="defendant2", served_at="2026-06-04T14:00:00Z"))
    assert r.status_code == 422 and r.json()["code"] == "served_at_not_allowed"
    r = post(api, room, "/rule68-offers", "pro_se", serve_body(
        room, offeror="defendant2", service_method="personal",
        served_at="2026-06-11T14:00:00Z"))
    assert r.status_code == 422 and r.json()["code"] == "served_at_in_future"


@pytest.mark.parametrize("patch", [
    {"costs": "maybe"}, {"service_method": "pigeon"}, {"amount_cents": -5},
    {"offeree_party_ids": []}, {"served_at": "2026-01-01T00:00:00"}, {"terms": "\x00"},
    {"offeree_party_id": None},
])
def test_bad_input_is_422(api, room, patch):
    r = post(api, room, "/rule68-offers", "defense_counsel", serve_body(room, **patch))
    assert r.status_code == 422


def test_accept_with_terms_hash_and_idempotency_key(api, room):
    offer = api.rule68_offer(room)
    r = post(api, room, f"/rule68-offers/{offer['id']}/accept", "plaintiff_counsel",
             {"terms_sha256": "a" * 64})
    assert r.status_code == 409 and r.json()["code"] == "terms_mismatch"
    first = post(api, room, f"/rule68-offers/{offer['id']}/accept", "plaintiff_counsel",
                 {"terms_sha256": offer["terms_sha256"]}, **{"Idempotency-Key": "k-1"})
    again = post(api, room, f"/rule68-offers/{offer['id']}/accept", "plaintiff_counsel",
                 {"terms_sha256": offer["terms_sha256"]}, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert len(events_named(api.app, "rule68.accept")) == 1
    r = post(api, room, f"/rule68-offers/{offer['id']}/accept", "plaintiff_counsel")
    assert r.status_code == 409 and r.json()["code"] == "offer_not_open"
    r = post(api, room, f"/rule68-offers/{offer['id']}/accept", "defense_counsel")
    assert r.status_code == 403 and r.json()["code"] == "not_an_offeree"


# --- joint offers -----------------------------------------------------------------------------

def test_joint_offer_needs_every_offeree(api, clock):
    admin = api.user("room-admin")
    case_id = api.case(admin)
    parties = {"p1": api.party(case_id, admin, "P One", "plaintiff"),
               "p2": api.party(case_id, admin, "P Two", "plaintiff", represented=False),
               "d": api.party(case_id, admin, "D Corp", "defendant")}
    users = {}
    for label, role, party in [("p1", "counsel", "p1"), ("p2", "pro_se", "p2"),
                               ("d", "counsel", "d")]:
        users[label] = api.user(label)
        api.member(case_id, admin, users[label], role, parties[party])
        r = api.client.post(f"/api/v1/cases/{case_id}/service-consents",
                            headers=users[label].headers, json={"party_id": parties[party]})
        assert r.status_code == 201
    base = f"/api/v1/cases/{case_id}/rule68-offers"
    r = api.client.post(base, headers=users["d"].headers, json={
        "offeror_party_id": parties["d"], "offeree_party_ids": [parties["p1"], parties["p2"]],
        "amount_cents": 100_000, "costs": "included", "terms": "Joint judgment"})
    assert r.status_code == 201, r.text
    offer = r.json()
    r = api.client.post(f"{base}/{offer['id']}/accept", headers=users["p1"].headers)
    assert r.status_code == 200 and r.json()["status"] == "open"
    assert [a["accepted_at"] is not None for a in r.json()["acceptances"]].count(True) == 1
    r = api.client.post(f"{base}/{offer['id']}/accept", headers=users["p1"].headers)
    assert r.status_code == 409 and r.json()["code"] == "already_accepted"
    r = api.client.get(f"{base}/{offer['id']}/filing-package", headers=users["d"].headers)
    assert r.status_code == 409 and r.json()["code"] == "offer_not_accepted"
    r = api.client.post(f"{base}/{offer['id']}/accept", headers=users["p2"].headers)
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    r = api.client.get(f"{base}/{offer['id']}/filing-package", headers=users["p2"].headers)
    assert r.status_code == 200
