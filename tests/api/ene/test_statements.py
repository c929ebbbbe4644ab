"""Written statements: one per party to the evaluator, optionally shared; late ones are
flagged by the session's due instant (court time zone); replacements keep the history."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.api.ene.conftest import Ene


def _at(app, when: datetime) -> None:
    app.state.services.clock = lambda: when


@pytest.mark.parametrize("when,late", [
    # The case's court is in California: statements are due by midnight Pacific.
    (datetime(2030, 6, 14, 6, 59, 59, tzinfo=UTC), False),  # 23:59:59 in Los Angeles, due day
    (datetime(2030, 6, 14, 7, 0, 0, tzinfo=UTC), True),  # midnight Los Angeles: late
    (datetime(2030, 6, 19, 12, 0, tzinfo=UTC), True),
])
def test_late_statement_is_flagged_by_the_clock(ene: Ene, app, when, late):
    _at(app, when)
    st = ene.post("plaintiff_counsel", "/statements",
                  {"party_id": ene.party("plaintiff"), "body": "our position"})
    assert st.status_code == 201 and st.json()["late"] is late
    assert ene.get("neutral", f"/statements/{st.json()['id']}").json()["late"] is late


def test_replacing_keeps_the_earlier_version_in_the_history(ene: Ene, app):
    _at(app, datetime(2030, 6, 10, tzinfo=UTC))
    first = ene.state("plaintiff_counsel", "plaintiff", "SECRET-v1")
    _at(app, datetime(2030, 6, 15, tzinfo=UTC))
    second = ene.state("plaintiff_counsel", "plaintiff", "SECRET-v2")
    history = ene.get("neutral", "/statements").json()
    assert [(s["id"], s["version"], s["current"], s["late"], s["body"]) for s in history] == [
        (first, 1, False, False, "SECRET-v1"), (second, 2, True, True, "SECRET-v2")]
    assert history[0]["superseded_at"].startswith("2030-06-15")
    assert history[1]["superseded_at"] is None
    # the party itself sees both versions too; other parties none of them
    assert len(ene.get("plaintiff_client", "/statements").json()) == 2
    assert ene.get("defense_counsel", "/statements").json() == []


def test_sharing_is_per_version(ene: Ene):
    shared = ene.state("pro_se", "defendant2", "SECRET-shared", shared=True)
    private = ene.state("pro_se", "defendant2", "SECRET-private", shared=False)
    seen = {s["id"] for s in ene.get("plaintiff_client", "/statements").json()}
    assert seen == {shared}
    assert ene.get("plaintiff_client", f"/statements/{private}").status_code == 404


@pytest.mark.parametrize("label,party,status,code", [
    ("defense_counsel", "plaintiff", 403, "statement_not_yours"),
    ("pro_se", "defendant", 403, "statement_not_yours"),
    ("plaintiff_client", "plaintiff", 403, "statement_not_yours"),  # through counsel
    ("neutral", "plaintiff", 403, "statement_not_yours"),
])
def test_only_the_partys_counsel_or_pro_se_submits(ene: Ene, label, party, status, code):
    r = ene.post(label, "/statements", {"party_id": ene.party(party), "body": "x"})
    assert r.status_code == status and r.json()["code"] == code


def test_statement_of_a_non_participating_party_is_refused(api, ene: Ene):
    r = api.client.post(f"/api/v1/cases/{ene.room.id}/ene-sessions",
                        headers=ene.user("neutral").headers,
                        json={"evaluator_user_id": ene.user("neutral").id,
                              "scheduled_at": "2030-06-20T17:00:00Z",
                              "participating_party_ids": [ene.party("plaintiff"),
                                                          ene.party("defendant")]})
    sid = r.json()["id"]
    r = api.client.post(f"/api/v1/cases/{ene.room.id}/ene-sessions/{sid}/statements",
                        headers=ene.user("pro_se").headers,
                        json={"party_id": ene.party("defendant2"), "body": "x"})
    assert r.status_code == 403 and r.json()["code"] == "not_a_participant"


@pytest.mark.parametrize("body", [
    {"party_id": "nope", "body": "x"},
    {"body": "x"},
    {"party_id": None, "body": ""},
    {"party_id": None, "body": "x", "share_with_parties": "maybe"},
    {"party_id": None, "body": "x", "extra": 1},
    {"party_id": None, "body": "x\u0000y"},
])
def test_bad_statement_input_is_422(ene: Ene, body):
    body = {k: (ene.party("plaintiff") if v is None else v) for k, v in body.items()}
    r = ene.post("plaintiff_counsel", "/statements", body)
    assert r.status_code == 422
