"""The change feed of an ENE session (``GET .../ene-sessions/{sid}/changes``): a cursor over
what the caller may see, and counts, never content. The cursor of a role moves exactly when
something that role may see changed: another party's private caucus activity, unshared
statement or evaluation moves no cursor of a party that may not see it (otherwise the feed
would tell *when* the other side talks to the evaluator). The expectations are written
from POLICY.md's ENE rows."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.ene.conftest import ACTS_FOR, ROLES, Ene

FIELDS = {"cursor", "changed", "status", "messages", "statements", "releases", "attendance",
          "evaluation"}


def _cursors(ene: Ene) -> dict[str, str]:
    out = {}
    for role in ROLES:
        r = ene.get(role, "/changes")
        assert r.status_code == 200, r.text
        out[role] = r.json()["cursor"]
    return out


def _moved(ene: Ene, act: Callable[[], object]) -> set[str]:
    before = _cursors(ene)
    act()
    after = _cursors(ene)
    return {role for role in ROLES if before[role] != after[role]}


def _acting(*parties: str) -> set[str]:
    return {role for role, mine in ACTS_FOR.items() if mine & set(parties)}


EVERY_PARTY = _acting("plaintiff", "defendant", "defendant2")


def test_a_private_caucus_moves_only_its_party_and_the_evaluator(seeded: Ene):
    moved = _moved(seeded, lambda: seeded.say("plaintiff_counsel", "plaintiff", "SECRET-x"))
    assert moved == {"neutral", *_acting("plaintiff")}
    moved = _moved(seeded, lambda: seeded.say("neutral", "defendant2", "SECRET-y"))
    assert moved == {"neutral", *_acting("defendant2")}


def test_a_joint_message_moves_every_party_not_the_roles_as_such(seeded: Ene):
    moved = _moved(seeded, lambda: seeded.say("neutral", "joint", "SECRET-joint"))
    assert moved == {"neutral", *EVERY_PARTY}


def test_an_unshared_statement_moves_only_its_party_and_the_evaluator(seeded: Ene):
    moved = _moved(seeded, lambda: seeded.state("pro_se", "defendant2", "SECRET-v2"))
    assert moved == {"neutral", *_acting("defendant2")}
    moved = _moved(seeded, lambda: seeded.state("defense_counsel", "defendant",
                                                "SECRET-shared-v2", shared=True))
    assert moved == {"neutral", *EVERY_PARTY}


def test_a_release_moves_the_disclosing_and_the_receiving_party_only(seeded: Ene):
    def release() -> None:
        r = seeded.post("plaintiff_counsel", f"/messages/{seeded.messages['plaintiff']}/release",
                        {"to_party_id": seeded.party("defendant")})
        assert r.status_code == 201, r.text
    assert _moved(seeded, release) == {"neutral", *_acting("plaintiff", "defendant")}


def test_the_evaluation_moves_only_whoever_it_is_shared_with(seeded: Ene):
    """Rewritten while shared with the plaintiff only: the defendants were already told
    "not shared with you" and learn nothing of a new version."""
    def rewrite() -> None:
        r = seeded.post("neutral", "/evaluation", {"body": "SECRET-evaluation-2",
                                                   "share_with_party_ids": []})
        assert r.status_code == 201, r.text
    assert _moved(seeded, rewrite) == {"neutral", *_acting("plaintiff")}

    def share() -> None:
        r = seeded.post("neutral", "/evaluation/share",
                        {"party_ids": [seeded.party("defendant")]})
        assert r.status_code == 200, r.text
    assert _moved(seeded, share) == {"neutral", *_acting("defendant")}


def test_an_unshared_evaluation_moves_no_party(ene: Ene):
    """The evaluator's drafting is its own: a party is told "not shared yet" before and
    after the evaluator writes, and its cursor stays."""
    def write() -> None:
        r = ene.post("neutral", "/evaluation", {"body": "SECRET-draft",
                                                "share_with_party_ids": []})
        assert r.status_code == 201, r.text
    assert _moved(ene, write) == {"neutral"}
    for role in EVERY_PARTY:
        assert ene.get(role, "/changes").json()["evaluation"] == "not_shared_yet"


def test_metadata_every_member_sees_moves_everyone(seeded: Ene):
    def check_in() -> None:
        assert seeded.post("pro_se", "/attendance").status_code == 201
    assert _moved(seeded, check_in) == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_the_feed_holds_counts_and_states_never_content(seeded: Ene, role: str):
    r = seeded.get(role, "/changes")
    assert r.status_code == 200 and set(r.json()) == FIELDS
    for marker in seeded.markers:
        assert marker not in r.text
    body = r.json()
    assert body["changed"] is True  # no cursor given
    again = seeded.get(role, "/changes", since=body["cursor"]).json()
    assert again["changed"] is False and again["cursor"] == body["cursor"]
    mine = ACTS_FOR.get(role, set())
    if role == "neutral" or "plaintiff" in mine:
        assert body["evaluation"] == "readable"
    elif mine:
        assert body["evaluation"] == "not_shared_with_you"
    else:
        assert body["evaluation"] == "not_for_you"
    if role in ("room_admin", "auditor"):
        assert (body["messages"], body["statements"], body["releases"]) == (0, 0, 0)
    if role == "neutral":
        assert (body["messages"], body["statements"]) == (4, 3)


def test_unknown_session_and_bad_cursor(ene: Ene):
    other = f"/api/v1/cases/{ene.room.id}/ene-sessions/{'0' * 8}-0000-4000-8000-{'0' * 12}"
    r = ene.api.client.get(other + "/changes", headers=ene.user("neutral").headers)
    assert r.status_code == 404 and r.json()["code"] == "session_not_found"
    r = ene.get("neutral", "/changes", since="x" * 65)
    assert r.status_code == 422 and r.headers["content-type"].startswith(
        "application/problem+json")
