"""FRE 408 settlement offers through HTTP: per endpoint 401/404/403/valid, the visibility
matrix, the state machine, expiry by the clock, Rule 4.2, signatures and the memorandum."""

from __future__ import annotations

import base64
import io
import uuid

import pytest
from pypdf import PdfReader

from crypto.signing import InvalidSignature, load_public_key_pem, verify_document
from tests.api.offers.conftest import audit_events, events_named
from tests.papers import assert_court_ready
from tests.tools import same_answer

BASE = "/api/v1/cases/{case}/offers"


@pytest.fixture
def room(api):
    return api.room()


def url(room, suffix: str = "") -> str:
    return BASE.format(case=room.id) + suffix


def accept(api, room, offer, by="defense_counsel", **headers):
    return api.client.post(url(room, f"/{offer['id']}/accept"),
                           headers={**room.users[by].headers, **headers},
                           json={"terms_sha256": offer["terms_sha256"]})


# --- each endpoint: anonymous, non-member, wrong role, valid -------------------------------

ENDPOINTS = [
    # (method, suffix builder, body builder, wrong role)
    ("POST", lambda o: "", lambda room, o: {
        "from_party_id": room.parties["plaintiff"], "to_party_id": room.parties["defendant"],
        "amount_cents": 1, "terms": "t"}, "plaintiff_client"),
    ("GET", lambda o: "", None, "auditor"),
    ("GET", lambda o: f"/{o['id']}", None, "room_admin"),
    ("POST", lambda o: f"/{o['id']}/accept", lambda room, o: {
        "terms_sha256": o["terms_sha256"]}, "defense_client"),
    ("POST", lambda o: f"/{o['id']}/reject", None, "defense_client"),
    ("POST", lambda o: f"/{o['id']}/withdraw", None, "plaintiff_client"),
]
VALID_BY = ["plaintiff_counsel", "plaintiff_client", "defense_counsel", "defense_counsel",
            "defense_counsel", "plaintiff_counsel"]


@pytest.mark.parametrize("index", range(len(ENDPOINTS)))
def test_endpoint_401_404_403_and_valid(api, room, index):
    method, suffix, body_of, wrong = ENDPOINTS[index]
    offer = api.offer(room)
    path = url(room, suffix(offer))
    body = body_of(room, offer) if body_of else None
    assert api.client.request(method, path, json=body).status_code == 401
    r = api.client.request(method, path, json=body, headers=room.users["outsider"].headers)
    assert r.status_code == 404 and r.json()["code"] == "case_not_found"
    r = api.client.request(method, path, json=body, headers=room.users[wrong].headers)
    assert r.status_code == 403 and r.json()["code"] == "role_not_allowed"
    r = api.client.request(method, path, json=body, headers=room.users[VALID_BY[index]].headers)
    assert r.status_code in (200, 201), r.text


def test_memorandum_endpoint(api, room):
    offer = api.offer(room)
    path = url(room, f"/{offer['id']}/memorandum")
    assert api.client.get(path).status_code == 401
    assert api.client.get(path, headers=room.users["outsider"].headers).status_code == 404
    assert api.client.get(path, headers=room.users["auditor"].headers).status_code == 403
    r = api.client.get(path, headers=room.users["plaintiff_counsel"].headers)
    assert r.status_code == 409 and r.json()["code"] == "offer_not_accepted"
    assert accept(api, room, offer).status_code == 200
    r = api.client.get(path, headers=room.users["plaintiff_client"].headers)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages]
    text = " ".join(" ".join(pages).split())
    assert "12,345.67" in text and "Mutual release" in text
    # The legend says what FRE 408 does and does not do; no page promises confidentiality.
    assert all("FRE 408 limits its use as evidence; not privileged" in p for p in pages)
    assert "CONFIDENTIAL SETTLEMENT COMMUNICATION" not in text
    for needle in ("validity or amount of a disputed claim", "prior inconsistent statement",
                   "creates no privilege", "to enforce it", "FRE 408(b)"):
        assert needle in text, needle
    assert "Offering party: Jane Doe" in text and "Accepting party: Acme Corp." in text
    assert "/s/ Defense-Counsel" in text
    assert_court_ready(r.content, text, signer="Plaintiff-Counsel", declaration=False)


