"""The audit hook: every state change and every refused attempt, ids only, gapless, in the
action's transaction, append-only in the database."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.audit.service import AuditDetailError, clean_details
from app.models.audit import AuditEvent
from crypto.merkle import leaf_hash


def events(app):
    with app.state.sessionmaker() as s:
        return list(s.execute(select(AuditEvent).order_by(AuditEvent.leaf_index)).scalars())


def test_state_changes_are_events_with_ids_only(api, app):
    room = api.room()
    evs = events(app)
    assert [e.leaf_index for e in evs] == list(range(len(evs)))  # gapless from zero
    actions = [e.action for e in evs]
    assert actions.count("party.create") == 3
    assert actions.count("member.add") == 7
    assert "case.create" in actions and "user.create" in actions and "auth.login" in actions
    case_events = [e for e in evs if e.case_id == uuid.UUID(room.id)]
    assert {e.action for e in case_events} >= {"case.create", "party.create", "member.add"}
    for e in evs:
        entry = json.loads(e.entry)
        assert entry["leaf_index"] == e.leaf_index and entry["action"] == e.action
        assert e.leaf_hash == leaf_hash(e.entry)
        for word in ("Jane Doe", "Acme", "Doe v. Acme", "example.com", "correct horse"):
            assert word not in e.entry.decode()


def test_refused_attempts_are_recorded_although_the_request_fails(api, app):
    room = api.room()
    before = len(events(app))
    outsider, client = room.users["outsider"], room.users["plaintiff_client"]
    assert api.client.get(f"/api/v1/cases/{room.id}", headers=outsider.headers).status_code == 404
    assert api.client.post(f"/api/v1/cases/{room.id}/parties", headers=client.headers,
                           json={"name": "X", "side": "plaintiff"}).status_code == 403
    new = events(app)[before:]
    assert [(e.action, e.outcome, e.details["reason"]) for e in new] == [
        ("case.read", "denied", "not_a_member"),
        ("case.manage", "denied", "role_not_allowed"),
    ]
    assert new[0].actor_user_id == uuid.UUID(outsider.id)
    assert str(new[1].case_id) == room.id


def test_a_failed_action_leaves_no_event_of_its_own(api, app):
    owner = api.user()
    case_id = api.case(owner)
    before = len(events(app))
    r = api.client.post(f"/api/v1/cases/{case_id}/members", headers=api.admin.headers,
                        json={"user_id": str(uuid.uuid4()), "role": "auditor"})
    assert r.status_code == 422
    assert len(events(app)) == before


def test_failed_logins_are_recorded_without_the_email(api, app):
    api.login("someone@example.com", "a wrong password")
    last = [e for e in events(app) if e.action == "auth.login"][-1]
    assert last.outcome == "denied"
    assert b"someone" not in last.entry and last.actor_user_id is None


def test_the_table_is_append_only_in_the_database(api, app):
    api.user()
    with app.state.engine.connect() as conn:
        for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
            with pytest.raises(DBAPIError):
                with conn.begin():
                    conn.execute(text(statement))
    assert all(e.action != "x" for e in events(app))


@pytest.mark.parametrize("details", [
    {"terms": "pay $1"}, {"body": "x"}, {"filename": "secret.pdf"}, {"reason": "x" * 101},
    {"reason": {"nested": "dict"}}, {"reason": 1.5},
])
def test_details_refuse_anything_but_ids_and_codes(details):
    with pytest.raises(AuditDetailError):
        clean_details(details)
