"""Sessions: who creates them, the evaluator rule, the statement due date (FRCP 6), and the
anonymous / non-member / wrong-role answers of every endpoint."""

from __future__ import annotations

import uuid

import pytest

from tests.api.ene.conftest import Ene


def _create(ene: Ene, label: str, **fields):
    body = {"evaluator_user_id": ene.user("neutral").id,
            "scheduled_at": "2030-06-20T17:00:00Z", **fields}
    return ene.api.client.post(f"/api/v1/cases/{ene.room.id}/ene-sessions",
                               headers=ene.user(label).headers, json=body)


def test_created_session_lists_evaluator_parties_time_zone_and_due_date(ene):
    s = ene.session
    assert s["evaluator_user_id"] == ene.user("neutral").id
    assert s["participating_party_ids"] == sorted(ene.room.parties.values())
    assert s["court_timezone"] == "America/Los_Angeles"  # the case's (CA) time zone by default
    # Thursday 2030-06-20 minus 7 days = Thursday 2030-06-13 (N.D. Cal. ADR L.R. 5-8).
    assert s["statement_due_date"] == "2030-06-13"
    assert s["statement_due_days_before"] == 7
    assert s["statement_due_at"].startswith("2030-06-14T07:00:00")  # midnight Los Angeles
    assert s["status"] == "scheduled" and s["outcome"] is None


def test_due_date_counted_backward_skips_weekend_and_holiday_earlier(ene):
    # Session Tuesday 2030-07-09; 5 days before = Thursday 07-04 (Independence Day),
    # so FRCP 6(a)(5) moves a backward period to Wednesday 07-03.
    r = _create(ene, "room_admin", scheduled_at="2030-07-09T16:00:00Z",
                court_timezone="America/Los_Angeles", statement_due={"days_before": 5})
    assert r.status_code == 201, r.text
    assert r.json()["statement_due_date"] == "2030-07-03"
    assert r.json()["statement_due_at"].startswith("2030-07-04T07:00:00")  # midnight LA
    # Saturday 2030-06-15 lands on a weekend: moved back to Friday 06-14.
    r = _create(ene, "neutral", scheduled_at="2030-06-20T17:00:00Z",
                statement_due={"days_before": 5})
    assert r.json()["statement_due_date"] == "2030-06-14"


def test_explicit_due_date_and_party_subset(ene):
    parties = [ene.party("plaintiff"), ene.party("defendant")]
    r = _create(ene, "neutral", statement_due="2030-06-01", participating_party_ids=parties)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["statement_due_date"] == "2030-06-01"
    assert body["statement_due_days_before"] is None
    assert body["participating_party_ids"] == sorted(parties)


@pytest.mark.parametrize("fields,code", [
    ({"statement_due": "2030-07-01"}, "statement_due_after_session"),
    ({"scheduled_at": "2020-01-01T10:00:00Z"}, "scheduled_in_past"),
    ({"scheduled_at": "2030-06-20T17:00:00"}, "validation_error"),  # naive time
    ({"statement_due": {"days_before": 0}}, "validation_error"),
    ({"statement_due": {"weeks": 1}}, "validation_error"),
    ({"court_timezone": "Mars/Olympus"}, "validation_error"),
    ({"participating_party_ids": [str(uuid.uuid4()), str(uuid.uuid4())]}, "unknown_party"),
    ({"participating_party_ids": ["x"]}, "validation_error"),
    ({"evaluator_user_id": "not-a-uuid"}, "validation_error"),
])
def test_bad_session_input_is_422(ene, fields, code):
    r = _create(ene, "neutral", **fields)
    assert r.status_code == 422 and r.json()["code"] == code


@pytest.mark.parametrize("evaluator", ["plaintiff_counsel", "auditor", "room_admin", "outsider"])
def test_evaluator_must_be_a_neutral_member(ene, evaluator):
    r = _create(ene, "room_admin", evaluator_user_id=ene.user(evaluator).id)
    assert r.status_code == 422 and r.json()["code"] == "evaluator_not_neutral"