# --- visibility ----------------------------------------------------------------------------

VISIBILITY = {
    # role: (CONFIDENTIAL, AEO, CONFIDENTIAL shared with the neutral)
    "plaintiff_counsel": (200, 200, 200),
    "plaintiff_client": (200, 404, 200),
    "defense_counsel": (200, 200, 200),
    "defense_client": (200, 404, 200),
    "pro_se": (404, 404, 404),  # the other defendant: visibility is per party
    "neutral": (404, 404, 200),
    "auditor": (403, 403, 403),
    "room_admin": (403, 403, 403),
    "outsider": (404, 404, 404),
}


@pytest.mark.parametrize("role", sorted(VISIBILITY))
def test_visibility_matrix(api, room, role):
    offers = [api.offer(room), api.offer(room, designation="AEO"),
              api.offer(room, share_with_neutral=True)]
    headers = room.users[role].headers
    expected = VISIBILITY[role]
    for offer, status in zip(offers, expected, strict=True):
        r = api.client.get(url(room, f"/{offer['id']}"), headers=headers)
        assert r.status_code == status, (role, offer["designation"])
    listing = api.client.get(url(room), headers=headers)
    if listing.status_code == 200:
        seen = {o["id"] for o in listing.json()}
        assert seen == {o["id"] for o, s in zip(offers, expected, strict=True) if s == 200}
    else:
        assert listing.status_code == expected[0]


def test_invisible_offer_is_answered_like_an_unknown_id(api, room):
    offer = api.offer(room)
    headers = room.users["pro_se"].headers
    hidden = api.client.get(url(room, f"/{offer['id']}"), headers=headers)
    unknown = api.client.get(url(room, f"/{uuid.uuid4()}"), headers=headers)
    assert hidden.status_code == unknown.status_code == 404
    assert same_answer(hidden.json()) == same_answer(unknown.json())
    r = api.client.post(url(room, f"/{offer['id']}/accept"), headers=headers,
                        json={"terms_sha256": offer["terms_sha256"]})
    assert r.status_code == 404
    other_case = api.room()
    r = api.client.get(BASE.format(case=other_case.id) + f"/{offer['id']}",
                       headers=other_case.users["defense_counsel"].headers)
    assert r.status_code == 404


# --- state machine --------------------------------------------------------------------------

def test_accept_signs_terms_and_parties(api, room, app):
    offer = api.offer(room)
    r = accept(api, room, offer)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "accepted"
    acceptance = body["acceptance"]
    assert acceptance["accepted_by"] == room.users["defense_counsel"].id
    keys = api.client.get("/api/v1/audit/public-keys",
                          headers=room.users["plaintiff_client"].headers).json()
    published = next(k for k in keys if k["key_id"] == acceptance["key_id"])
    public = load_public_key_pem(published["public_key_pem"].encode())
    doc = {"payload": acceptance["signed_payload"], "signature": acceptance["signature"],
           "key_id": acceptance["key_id"], "algorithm": "Ed25519"}
    payload = verify_document(doc, public)
    assert payload["from_party_id"] == room.parties["plaintiff"]
    assert payload["to_party_id"] == room.parties["defendant"]
    assert payload["amount_cents"] == 1_234_567 and payload["terms_sha256"] == offer["terms_sha256"]
    tampered = {**doc, "payload": {**payload, "amount_cents": 1}}
    with pytest.raises(InvalidSignature):
        verify_document(tampered, public)
    assert len(base64.b64decode(acceptance["signature"])) == 64
    again = api.client.get(url(room, f"/{offer['id']}"),
                           headers=room.users["plaintiff_client"].headers)
    assert again.json()["acceptance"] == acceptance


