"""Release by consent: recorded, never undone or repeated, and only by the disclosing
party's counsel or pro se, to another participating party."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from app.models.audit import AuditEvent
from tests.api.ene.conftest import Ene


def test_release_is_recorded_and_cannot_be_repeated_or_undone(seeded: Ene, app):
    msg = seeded.messages["defendant2"]
    path = f"/messages/{msg}/release"
    r = seeded.post("pro_se", path, {"to_party_id": seeded.party("plaintiff")})
    assert r.status_code == 201
    rel = r.json()
    assert (rel["item_type"], rel["item_id"], rel["from_party_id"], rel["to_party_id"],
            rel["released_by"]) == ("message", msg, seeded.party("defendant2"),
                                    seeded.party("plaintiff"), seeded.user("pro_se").id)
    again = seeded.post("pro_se", path, {"to_party_id": seeded.party("plaintiff")})
    assert again.status_code == 409 and again.json()["code"] == "already_released"
    undo = seeded.api.client.delete(seeded.url(path), headers=seeded.user("pro_se").headers)
    assert undo.status_code == 405
    assert seeded.get("plaintiff_client", f"/messages/{msg}").status_code == 200
    with app.state.sessionmaker() as s:
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "ene.release",
                                                AuditEvent.outcome == "ok")).scalar_one()
    assert ev.details["to_party_id"] == seeded.party("plaintiff")
    assert ev.details["message_id"] == msg


def test_a_recipient_cannot_pass_the_item_on(seeded: Ene):
    msg = seeded.messages["plaintiff"]
    seeded.post("plaintiff_counsel", f"/messages/{msg}/release",
                {"to_party_id": seeded.party("defendant")})
    r = seeded.post("defense_counsel", f"/messages/{msg}/release",
                    {"to_party_id": seeded.party("defendant2")})
    assert r.status_code == 403 and r.json()["code"] == "not_the_disclosing_party"
    assert seeded.get("pro_se", f"/messages/{msg}").status_code == 404


def test_evaluators_words_in_a_caucus_are_released_by_that_party_only(seeded: Ene):
    said = seeded.say("neutral", "defendant", "SECRET-evaluator-in-defense-caucus")
    r = seeded.post("neutral", f"/messages/{said}/release",
                    {"to_party_id": seeded.party("plaintiff")})
    assert r.status_code == 403  # the evaluator holds no release permission
    r = seeded.post("defense_counsel", f"/messages/{said}/release",
                    {"to_party_id": seeded.party("plaintiff")})
    assert r.status_code == 201
    assert seeded.get("plaintiff_client", f"/messages/{said}").json()["body"] == (
        "SECRET-evaluator-in-defense-caucus")


@pytest.mark.parametrize("target,status,code", [
    ("plaintiff", 422, "invalid_release_target"),  # to itself
    ("unknown", 422, "invalid_release_target"),
])
def test_release_target_must_be_another_participating_party(seeded: Ene, target, status, code):
    to = seeded.party(target) if target != "unknown" else str(uuid.uuid4())
    r = seeded.post("plaintiff_counsel", f"/statements/{seeded.statements['plaintiff']}/release",
                    {"to_party_id": to})
    assert r.status_code == status and r.json()["code"] == code


def test_joint_messages_and_shared_statements_are_not_releasable(seeded: Ene):
    r = seeded.post("plaintiff_counsel", f"/messages/{seeded.messages['joint']}/release",
                    {"to_party_id": seeded.party("defendant")})
    assert r.status_code == 409 and r.json()["code"] == "not_releasable"
    r = seeded.post("defense_counsel", f"/statements/{seeded.statements['defendant']}/release",
                    {"to_party_id": seeded.party("plaintiff")})
    assert r.status_code == 409 and r.json()["code"] == "not_releasable"


def test_unknown_items_are_404(seeded: Ene):
    r = seeded.post("plaintiff_counsel", f"/messages/{uuid.uuid4()}/release",
                    {"to_party_id": seeded.party("defendant")})
    assert r.status_code == 404 and r.json()["code"] == "message_not_found"
    r = seeded.post("plaintiff_counsel", "/messages/not-a-uuid/release",
                    {"to_party_id": seeded.party("defendant")})
    assert r.status_code == 422
