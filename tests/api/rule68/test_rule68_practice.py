"""Rule 68 as practiced, through HTTP: several open offers (68(b)), 68(c) only for the party
held liable, apportioned and unapportioned joint offers, service and acceptance made outside
the room with a certificate (backdated flag, bound, mailed acceptance on the last day),
the attorney's-fees term, consent only where FRCP 5(b)(2) asks, and fees and interest in
the 68(d) comparison."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from tests.api.offers.conftest import events_named

BASE = "/api/v1/cases/{case}"
CERT = {"served_by_name": "A. Paralegal", "served_on": "Counsel for the other side, by mail",
        "text": "I certify that I served the paper named above by first-class mail."}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def url(room, suffix: str) -> str:
    return BASE.format(case=room.id) + suffix


def body(room, offeror="defendant", offeree="plaintiff", **fields):
    return {"offeror_party_id": room.parties[offeror], "offeree_party_id": room.parties[offeree],
            "amount_cents": 5_000_000, "costs": "plus_accrued", "terms": "Judgment",
            **fields}


def post(api, room, suffix, by, json=None):
    return api.client.post(url(room, suffix), headers=room.users[by].headers, json=json)


def get(api, room, offer_id, by):
    r = api.client.get(url(room, f"/rule68-offers/{offer_id}"), headers=room.users[by].headers)
    assert r.status_code == 200, r.text
    return r.json()


def codes(offer) -> set[str]:
    return {w["code"] for w in offer["warnings"]}


@pytest.fixture
def room(api, clock):
    room = api.room()
    api.consent_all(room)
    return room


def test_several_open_offers_to_the_same_offeree(api, room, clock):
    first = api.rule68_offer(room)
    clock.advance(days=3)
    second = api.rule68_offer(room, amount_cents=9_000_000)
    listing = api.client.get(url(room, "/rule68-offers"),
                             headers=room.users["plaintiff_counsel"].headers).json()
    assert [(o["id"], o["status"]) for o in listing] == [(first["id"], "open"),
                                                         (second["id"], "open")]
    assert first["acceptance_deadline"] != second["acceptance_deadline"]


def test_68c_only_for_the_party_held_liable(api, room, clock):
    api.client.patch(url(room, ""), headers=room.admin.headers, json={"trial_date": "2026-12-10"})
    r = api.client.put(url(room, "/liability-hearing"), headers=room.admin.headers, json={
        "hearing_date": "2027-01-15", "liable_party_ids": [room.parties["defendant"]]})
    assert r.status_code == 200
    assert r.json()["liable_party_ids"] == [room.parties["defendant"]]
    clock.set(at("2026-12-20T15:00:00Z"))  # trial has begun; the hearing is 26 days away
    # Rich Roe was not held liable: 68(a) still measures from trial.
    r = post(api, room, "/rule68-offers", "pro_se", body(room, offeror="defendant2"))
    assert r.status_code == 422 and r.json()["code"] == "too_close_to_trial"
    assert post(api, room, "/rule68-offers", "defense_counsel", body(room)).status_code == 201
    bad = api.client.put(url(room, "/liability-hearing"), headers=room.admin.headers, json={
        "hearing_date": "2027-01-15", "liable_party_ids": [room.users["outsider"].id]})
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_party"


def test_68c_covers_only_the_claims_named(api, room, clock):
    def claim(claimant, defenders):
        r = api.client.post(url(room, "/claims"), headers=room.admin.headers, json={
            "claimant_party_id": room.parties[claimant],
            "defending_party_ids": [room.parties[d] for d in defenders], "description": "c"})
        assert r.status_code == 201
        return r.json()["id"]

    contract, fraud = claim("plaintiff", ["defendant"]), claim("plaintiff", ["defendant"])
    api.client.patch(url(room, ""), headers=room.admin.headers, json={"trial_date": "2026-12-10"})
    api.client.put(url(room, "/liability-hearing"), headers=room.admin.headers, json={
        "hearing_date": "2027-01-15", "liable_party_ids": [room.parties["defendant"]],
        "claim_ids": [contract]})
    clock.set(at("2026-12-20T15:00:00Z"))
    r = post(api, room, "/rule68-offers", "defense_counsel", body(room, claim_id=fraud))
    assert r.status_code == 422 and r.json()["code"] == "too_close_to_trial"
    r = post(api, room, "/rule68-offers", "defense_counsel", body(room))  # the whole case
    assert r.status_code == 422 and r.json()["code"] == "too_close_to_trial"
    r = post(api, room, "/rule68-offers", "defense_counsel", body(room, claim_id=contract))
    assert r.status_code == 201, r.text


def joint_room(api):
    admin = api.user("room-admin")
    case_id = api.case(admin)
    parties = {"p1": api.party(case_id, admin, "P One", "plaintiff"),
               "p2": api.party(case_id, admin, "P Two", "plaintiff"),
               "d": api.party(case_id, admin, "D Corp", "defendant")}
    users = {}
    for label in parties:
        users[label] = api.user(label)
        api.member(case_id, admin, users[label], "counsel", parties[label])
        r = api.client.post(f"/api/v1/cases/{case_id}/service-consents",
                            headers=users[label].headers, json={"party_id": parties[label]})
        assert r.status_code == 201
    return case_id, parties, users


def test_joint_offers_apportioned_or_warned(api, clock):
    case_id, parties, users = joint_room(api)
    base = f"/api/v1/cases/{case_id}/rule68-offers"
    joint = {"offeror_party_id": parties["d"], "offeree_party_ids": [parties["p1"], parties["p2"]],
             "amount_cents": 100_000, "costs": "included", "terms": "Joint judgment",
             "attorney_fees": "included"}
    r = api.client.post(base, headers=users["d"].headers, json={**joint, "offeree_amounts": [
        {"party_id": parties["p1"], "amount_cents": 60_000},
        {"party_id": parties["p2"], "amount_cents": 30_000}]})
    assert r.status_code == 422 and r.json()["code"] == "apportionment_mismatch"
    plain = api.client.post(base, headers=users["d"].headers, json=joint).json()
    warning = next(w for w in plain["warnings"] if w["code"] == "unapportioned_joint_offer")
    assert "Gavoni v. Dobbs House" in warning["text"] and plain["offeree_amounts"] is None
    shares = [{"party_id": parties["p1"], "amount_cents": 70_000},
              {"party_id": parties["p2"], "amount_cents": 30_000}]
    split = api.client.post(base, headers=users["d"].headers,
                            json={**joint, "offeree_amounts": shares}).json()
    assert codes(split) == set() and split["offeree_amounts"] == shares
    seen = api.client.get(f"{base}/{split['id']}", headers=users["p2"].headers).json()
    assert seen["offeree_amounts"] == shares
    export = api.client.get(f"{base}/{split['id']}/export", headers=users["p1"].headers)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(
        io.BytesIO(export.content)).pages).split())
    assert "Of this amount, USD 700.00 to P One." in text
    clock.advance(days=30)
    compare = {"judgment_amount_cents": 29_000, "pre_offer_costs_cents": 0}
    r = api.client.post(f"{base}/{split['id']}/cost-comparison", headers=users["d"].headers,
                        json=compare)
    assert r.status_code == 422 and r.json()["code"] == "offeree_party_required"
    r = api.client.post(f"{base}/{split['id']}/cost-comparison", headers=users["d"].headers,
                        json={**compare, "offeree_party_id": parties["p2"]})
    assert r.json()["offer_value_cents"] == 30_000
    assert r.json()["offeree_pays_post_offer_costs"] is True
    r = api.client.post(f"{base}/{plain['id']}/cost-comparison", headers=users["d"].headers,
                        json=compare)
    assert "Gavoni" in r.json()["explanation"][0]


def test_attorney_fees_term_and_the_silent_warning(api, room):
    silent = api.rule68_offer(room)
    assert silent["attorney_fees"] == "silent"
    warning = next(w for w in silent["warnings"] if w["code"] == "attorney_fees_silent")
    assert "Nusom v. COMH Woodburn" in warning["text"] and "Marek" in warning["text"]
    excluded = api.rule68_offer(room, attorney_fees="excluded")
    export = api.client.get(url(room, f"/rule68-offers/{excluded['id']}/export"),
                            headers=room.users["plaintiff_counsel"].headers)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(
        io.BytesIO(export.content)).pages).split())
    assert "plus costs then accrued, attorney's fees not included, on the following" in text
    assert excluded["attorney_fees"] == "excluded" and codes(excluded) == set()
    assert excluded["terms_sha256"] != silent["terms_sha256"]
    r = post(api, room, "/rule68-offers", "defense_counsel", body(room, attorney_fees="maybe"))
    assert r.status_code == 422


def test_consent_only_where_the_rule_asks(api, clock):
    room = api.room()  # nobody has consented to anything
    r = post(api, room, "/rule68-offers", "defense_counsel", body(room))
    assert r.status_code == 409 and r.json()["code"] == "no_electronic_service_consent"
    for method in ("mail", "personal", "clerk"):  # no consent, not even the offeror's
        r = post(api, room, "/rule68-offers", "defense_counsel",
                 body(room, service_method=method, certificate=CERT))
        assert r.status_code == 201, (method, r.text)
    r = post(api, room, "/rule68-offers", "defense_counsel",
             body(room, service_method="other", certificate=CERT))
    assert r.status_code == 409 and r.json()["code"] == "no_other_means_consent"
    r = post(api, room, "/service-consents", "plaintiff_counsel", {
        "party_id": room.parties["plaintiff"], "kind": "other",
        "means": "e-mail to the firm's docketing address"})
    assert r.status_code == 201 and r.json()["rule"] == "FRCP 5(b)(2)(F)"
    offer = post(api, room, "/rule68-offers", "defense_counsel",
                 body(room, service_method="other", certificate=CERT))
    assert offer.status_code == 201
    # The offeree accepting through the room serves the offeror electronically: its consent.
    r = post(api, room, f"/rule68-offers/{offer.json()['id']}/accept", "plaintiff_counsel")
    assert r.status_code == 409 and r.json()["code"] == "no_electronic_service_consent"
    r = post(api, room, "/service-consents", "plaintiff_counsel",
             {"party_id": room.parties["plaintiff"], "kind": "other"})
    assert r.status_code == 422


def test_service_outside_the_room_backdated_and_bounded(api, room, clock):
    clock.set(at("2026-11-20T18:00:00Z"))
    offer = api.rule68_offer(room, service_method="clerk", served_at="2026-11-16T17:00:00Z",
                             certificate={**CERT, "text": None, "document_sha256": "b" * 64})
    assert offer["backdated"] is True and "backdated_service" in codes(offer)
    export = api.client.get(url(room, f"/rule68-offers/{offer['id']}/export"),
                            headers=room.users["plaintiff_counsel"].headers)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(
        io.BytesIO(export.content)).pages).split())
    assert "Certificate of service: A. Paralegal served" in text
    assert "(dated before the day it was recorded)" in text and "b" * 64 in text
    cert = offer["certificates"][0]
    assert (cert["kind"], cert["method"], cert["rule"], cert["document_sha256"]) == (
        "service", "clerk", "FRCP 5(b)(2)(D)", "b" * 64)
    # 14 days after Mon Nov 16 is Mon Nov 30; leaving with the clerk adds 3 (FRCP 6(d)).
    assert offer["acceptance_deadline"] == "2026-12-03"
    seen = get(api, room, offer["id"], "plaintiff_counsel")
    assert seen["backdated"] is True and seen["certificates"][0]["served_by_name"] == "A. Paralegal"
    today = api.rule68_offer(room, service_method="personal", served_at="2026-11-20T16:00:00Z")
    assert today["backdated"] is False and "no_certificate_of_service" in codes(today)
    r = post(api, room, "/rule68-offers", "defense_counsel", body(
        room, service_method="mail", served_at="2026-10-20T16:00:00Z", certificate=CERT))
    assert r.status_code == 422 and r.json()["code"] == "served_at_too_far_back"
    r = post(api, room, "/rule68-offers", "defense_counsel", body(room, certificate=CERT))
    assert r.status_code == 422 and r.json()["code"] == "served_at_not_allowed"
    r = post(api, room, "/rule68-offers", "defense_counsel", body(
        room, service_method="mail", certificate={"served_by_name": "A", "served_on": "B"}))
    assert r.status_code == 422


def test_acceptance_mailed_on_the_last_day_is_timely(api, room, clock):
    clock.set(at("2026-11-12T15:00:00Z"))
    offer = api.rule68_offer(room)  # last day Mon Nov 30, until midnight Pacific
    path = f"/rule68-offers/{offer['id']}/acceptances"
    clock.set(at("2026-12-03T17:00:00Z"))  # the mail arrives; the window closed days ago
    assert get(api, room, offer["id"], "defense_counsel")["status"] == "withdrawn"
    late = {"service_method": "mail", "served_at": "2026-12-01T08:00:00Z", "certificate": CERT}
    r = post(api, room, path, "plaintiff_counsel", late)
    assert r.status_code == 409 and r.json()["code"] == "acceptance_window_closed"
    r = post(api, room, path, "defense_counsel", {**late, "served_at": "2026-11-30T23:00:00Z"})
    assert r.status_code == 403 and r.json()["code"] == "not_an_offeree"
    timely = {**late, "served_at": "2026-12-01T07:30:00Z",  # 11:30 pm Pacific, Nov 30
              "terms_sha256": offer["terms_sha256"]}
    r = post(api, room, path, "plaintiff_counsel", timely)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted"
    for viewer in ("defense_counsel", "plaintiff_client"):
        seen = get(api, room, offer["id"], viewer)
        acceptance = seen["acceptances"][0]
        assert (acceptance["method"], acceptance["backdated"]) == ("mail", True)
        assert acceptance["accepted_at"] == "2026-12-01T07:30:00Z"
        assert "backdated_acceptance" in codes(seen)
        assert [c["kind"] for c in seen["certificates"]] == ["acceptance"]
    assert len(events_named(api.app, "rule68.record_acceptance")) == 1
    r = post(api, room, path, "plaintiff_counsel", timely)
    assert r.status_code == 409 and r.json()["code"] == "already_accepted"
    package = api.client.get(url(room, f"/rule68-offers/{offer['id']}/filing-package"),
                             headers=room.users["defense_counsel"].headers)
    assert package.status_code == 200
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(
        io.BytesIO(package.content)).pages).split())
    assert "by mail service outside the room (FRCP 5(b)(2)(C)), complete on mailing" in text
    assert "11:30 pm Pacific Standard Time, Monday, November 30, 2026" in text


def test_recorded_acceptance_refusals(api, room, clock):
    clock.set(at("2026-11-12T15:00:00Z"))
    offer = api.rule68_offer(room)
    clock.set(at("2026-11-12T17:00:00Z"))
    path = f"/rule68-offers/{offer['id']}/acceptances"
    base = {"service_method": "personal", "certificate": CERT}
    r = post(api, room, path, "plaintiff_counsel", {**base, "served_at": "2026-11-12T14:00:00Z"})
    assert r.status_code == 422 and r.json()["code"] == "served_at_before_offer"
    r = post(api, room, path, "plaintiff_counsel", {**base, "served_at": "2026-11-13T14:00:00Z"})
    assert r.status_code == 422 and r.json()["code"] == "served_at_in_future"
    r = post(api, room, path, "plaintiff_counsel", {**base, "service_method": "other",
                                                    "served_at": "2026-11-12T15:30:00Z"})
    assert r.status_code == 409 and r.json()["code"] == "no_other_means_consent"
    r = post(api, room, path, "plaintiff_counsel", {**base, "service_method": "electronic",
                                                    "served_at": "2026-11-12T15:30:00Z"})
    assert r.status_code == 422
    r = post(api, room, path, "plaintiff_counsel", {**base, "served_at": "2026-11-12T15:30:00Z"})
    assert r.status_code == 200 and r.json()["acceptances"][0]["backdated"] is False


@pytest.mark.parametrize("costs,fees_term,fees_are_costs,pays", [
    # lump sum 5,000,000 including costs; judgment 4,500,000 + costs 100,000 + interest 200,000
    ("included", "included", True, False),  # + fees 300,000 -> 5,100,000 beats the offer
    ("included", "silent", True, False),  # Marek: silent on fees, fees are costs, included
    ("included", "excluded", True, True),  # fees on top of the offer stand on both sides
    ("included", "included", False, True),  # fees are not costs: left out
    ("plus_accrued", "silent", True, True),  # fees then accrued are on top of the offer
])
def test_cost_comparison_with_fees_and_interest(api, room, clock, costs, fees_term,
                                                fees_are_costs, pays):
    offer = api.rule68_offer(room, costs=costs, attorney_fees=fees_term,
                             amount_cents=5_000_000)
    clock.advance(days=30)
    r = post(api, room, f"/rule68-offers/{offer['id']}/cost-comparison", "defense_counsel", {
        "judgment_amount_cents": 4_500_000, "pre_offer_costs_cents": 100_000,
        "pre_offer_fees_cents": 300_000, "pre_offer_interest_cents": 200_000,
        "fees_are_costs": fees_are_costs})
    assert r.status_code == 200, r.text
    assert r.json()["offeree_pays_post_offer_costs"] is pays
    assert any("interest" in line for line in r.json()["explanation"])


def test_plain_words_for_clients_and_everyone(api, room, clock):
    clock.set(at("2026-11-12T15:00:00Z"))
    offer = api.rule68_offer(room)
    client = get(api, room, offer["id"], "plaintiff_client")
    words = " ".join(client["plain_words"])
    assert "Last moment to accept: by 11:59 pm Pacific, Monday, November 30." in words
    assert "If you do nothing, the offer lapses" in words
    assert "you pay the other side's costs from the day of the offer" in words
    assert "only a party defending against a claim" in words
    assert "settlement conference" in words and "talk to your lawyer" in words
    assert client["deadline_explanation"][-1] == (
        "In plain words: the offer can be accepted until 11:59 pm Pacific, Monday, November 30.")
    counsel = get(api, room, offer["id"], "defense_counsel")
    assert "talk to your lawyer" not in " ".join(counsel["plain_words"])
    clock.set(at("2026-12-01T08:00:00Z"))
    listed = api.client.get(url(room, "/rule68-offers"),
                            headers=room.users["defense_client"].headers).json()[0]
    assert listed["plain_words"][0].startswith(
        "The time to accept ended at 11:59 pm Pacific, Monday, November 30")
    assert "talk to your lawyer" in " ".join(listed["plain_words"])