@pytest.mark.parametrize("first,second", [
    ("accept", "accept"), ("accept", "reject"), ("accept", "withdraw"), ("reject", "accept"),
    ("withdraw", "accept"), ("withdraw", "withdraw"), ("reject", "withdraw"),
])
def test_exactly_one_terminal_transition(api, room, first, second):
    offer = api.offer(room)
    by = {"accept": "defense_counsel", "reject": "defense_counsel",
          "withdraw": "plaintiff_counsel"}
    body = {"terms_sha256": offer["terms_sha256"]}

    def act(action):
        return api.client.post(url(room, f"/{offer['id']}/{action}"),
                               headers=room.users[by[action]].headers,
                               json=body if action == "accept" else None)

    r = act(first)
    assert r.status_code == 200
    assert r.json()["status"] == {"accept": "accepted", "reject": "rejected",
                                  "withdraw": "withdrawn"}[first]
    r = act(second)
    assert r.status_code == 409 and r.json()["code"] == "offer_not_open"


def test_terms_mismatch(api, room):
    offer = api.offer(room)
    r = api.client.post(url(room, f"/{offer['id']}/accept"),
                        headers=room.users["defense_counsel"].headers,
                        json={"terms_sha256": "0" * 64})
    assert r.status_code == 409 and r.json()["code"] == "terms_mismatch"
    r = api.client.post(url(room, f"/{offer['id']}/accept"),
                        headers=room.users["defense_counsel"].headers,
                        json={"terms_sha256": "not-a-hash"})
    assert r.status_code == 422
    assert accept(api, room, offer).status_code == 200


def test_wrong_side_cannot_respond_or_withdraw(api, room):
    offer = api.offer(room)
    r = api.client.post(url(room, f"/{offer['id']}/accept"),
                        headers=room.users["plaintiff_counsel"].headers,
                        json={"terms_sha256": offer["terms_sha256"]})
    assert r.status_code == 403 and r.json()["code"] == "not_receiving_party"
    r = api.client.post(url(room, f"/{offer['id']}/withdraw"),
                        headers=room.users["defense_counsel"].headers)
    assert r.status_code == 403 and r.json()["code"] == "not_offering_party"


def test_counter_offer_thread(api, room):
    first = api.offer(room)
    counter = api.offer(room, by="defense_counsel", from_party="defendant",
                        to_party="plaintiff", replies_to=first["id"], amount_cents=500_000)
    assert counter["replies_to"] == first["id"]
    r = api.client.get(url(room, f"/{first['id']}"),
                       headers=room.users["plaintiff_counsel"].headers)
    assert r.json()["status"] == "countered"
    assert accept(api, room, first).json()["code"] == "offer_not_open"
    r = api.client.post(url(room), headers=room.users["defense_counsel"].headers, json={
        "from_party_id": room.parties["defendant"], "to_party_id": room.parties["plaintiff"],
        "amount_cents": 1, "terms": "again", "replies_to": first["id"]})
    assert r.status_code == 409 and r.json()["code"] == "offer_not_open"
    # a reply must run back from the recipient to the maker
    r = api.client.post(url(room), headers=room.users["defense_counsel"].headers, json={
        "from_party_id": room.parties["defendant"], "to_party_id": room.parties["plaintiff"],
        "amount_cents": 1, "terms": "x", "replies_to": counter["id"]})
    assert r.status_code == 422 and r.json()["code"] == "not_a_reply"
    final = api.offer(room, replies_to=counter["id"], amount_cents=900_000)
    assert accept(api, room, final).status_code == 200


