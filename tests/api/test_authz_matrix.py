"""The role x action matrix, generated from the permission table, walked through HTTP.

``POLICY_SPEC`` is POLICY.md's table transcribed; the first test pins ``ROLE_PERMISSIONS``
to it, the second exercises every role against every case endpoint that exists.
"""

from __future__ import annotations

import uuid

import pytest

from app.authz.permissions import ROLE_PERMISSIONS, Permission, Role
from tests.tools import same_answer

R = Role
POLICY_SPEC: dict[Permission, set[Role]] = {
    Permission.CASE_READ: set(Role),
    Permission.CASE_MANAGE: {R.ROOM_ADMIN},
    Permission.CASE_DESTROY: {R.ROOM_ADMIN},
    Permission.OFFER_READ: {R.COUNSEL, R.PRO_SE, R.CLIENT, R.NEUTRAL},
    Permission.OFFER_MAKE: {R.COUNSEL, R.PRO_SE},
    Permission.OFFER_RESPOND: {R.COUNSEL, R.PRO_SE},
    Permission.RULE68_READ: {R.COUNSEL, R.PRO_SE, R.CLIENT},
    Permission.RULE68_SERVE: {R.COUNSEL, R.PRO_SE},
    Permission.RULE68_ACCEPT: {R.COUNSEL, R.PRO_SE},
    Permission.ENE_HOST: {R.ROOM_ADMIN, R.NEUTRAL},
    Permission.ENE_EVALUATE: {R.NEUTRAL},
    Permission.ENE_PARTICIPATE: {R.COUNSEL, R.PRO_SE, R.CLIENT, R.NEUTRAL},
    Permission.ENE_RELEASE: {R.COUNSEL, R.PRO_SE},
    Permission.ENE_REPORT_READ: set(Role),
    Permission.DOCUMENT_READ: {R.COUNSEL, R.PRO_SE, R.CLIENT, R.NEUTRAL},
    Permission.DOCUMENT_UPLOAD: {R.COUNSEL, R.PRO_SE},
    Permission.TRACE: {R.AUDITOR, R.ROOM_ADMIN, R.COUNSEL, R.PRO_SE},
    Permission.AUDIT_READ: {R.AUDITOR, R.ROOM_ADMIN},
    Permission.ORDER_READ: set(Role),
    Permission.ORDER_ENTER: {R.ROOM_ADMIN},
    Permission.ORDER_ACKNOWLEDGE: {R.COUNSEL, R.PRO_SE, R.CLIENT, R.NEUTRAL},
    Permission.DESIGNATION_CHALLENGE: {R.COUNSEL, R.PRO_SE},
    Permission.CLAWBACK: {R.COUNSEL, R.PRO_SE},
    Permission.CLAWBACK_CERTIFY: {R.COUNSEL, R.PRO_SE, R.CLIENT, R.NEUTRAL},
    Permission.FILING_CHECK: {R.COUNSEL, R.PRO_SE},
    Permission.PUBLIC_TEXT_READ: {R.COUNSEL, R.PRO_SE, R.ROOM_ADMIN},
    Permission.PUBLIC_TEXT_ADD: {R.COUNSEL, R.PRO_SE},
    Permission.PUBLIC_TEXT_REMOVE: {R.COUNSEL, R.PRO_SE, R.ROOM_ADMIN},
}


def test_the_permission_table_says_what_the_policy_says():
    assert {p: set(r) for p, r in ROLE_PERMISSIONS.items()} == POLICY_SPEC


# (name, permission, method, path template, body builder)
def _party_body(room):
    return {"name": f"Intervenor {uuid.uuid4().hex[:4]}", "side": "third_party",
            "represented": True}


def _claim_body(room):
    return {"claimant_party_id": room.parties["defendant"],
            "defending_party_ids": [room.parties["plaintiff"]], "description": "Counterclaim"}


ACTIONS = [
    ("get case", Permission.CASE_READ, "GET", "/cases/{case}", None),
    ("list parties", Permission.CASE_READ, "GET", "/cases/{case}/parties", None),
    ("list claims", Permission.CASE_READ, "GET", "/cases/{case}/claims", None),
    ("list members", Permission.CASE_READ, "GET", "/cases/{case}/members", None),
    ("patch case", Permission.CASE_MANAGE, "PATCH", "/cases/{case}",
     lambda room: {"trial_date": "2027-09-13"}),
    ("add party", Permission.CASE_MANAGE, "POST", "/cases/{case}/parties", _party_body),
    ("add claim", Permission.CASE_MANAGE, "POST", "/cases/{case}/claims", _claim_body),
    ("list public texts", Permission.PUBLIC_TEXT_READ, "GET", "/cases/{case}/public-texts",
     None),
    ("add public text", Permission.PUBLIC_TEXT_ADD, "POST", "/cases/{case}/public-texts",
     lambda room: {"title": "Opinion", "citation": "123 F.3d 456",
                   "text": "District courts may impose sanctions under their inherent power."}),
]
# Seats (POST and DELETE /members, invitations) are decided by the seat policy, not by a
# role alone: tests/api/seats walks them role by role.
PRINCIPALS = ["room_admin", "plaintiff_counsel", "plaintiff_client", "pro_se", "neutral",
              "auditor", "outsider", "anonymous"]
ROLE_OF = {"room_admin": R.ROOM_ADMIN, "plaintiff_counsel": R.COUNSEL,
           "plaintiff_client": R.CLIENT, "pro_se": R.PRO_SE, "neutral": R.NEUTRAL,
           "auditor": R.AUDITOR}


def expected_status(permission: Permission, principal: str, ok: int) -> int:
    if principal == "anonymous":
        return 401
    if principal == "outsider":
        return 404
    return ok if ROLE_OF[principal] in ROLE_PERMISSIONS[permission] else 403


@pytest.fixture
def room(api):
    return api.room()


@pytest.mark.parametrize("action", ACTIONS, ids=[a[0] for a in ACTIONS])
def test_every_role_against_every_case_action(api, room, action):
    name, permission, method, template, body = action
    members = api.client.get(f"/api/v1/cases/{room.id}/members",
                             headers=room.admin.headers).json()
    auditor_member = next(m["id"] for m in members if m["role"] == "auditor")
    path = "/api/v1" + template.format(case=room.id, auditor_member=auditor_member)
    ok = {"GET": 200, "PATCH": 200, "POST": 201, "DELETE": 204}[method]
    # Refusals first; the one permitted principal that mutates goes last.
    order = sorted(PRINCIPALS, key=lambda p: expected_status(permission, p, ok) == ok)
    for principal in order:
        headers = {} if principal == "anonymous" else room.users[principal].headers
        json_body = body(room) if body else None
        r = api.client.request(method, path, headers=headers, json=json_body)
        want = expected_status(permission, principal, ok)
        if want == ok and method != "GET" and principal != order[-1]:
            continue  # mutate once, as the last principal
        assert r.status_code == want, (name, principal, r.status_code, r.text)
        if want in (401, 403, 404):
            assert r.headers["content-type"].startswith("application/problem+json")


def test_a_non_member_and_an_unknown_case_get_identical_answers(api, room):
    outsider = room.users["outsider"]
    a = api.client.get(f"/api/v1/cases/{room.id}", headers=outsider.headers)
    b = api.client.get(f"/api/v1/cases/{uuid.uuid4()}", headers=outsider.headers)
    assert a.status_code == b.status_code == 404
    assert same_answer(a.json()) == same_answer(b.json())