@pytest.mark.parametrize("label,status", [
    ("room_admin", 201), ("neutral", 201), ("plaintiff_counsel", 403), ("pro_se", 403),
    ("plaintiff_client", 403), ("auditor", 403), ("outsider", 404),
])
def test_who_may_create_a_session(ene, label, status):
    assert _create(ene, label).status_code == status


def test_sessions_are_listed_and_read_by_every_member(ene):
    for label in ("room_admin", "auditor", "pro_se", "defense_client", "neutral"):
        listed = ene.api.client.get(f"/api/v1/cases/{ene.room.id}/ene-sessions",
                                    headers=ene.user(label).headers)
        assert [s["id"] for s in listed.json()] == [ene.sid]
        assert ene.get(label).json()["id"] == ene.sid
    assert ene.get("outsider").status_code == 404


def test_a_session_of_another_case_is_404(api, ene):
    other = api.room()
    r = api.client.get(f"/api/v1/cases/{other.id}/ene-sessions/{ene.sid}",
                       headers=other.users["neutral"].headers)
    assert r.status_code == 404 and r.json()["code"] == "session_not_found"
    r = api.client.get(f"/api/v1/cases/{ene.room.id}/ene-sessions/{uuid.uuid4()}/report",
                       headers=ene.user("auditor").headers)
    assert r.status_code == 404 and r.json()["code"] == "session_not_found"


# (method, path, body, a role without the permission) for every endpoint.
ENDPOINTS = [
    ("get", "", None, None),
    ("get", "/report", None, None),
    ("post", "/attendance", {}, "auditor"),
    ("post", "/messages", {"channel": "joint", "body": "hello"}, "room_admin"),
    ("get", "/messages", None, None),
    ("post", "/statements", {"party_id": None, "body": "x"}, "auditor"),
    ("get", "/statements", None, None),
    ("get", "/releases", None, None),
    ("post", "/evaluation", {"body": "x"}, "plaintiff_counsel"),
    ("post", "/evaluation/share", {"party_ids": [None]}, "pro_se"),
    ("get", "/evaluation", None, None),
    ("post", "/close", {"outcome": "settled"}, "room_admin"),
    # Fixed ids keep test names stable (parallel runners compare collected names).
    ("post", "/messages/00000000-0000-4000-8000-000000000001/release", {"to_party_id": None},
     "neutral"),
    ("post", "/statements/00000000-0000-4000-8000-000000000002/release", {"to_party_id": None},
     "plaintiff_client"),
]


@pytest.mark.parametrize("method,path,body,wrong_role", ENDPOINTS)
def test_anonymous_401_non_member_404_wrong_role_403(ene, method, path, body, wrong_role):
    filled = None if body is None else {
        k: (ene.party("plaintiff") if v is None else
            [ene.party("plaintiff")] if v == [None] else v) for k, v in body.items()}
    call = getattr(ene.api.client, method)
    kwargs = {} if filled is None else {"json": filled}
    assert call(ene.url(path), **kwargs).status_code == 401
    r = call(ene.url(path), headers=ene.user("outsider").headers, **kwargs)
    assert r.status_code == 404 and r.json()["code"] == "case_not_found"
    if wrong_role:
        r = call(ene.url(path), headers=ene.user(wrong_role).headers, **kwargs)
        assert r.status_code == 403 and r.json()["code"] == "role_not_allowed"


@pytest.mark.parametrize("fields", [
    {"scheduled_at": "9999-12-31T23:00:00-14:00"},
    {"scheduled_at": "2300-01-01T00:00:00Z"},
    {"scheduled_at": "2030-06-20T17:00:00Z", "statement_due": "0001-01-01"},
    {"scheduled_at": "2030-06-20T17:00:00Z", "statement_due": {"days_before": 365}},
])
def test_out_of_range_dates_are_422_not_500(ene, fields):
    r = _create(ene, "neutral", **fields)
    assert r.status_code in (201, 422), r.text
    if fields.get("statement_due") != {"days_before": 365}:
        assert r.status_code == 422