def test_a_settled_pair_receives_no_new_offer(api, room, app):
    open_one = api.offer(room, terms="A second proposal on the same claims.")
    first = api.offer(room)
    assert accept(api, room, first).status_code == 200

    def make(by: str, frm: str, to: str, **extra: str) -> dict:
        r = api.client.post(url(room), headers=room.users[by].headers, json={
            "from_party_id": room.parties[frm], "to_party_id": room.parties[to],
            "amount_cents": 1, "terms": "t", **extra})
        return {**r.json(), "http": r.status_code}

    for by, frm, to, extra in [
        ("plaintiff_counsel", "plaintiff", "defendant", {}),
        ("defense_counsel", "defendant", "plaintiff", {}),  # either direction
        ("defense_counsel", "defendant", "plaintiff", {"replies_to": open_one["id"]}),
    ]:
        refused = make(by, frm, to, **extra)
        assert (refused["http"], refused["code"]) == (409, "thread_settled")
        assert "t" not in refused["detail"].split()  # no content in the message
    r = api.client.get(url(room, f"/{open_one['id']}"),
                       headers=room.users["plaintiff_counsel"].headers)
    assert r.json()["status"] == "open"  # the refused counter closed nothing
    # another pair of the same case is a thread of its own
    assert make("plaintiff_counsel", "plaintiff", "defendant2")["http"] == 201
    refusals = [e for e in audit_events(app, room.id)
                if e.action == "offer.make" and e.outcome != "ok"]
    assert len(refusals) == 3


def test_an_offer_left_open_beside_an_accepted_one_cannot_settle_the_pair_twice(api, room, app):
    mine = api.offer(room)  # plaintiff -> defendant
    theirs = api.offer(room, by="defense_counsel", from_party="defendant",
                       to_party="plaintiff", terms="A release of the counterclaim only.")
    assert accept(api, room, mine).status_code == 200
    r = api.client.post(url(room, f"/{theirs['id']}/accept"),
                        headers=room.users["plaintiff_counsel"].headers,
                        json={"terms_sha256": theirs["terms_sha256"]})
    assert (r.status_code, r.json()["code"]) == (409, "thread_settled")
    got = api.client.get(url(room, f"/{theirs['id']}"),
                         headers=room.users["plaintiff_counsel"].headers).json()
    assert got["status"] == "open"
    refused = [e for e in audit_events(app, room.id)
               if e.action == "offer.accept" and e.outcome != "ok"]
    assert len(refused) == 1


def test_expiry_is_derived_from_the_clock(api, room, clock):
    offer = api.offer(room, expires_at="2026-11-03T15:00:00Z")
    assert offer["status"] == "open"
    clock.set(clock.now.replace(day=3))  # exactly the expiry instant
    r = api.client.get(url(room, f"/{offer['id']}"), headers=room.users["defense_counsel"].headers)
    assert r.json()["status"] == "expired"
    r = accept(api, room, offer)
    assert r.status_code == 409 and r.json()["code"] == "offer_not_open"
    r = api.client.post(url(room), headers=room.users["plaintiff_counsel"].headers, json={
        "from_party_id": room.parties["plaintiff"], "to_party_id": room.parties["defendant"],
        "amount_cents": 1, "terms": "t", "expires_at": "2026-11-01T00:00:00Z"})
    assert r.status_code == 422 and r.json()["code"] == "expiry_in_past"


# --- Rule 4.2 -------------------------------------------------------------------------------

def test_clients_cannot_speak(api, room):
    offer = api.offer(room)
    for role, action in [("plaintiff_client", ""), ("defense_client", f"/{offer['id']}/accept"),
                         ("defense_client", f"/{offer['id']}/reject"),
                         ("plaintiff_client", f"/{offer['id']}/withdraw")]:
        body = ({"from_party_id": room.parties["plaintiff"],
                 "to_party_id": room.parties["defendant"], "amount_cents": 1, "terms": "t"}
                if action == "" else {"terms_sha256": offer["terms_sha256"]})
        r = api.client.post(url(room, action), headers=room.users[role].headers, json=body)
        assert r.status_code == 403, (role, action)


