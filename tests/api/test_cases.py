"""Cases, parties, claims and members: validations and scoping through HTTP."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def owner(api):
    return api.user("owner")


def test_creator_becomes_room_admin_and_sees_the_case(api, owner):
    case_id = api.case(owner, trial_date="2027-03-01", court_timezone="America/Los_Angeles")
    r = api.client.get(f"/api/v1/cases/{case_id}", headers=owner.headers)
    body = r.json()
    assert r.status_code == 200
    assert body["my_roles"] == ["room_admin"]
    assert body["trial_date"] == "2027-03-01"
    assert body["court_timezone"] == "America/Los_Angeles"
    members = api.client.get(f"/api/v1/cases/{case_id}/members", headers=owner.headers).json()
    assert [(m["user_id"], m["role"], m["party_id"]) for m in members] == [
        (owner.id, "room_admin", None)]


def test_case_list_is_scoped_to_membership(api, owner):
    mine = api.case(owner)
    other = api.case(api.user("someone"))
    listed = {c["id"] for c in api.client.get("/api/v1/cases", headers=owner.headers).json()}
    assert mine in listed and other not in listed
    assert api.client.get("/api/v1/cases", headers=api.admin.headers).json() == []


@pytest.mark.parametrize("field,value,code", [
    ("court_state", "XX", "validation_error"),
    ("court_state", "california", "validation_error"),
    ("court_timezone", "Mars/Olympus", "validation_error"),
    ("trial_date", "2027-02-30", "validation_error"),
    ("caption", "", "validation_error"),
])
def test_case_validation(api, owner, field, value, code):
    body = {"caption": "A v. B", "court": "D. Mass.", "court_state": "MA",
            "docket_number": "1:25-cv-1", field: value}
    r = api.client.post("/api/v1/cases", headers=owner.headers, json=body)
    assert r.status_code == 422 and r.json()["code"] == code


def test_patch_sets_and_clears_the_trial_date(api, owner):
    case_id = api.case(owner)
    r = api.client.patch(f"/api/v1/cases/{case_id}", headers=owner.headers,
                         json={"trial_date": "2027-06-07"})
    assert r.json()["trial_date"] == "2027-06-07"
    r = api.client.patch(f"/api/v1/cases/{case_id}", headers=owner.headers,
                         json={"trial_date": None})
    assert r.json()["trial_date"] is None
    r = api.client.patch(f"/api/v1/cases/{case_id}", headers=owner.headers, json={"caption": None})
    assert r.status_code == 422 and r.json()["code"] == "field_required"


def test_patch_with_an_unknown_field_changes_nothing(api, owner):
    case_id = api.case(owner)
    r = api.client.patch(f"/api/v1/cases/{case_id}", headers=owner.headers,
                         json={"caption": "Changed", "created_by": str(uuid.uuid4())})
    assert r.status_code == 422
    assert api.client.get(f"/api/v1/cases/{case_id}",
                          headers=owner.headers).json()["caption"] == "Doe v. Acme Corp."


def test_party_validation(api, owner):
    case_id = api.case(owner)
    r = api.client.post(f"/api/v1/cases/{case_id}/parties", headers=owner.headers,
                        json={"name": "X", "side": "intervenor"})
    assert r.status_code == 422
    r = api.client.post(f"/api/v1/cases/{case_id}/parties", headers=owner.headers,
                        json={"name": "X", "side": "plaintiff"})
    assert r.status_code == 201 and r.json()["represented"] is True


@pytest.fixture
def parties(api, owner):
    case_id = api.case(owner)
    return case_id, {
        "p": api.party(case_id, owner, "Plaintiff", "plaintiff"),
        "d": api.party(case_id, owner, "Defendant", "defendant"),
        "d2": api.party(case_id, owner, "Pro Se Defendant", "defendant", represented=False),
    }


def test_claims_and_counterclaims(api, owner, parties):
    case_id, p = parties
    assert api.client.get(f"/api/v1/cases/{case_id}/claims", headers=owner.headers).json() == []
    r = api.client.post(f"/api/v1/cases/{case_id}/claims", headers=owner.headers, json={
        "claimant_party_id": p["p"], "defending_party_ids": [p["d"], p["d2"]],
        "description": "Breach of contract"})
    assert r.status_code == 201
    assert sorted(r.json()["defending_party_ids"]) == sorted([p["d"], p["d2"]])
    counter = api.client.post(f"/api/v1/cases/{case_id}/claims", headers=owner.headers, json={
        "claimant_party_id": p["d"], "defending_party_ids": [p["p"]], "description": "Counter"})
    assert counter.status_code == 201
    listed = api.client.get(f"/api/v1/cases/{case_id}/claims", headers=owner.headers).json()
    assert len(listed) == 2


@pytest.mark.parametrize("body_of,code", [
    (lambda p, other: {"claimant_party_id": p["p"], "defending_party_ids": [p["p"]]},
     "claim_against_self"),
    (lambda p, other: {"claimant_party_id": p["p"], "defending_party_ids": [p["d"], p["d"]]},
     "duplicate_party"),
    (lambda p, other: {"claimant_party_id": other, "defending_party_ids": [p["d"]]},
     "unknown_party"),
    (lambda p, other: {"claimant_party_id": p["p"], "defending_party_ids": [other]},
     "unknown_party"),
    (lambda p, other: {"claimant_party_id": p["p"], "defending_party_ids": []},
     "validation_error"),
])
def test_claim_validation(api, owner, parties, body_of, code):
    case_id, p = parties
    other_case = api.case(owner)
    other_party = api.party(other_case, owner, "Elsewhere", "defendant")
    body = {**body_of(p, other_party), "description": "Claim"}
    r = api.client.post(f"/api/v1/cases/{case_id}/claims", headers=owner.headers, json=body)
    assert r.status_code == 422 and r.json()["code"] == code
    assert api.client.get(f"/api/v1/cases/{case_id}/claims", headers=owner.headers).json() == []


@pytest.mark.parametrize("role,party,code", [
    ("counsel", None, "party_required"),
    ("client", None, "party_required"),
    ("pro_se", None, "party_required"),
    ("neutral", "p", "party_not_allowed"),
    ("auditor", "p", "party_not_allowed"),
    ("room_admin", "p", "party_not_allowed"),
    ("pro_se", "p", "party_is_represented"),
    ("counsel", "d2", "party_is_pro_se"),
    ("counsel", "elsewhere", "unknown_party"),
    ("judge", None, "validation_error"),
])
def test_member_role_and_party_consistency(api, owner, parties, role, party, code):
    case_id, p = parties
    user = api.user()
    other = api.party(api.case(owner), owner, "Elsewhere", "plaintiff")
    party_id = {"elsewhere": other, None: None}.get(party, p.get(party or ""))
    body = {"user_id": user.id, "role": role}
    if party_id:
        body["party_id"] = party_id
    r = api.client.post(f"/api/v1/cases/{case_id}/members", headers=api.admin.headers,
                        json=body)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == code


def test_member_valid_roles_duplicates_and_unknown_user(api, owner, parties):
    case_id, p = parties
    user = api.user()
    api.member(case_id, owner, user, "counsel", p["p"])
    api.member(case_id, owner, user, "auditor")  # a user may hold several roles
    dup = api.client.post(f"/api/v1/cases/{case_id}/members", headers=api.admin.headers,
                          json={"user_id": user.id, "role": "counsel", "party_id": p["p"]})
    assert dup.status_code == 409 and dup.json()["code"] == "member_exists"
    ghost = api.client.post(f"/api/v1/cases/{case_id}/members", headers=api.admin.headers,
                            json={"user_id": str(uuid.uuid4()), "role": "auditor"})
    assert ghost.status_code == 422 and ghost.json()["code"] == "unknown_user"
    roles = api.client.get(f"/api/v1/cases/{case_id}", headers=user.headers).json()["my_roles"]
    assert roles == ["auditor", "counsel"]


def test_removal_from_a_case_takes_effect_on_the_next_request(api, owner, parties):
    case_id, p = parties
    user = api.user()
    member_id = api.member(case_id, owner, user, "counsel", p["p"])
    assert api.client.get(f"/api/v1/cases/{case_id}", headers=user.headers).status_code == 200
    r = api.client.delete(f"/api/v1/cases/{case_id}/members/{member_id}", headers=user.headers)
    assert r.status_code == 204  # the member left
    assert api.client.get(f"/api/v1/cases/{case_id}", headers=user.headers).status_code == 404


def test_the_last_room_admin_cannot_be_removed(api, owner):
    case_id = api.case(owner)
    members = api.client.get(f"/api/v1/cases/{case_id}/members", headers=owner.headers).json()
    r = api.client.delete(f"/api/v1/cases/{case_id}/members/{members[0]['id']}",
                          headers=owner.headers)
    assert r.status_code == 409 and r.json()["code"] == "last_room_admin"
    second = api.user()
    api.member(case_id, owner, second, "room_admin")
    r = api.client.delete(f"/api/v1/cases/{case_id}/members/{members[0]['id']}",
                          headers=second.headers)
    assert r.status_code == 204


def test_unknown_member_is_404(api, owner):
    case_id = api.case(owner)
    r = api.client.delete(f"/api/v1/cases/{case_id}/members/{uuid.uuid4()}",
                          headers=owner.headers)
    assert r.status_code == 404 and r.json()["code"] == "member_not_found"


def test_lists_paginate_with_a_bounded_limit(api, owner):
    for _ in range(3):
        api.case(owner)
    assert len(api.client.get("/api/v1/cases?limit=2", headers=owner.headers).json()) == 2
    assert len(api.client.get("/api/v1/cases?limit=2&offset=2",
                              headers=owner.headers).json()) == 1
    for q in ("limit=0", "limit=201", "offset=-1", "limit=abc"):
        r = api.client.get(f"/api/v1/cases?{q}", headers=owner.headers)
        assert r.status_code == 422, q
