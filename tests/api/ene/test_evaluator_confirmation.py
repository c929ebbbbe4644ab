"""The evaluator acts only once every participating party's counsel (or the party pro se)
has confirmed them (issue 14, item 3): before that no caucus opens to them, nothing they
would write is taken, an objection stands until the room admin names another evaluator,
and every answer and refusal is audited without content."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.ene.conftest import PARTIES, SPEAKER, Ene
from tests.api.offers.conftest import events_named
from tests.factories import Api


@pytest.fixture
def fresh(api: Api) -> Ene:
    """A session no party has answered for yet."""
    room = api.room()
    return Ene(api=api, room=room, session=api.ene_session(room, confirmed=False))


def _answer(ene: Ene, label: str, decision: str, party: str | None = None) -> Any:
    body: dict[str, Any] = {"decision": decision}
    if party:
        body["party_id"] = ene.party(party)
    return ene.post(label, "/evaluator-confirmation", body)


def _status(ene: Ene, label: str = "auditor") -> dict[str, Any]:
    r = ene.get(label, "/evaluator-confirmation")
    assert r.status_code == 200, r.text
    return r.json()


def _evaluator_blocked(ene: Ene) -> None:
    """Every act of the evaluator is refused with 409 ``evaluator_not_confirmed``."""
    for channel in ("joint", *PARTIES):
        r = ene.post("neutral", "/messages", {"channel": ene.channel(channel), "body": "hello"})
        assert r.status_code == 409 and r.json()["code"] == "evaluator_not_confirmed", r.text
    r = ene.get("neutral", "/messages", channel=ene.channel("plaintiff"))
    assert r.status_code == 409 and r.json()["code"] == "evaluator_not_confirmed"
    for path, body in (("/evaluation", {"body": "An evaluation"}),
                       ("/close", {"outcome": "not_settled"})):
        r = ene.post("neutral", path, body)
        assert r.status_code == 409 and r.json()["code"] == "evaluator_not_confirmed", path


def test_no_caucus_opens_before_every_party_confirmed_the_evaluator(fresh):
    ene = fresh
    assert _status(ene)["status"] == "awaiting"
    # The parties may already speak in their own caucuses and file statements...
    caucus = ene.say("defense_counsel", "defendant", "SECRET-defense-caucus")
    ene.state("plaintiff_counsel", "plaintiff", "SECRET-plaintiff-statement")
    _evaluator_blocked(ene)
    # ... which the evaluator cannot read yet: nothing listed, the message answers 404.
    assert ene.get("neutral", "/messages").json() == []
    assert ene.get("neutral", "/statements").json() == []
    assert ene.get("neutral", f"/messages/{caucus}").status_code == 404

    for party in PARTIES[:-1]:
        assert _answer(ene, SPEAKER[party], "confirm").status_code == 200
    assert _status(ene)["status"] == "awaiting"
    _evaluator_blocked(ene)  # one party (the pro se defendant) has not answered

    r = _answer(ene, "pro_se", "confirm")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    assert {p["decision"] for p in r.json()["parties"]} == {"confirm"}
    r = ene.post("neutral", "/messages", {"channel": ene.channel("defendant"), "body": "Hi"})
    assert r.status_code == 201, r.text
    assert any(m["id"] == caucus for m in ene.get("neutral", "/messages").json())
    assert ene.post("neutral", "/evaluation", {"body": "An evaluation"}).status_code == 201

    refused = events_named(ene.api.app, "ene.message.post", "denied")
    assert refused and {e.details["reason"] for e in refused} == {"evaluator_not_confirmed"}
    answers = events_named(ene.api.app, "ene.evaluator.decide")
    assert sorted(e.details["party_id"] for e in answers) == sorted(ene.room.parties.values())
    assert {e.details["status"] for e in answers} == {"confirm"}


def test_only_a_partys_counsel_or_pro_se_party_answers_for_it(fresh):
    ene = fresh
    for label, party, status, code in (
            ("plaintiff_client", None, 403, "not_a_speaking_party"),
            ("neutral", None, 403, "not_a_speaking_party"),
            ("plaintiff_counsel", "defendant", 403, "not_a_speaking_party"),
            ("room_admin", None, 403, "role_not_allowed"),
            ("auditor", None, 403, "role_not_allowed"),
            ("outsider", None, 404, "case_not_found")):
        r = _answer(ene, label, "confirm", party)
        assert r.status_code == status and r.json()["code"] == code, (label, r.text)
    assert {p["decision"] for p in _status(ene)["parties"]} == {None}
    r = ene.api.client.post(ene.url("/evaluator-confirmation"), json={"decision": "confirm"})
    assert r.status_code == 401
    assert _answer(ene, "plaintiff_counsel", "maybe").status_code == 422
    denied = events_named(ene.api.app, "ene.evaluator.decide", "denied")
    assert sorted(e.details["reason"] for e in denied) == ["not_a_speaking_party"] * 3


def test_an_objection_stands_until_the_room_admin_names_another_evaluator(fresh):
    ene, api = fresh, fresh.api
    _answer(ene, "plaintiff_counsel", "confirm")
    _answer(ene, "pro_se", "confirm")
    r = _answer(ene, "defense_counsel", "object")
    assert r.status_code == 200 and r.json()["status"] == "objected"
    _evaluator_blocked(ene)

    second = api.user("second-neutral")
    api.member(ene.room.id, None, second, "neutral")
    ene.room.users["second_neutral"] = second
    url = ene.url("/evaluator")
    for label, status, code in (("neutral", 403, "role_not_allowed"),
                                ("defense_counsel", 403, "role_not_allowed")):
        r = api.client.put(url, headers=ene.user(label).headers,
                           json={"evaluator_user_id": second.id})
        assert r.status_code == status and r.json()["code"] == code, label
    r = api.client.put(url, headers=ene.room.admin.headers,
                       json={"evaluator_user_id": ene.user("neutral").id})
    assert r.status_code == 409 and r.json()["code"] == "same_evaluator"
    r = api.client.put(url, headers=ene.room.admin.headers,
                       json={"evaluator_user_id": ene.user("plaintiff_counsel").id})
    assert r.status_code == 422 and r.json()["code"] == "evaluator_not_neutral"
    r = api.client.put(url, headers=ene.room.admin.headers,
                       json={"evaluator_user_id": second.id})
    assert r.status_code == 200 and r.json()["evaluator_user_id"] == second.id

    # Confirmations start afresh: the earlier ones were for another evaluator.
    status = _status(ene)
    assert status["status"] == "awaiting" and status["evaluator_user_id"] == second.id
    assert {p["decision"] for p in status["parties"]} == {None}
    r = ene.post("second_neutral", "/messages", {"channel": "joint", "body": "Hello"})
    assert r.status_code == 409 and r.json()["code"] == "evaluator_not_confirmed"
    api.confirm_evaluator(ene.room, ene.session)
    r = ene.post("second_neutral", "/messages", {"channel": "joint", "body": "Hello"})
    assert r.status_code == 201, r.text
    # The neutral objected to is no longer the evaluator.
    r = ene.post("neutral", "/messages", {"channel": "joint", "body": "Hello"})
    assert r.status_code == 404
    assert [e.details["user_id"] for e in events_named(api.app, "ene.evaluator.name")] == \
        [second.id]


def test_a_later_objection_stops_a_confirmed_evaluator(ene):
    assert ene.post("neutral", "/messages", {"channel": "joint", "body": "Hi"}).status_code \
        == 201
    assert _answer(ene, "pro_se", "object").json()["status"] == "objected"
    _evaluator_blocked(ene)
    assert ene.get("neutral", "/messages").json() == []


def test_a_closed_session_takes_no_answer(ene):
    assert ene.post("neutral", "/close", {"outcome": "settled"}).status_code == 200
    r = _answer(ene, "plaintiff_counsel", "object")
    assert r.status_code == 409 and r.json()["code"] == "session_closed"
    assert _status(ene)["status"] == "confirmed"