def test_pro_se_deals_with_opposing_counsel(api, room):
    offer = api.offer(room, by="pro_se", from_party="defendant2", to_party="plaintiff")
    assert offer["addressed_to"] == "counsel"
    r = api.client.get(url(room, f"/{offer['id']}"), headers=room.users["defense_counsel"].headers)
    assert r.status_code == 404  # the co-defendant's offer is not Acme's business
    reply = api.offer(room, by="plaintiff_counsel", to_party="defendant2")
    assert reply["addressed_to"] == "pro_se"
    assert accept(api, room, reply, by="pro_se").status_code == 200


def test_speaking_for_another_party_and_unreachable_party(api, room):
    r = api.client.post(url(room), headers=room.users["pro_se"].headers, json={
        "from_party_id": room.parties["defendant"], "to_party_id": room.parties["plaintiff"],
        "amount_cents": 1, "terms": "t"})
    assert r.status_code == 403 and r.json()["code"] == "not_your_party"
    lonely = api.party(room.id, room.admin, "Intervenor LLC", "third_party")
    r = api.client.post(url(room), headers=room.users["plaintiff_counsel"].headers, json={
        "from_party_id": room.parties["plaintiff"], "to_party_id": lonely,
        "amount_cents": 1, "terms": "t"})
    assert r.status_code == 409 and r.json()["code"] == "recipient_has_no_counsel"
    r = api.client.post(url(room), headers=room.users["plaintiff_counsel"].headers, json={
        "from_party_id": room.parties["plaintiff"], "to_party_id": room.parties["plaintiff"],
        "amount_cents": 1, "terms": "t"})
    assert r.status_code == 422 and r.json()["code"] == "same_party"


@pytest.mark.parametrize("patch", [
    {"amount_cents": -1}, {"amount_cents": 10**16}, {"currency": "usd"}, {"currency": "US"},
    {"terms": ""}, {"terms": "a\x00b"}, {"designation": "SECRET"},
    {"expires_at": "2030-01-01T00:00:00"}, {"status": "accepted"}, {"to_party_id": "nope"},
])
def test_bad_input_is_422(api, room, patch):
    body = {"from_party_id": room.parties["plaintiff"], "to_party_id": room.parties["defendant"],
            "amount_cents": 1, "terms": "t", **patch}
    r = api.client.post(url(room), headers=room.users["plaintiff_counsel"].headers, json=body)
    assert r.status_code == 422


# --- idempotency and audit -------------------------------------------------------------------

def test_idempotent_accept(api, room, app):
    offer = api.offer(room)
    first = accept(api, room, offer, **{"Idempotency-Key": "accept-1"})
    again = accept(api, room, offer, **{"Idempotency-Key": "accept-1"})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert len(events_named(app, "offer.accept")) == 1
    r = api.client.post(url(room, f"/{offer['id']}/accept"),
                        headers={**room.users["defense_counsel"].headers,
                                 "Idempotency-Key": "accept-1"},
                        json={"terms_sha256": "f" * 64})
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    assert accept(api, room, offer).json()["code"] == "offer_not_open"


def test_audit_events_hold_ids_only(api, room, app):
    secret_terms = "Zebra-unique-term-7731"
    offer = api.offer(room, terms=secret_terms, amount_cents=98_765_432)
    accept(api, room, offer)
    api.client.get(url(room), headers=room.users["plaintiff_client"].headers)
    api.client.post(url(room, f"/{offer['id']}/withdraw"),
                    headers=room.users["plaintiff_counsel"].headers)
    events = audit_events(app, room.id)
    actions = {(e.action, e.outcome) for e in events}
    assert {("offer.make", "ok"), ("offer.accept", "ok"), ("offer.list", "ok"),
            ("offer.withdraw", "denied")} <= actions
    for event in events:
        blob = event.entry.decode() + str(event.details)
        for needle in (secret_terms, "98765432", "987,654.32", "Jane Doe", "Acme"):
            assert needle not in blob
