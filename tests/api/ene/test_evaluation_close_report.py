"""The evaluation (evaluator only, invisible until shared, sharing recorded), attendance,
closing (channels read-only afterwards) and the content-free report."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.models.audit import AuditEvent
from tests.api.ene.conftest import ROLES, Ene


@pytest.fixture
def second_neutral(ene: Ene):
    user = ene.api.user("other-neutral")
    ene.api.member(ene.room.id, ene.room.admin, user, "neutral")
    return user


def test_nobody_sees_the_evaluation_until_shared_and_sharing_is_recorded(ene: Ene, app):
    r = ene.post("neutral", "/evaluation", {"body": "SECRET-eval-v1"})
    assert r.status_code == 201 and r.json()["shared_with_party_ids"] == []
    for label in ROLES:
        if label != "neutral":
            assert ene.get(label, "/evaluation").status_code == 404, label
    r = ene.post("neutral", "/evaluation/share", {"party_ids": [ene.party("defendant2")]})
    assert r.status_code == 200 and r.json()["shared_with_party_ids"] == [ene.party("defendant2")]
    assert ene.get("pro_se", "/evaluation").json()["body"] == "SECRET-eval-v1"
    assert ene.get("defense_counsel", "/evaluation").status_code == 404
    # a rewrite is a new version that the earlier recipients see
    r = ene.post("neutral", "/evaluation", {"body": "SECRET-eval-v2",
                                            "share_with_party_ids": [ene.party("defendant")]})
    assert r.json()["version"] == 2
    assert ene.get("pro_se", "/evaluation").json()["body"] == "SECRET-eval-v2"
    assert ene.get("defense_client", "/evaluation").json()["shared_with_party_ids"] == [
        ene.party("defendant")]  # a party learns only of its own share
    with app.state.sessionmaker() as s:
        shares = s.execute(select(AuditEvent).where(
            AuditEvent.action == "ene.evaluation.share").order_by(AuditEvent.leaf_index)
        ).scalars().all()
    assert [e.details["party_ids"] for e in shares] == [
        [ene.party("defendant2")], [ene.party("defendant")]]
    assert all(e.actor_user_id.hex == ene.user("neutral").id.replace("-", "") for e in shares)


def test_only_the_sessions_evaluator_writes_shares_and_closes(ene: Ene, second_neutral):
    h = second_neutral.headers
    for path, body in (("/evaluation", {"body": "x"}),
                       ("/close", {"outcome": "settled"})):
        r = ene.api.client.post(ene.url(path), headers=h, json=body)
        assert r.status_code == 403 and r.json()["code"] == "not_the_evaluator"
    ene.post("neutral", "/evaluation", {"body": "SECRET-eval"})
    r = ene.api.client.post(ene.url("/evaluation/share"), headers=h,
                            json={"party_ids": [ene.party("plaintiff")]})
    assert r.status_code == 403 and r.json()["code"] == "not_the_evaluator"
    assert ene.api.client.get(ene.url("/evaluation"), headers=h).status_code == 404
    assert ene.api.client.get(ene.url("/messages"), headers=h).json() == []


def test_share_needs_a_written_evaluation_and_participating_parties(ene: Ene):
    r = ene.post("neutral", "/evaluation/share", {"party_ids": [ene.party("plaintiff")]})
    assert r.status_code == 404 and r.json()["code"] == "evaluation_not_found"
    r = ene.post("neutral", "/evaluation", {"body": "x", "share_with_party_ids": ["bad"]})
    assert r.status_code == 422


def test_attendance_by_role_and_report_for_every_member(seeded: Ene):
    for label in ("neutral", "plaintiff_counsel", "plaintiff_client", "pro_se"):
        r = seeded.post(label, "/attendance")
        assert r.status_code == 201, r.text
    assert len(seeded.post("pro_se", "/attendance").json()) == 1  # idempotent
    r = seeded.post("neutral", "/close", {"outcome": "partially_settled"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    for label in (*ROLES,):
        report = seeded.get(label, "/report")
        assert report.status_code == 200, label
        body = report.json()
        assert body["outcome"] == "partially_settled" and body["closed_at"]
        assert body["scheduled_at"].startswith("2030-06-20T17:00")
        assert body["statement_due_date"] == "2030-06-13"
        assert sorted((a["role"], a["party_id"]) for a in body["attendance"]) == sorted([
            ("neutral", None), ("counsel", seeded.party("plaintiff")),
            ("client", seeded.party("plaintiff")), ("pro_se", seeded.party("defendant2"))])
        text = json.dumps(body)
        assert not [m for m in seeded.markers if m in text]
        assert "SECRET" not in text
    assert seeded.get("outsider", "/report").status_code == 404


@pytest.mark.parametrize("label", ["auditor", "room_admin"])
def test_roles_as_such_cannot_check_in(ene: Ene, label):
    assert ene.post(label, "/attendance").status_code == 403


def test_closing_makes_the_session_read_only(seeded: Ene):
    assert seeded.post("neutral", "/close", {"outcome": "not_settled"}).status_code == 200
    writes = [
        ("neutral", "/messages", {"channel": "joint", "body": "late word"}),
        ("plaintiff_counsel", "/messages",
         {"channel": seeded.channel("plaintiff"), "body": "late word"}),
        ("plaintiff_client", "/messages", {"channel": "joint", "body": "late word"}),
        ("pro_se", "/statements", {"party_id": seeded.party("defendant2"), "body": "late"}),
        ("plaintiff_counsel", f"/messages/{seeded.messages['plaintiff']}/release",
         {"to_party_id": seeded.party("defendant")}),
        ("plaintiff_counsel", f"/statements/{seeded.statements['plaintiff']}/release",
         {"to_party_id": seeded.party("defendant")}),
        ("neutral", "/evaluation", {"body": "rewrite"}),
        ("neutral", "/evaluation/share", {"party_ids": [seeded.party("defendant")]}),
        ("defense_counsel", "/attendance", {}),
        ("neutral", "/close", {"outcome": "settled"}),
    ]
    for label, path, body in writes:
        r = seeded.post(label, path, body)
        assert r.status_code == 409 and r.json()["code"] == "session_closed", (label, path)
    # reads still answer, with the content unchanged
    assert len(seeded.get("plaintiff_counsel", "/messages").json()) == 2
    assert seeded.get("plaintiff_client", "/evaluation").json()["body"] == "SECRET-evaluation"
    assert seeded.get("auditor", "/report").json()["outcome"] == "not_settled"


@pytest.mark.parametrize("body", [{"outcome": "won"}, {}, {"outcome": None}])
def test_bad_outcome_is_422(ene: Ene, body):
    assert ene.post("neutral", "/close", body).status_code == 422
