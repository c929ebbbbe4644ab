"""The pure ENE policy, table-driven: no database, no HTTP."""

from __future__ import annotations

import uuid

import pytest

from app.authz import policy_ene as pol
from app.authz.permissions import Role
from app.authz.policy import NOT_VISIBLE, Membership

P, D, D2, OUT = (uuid.uuid4() for _ in range(4))
EVALUATOR = uuid.uuid4()
FACTS = pol.SessionFacts(evaluator_user_id=EVALUATOR, party_ids=frozenset({P, D, D2}),
                         evaluator_confirmed=True)


def viewer(*memberships: tuple[Role, uuid.UUID | None], user: uuid.UUID | None = None):
    return pol.Viewer(user or uuid.uuid4(),
                      frozenset(Membership(r, p) for r, p in memberships))


EVAL = viewer((Role.NEUTRAL, None), user=EVALUATOR)
OTHER_NEUTRAL = viewer((Role.NEUTRAL, None))
P_COUNSEL = viewer((Role.COUNSEL, P))
P_CLIENT = viewer((Role.CLIENT, P))
D2_PRO_SE = viewer((Role.PRO_SE, D2))
AUDITOR = viewer((Role.AUDITOR, None))
ADMIN = viewer((Role.ROOM_ADMIN, None))
NOT_IN_SESSION = viewer((Role.COUNSEL, OUT))


@pytest.mark.parametrize("who,home,ok", [
    (EVAL, None, True), (EVAL, D, True), (OTHER_NEUTRAL, None, False),
    (P_COUNSEL, None, True), (P_CLIENT, None, True), (P_CLIENT, P, True),
    (P_CLIENT, D, False), (D2_PRO_SE, D2, True), (D2_PRO_SE, P, False),
    (AUDITOR, None, False), (ADMIN, P, False), (NOT_IN_SESSION, None, False),
    (EVAL, OUT, False),  # a caucus of a non-participating party does not exist
])
def test_channel_use(who, home, ok):
    assert bool(pol.can_use_channel(who, FACTS, home)) is ok


@pytest.mark.parametrize("who,item,ok", [
    (P_CLIENT, pol.Item(D), False),
    (P_CLIENT, pol.Item(D, shared=True), True),
    (P_CLIENT, pol.Item(D, released_to=frozenset({P})), True),
    (D2_PRO_SE, pol.Item(D, released_to=frozenset({P})), False),
    (AUDITOR, pol.Item(D, shared=True), False),
    (EVAL, pol.Item(D), True),
])
def test_item_visibility(who, item, ok):
    assert bool(pol.can_see_item(who, FACTS, item)) is ok


@pytest.mark.parametrize("who,item,to,code", [
    (P_COUNSEL, pol.Item(P), D, None),
    (P_CLIENT, pol.Item(P), D, "not_the_disclosing_party"),
    (EVAL, pol.Item(P), D, "not_the_disclosing_party"),
    (P_COUNSEL, pol.Item(D, released_to=frozenset({P})), D2, "not_the_disclosing_party"),
    (P_COUNSEL, pol.Item(D), D2, NOT_VISIBLE),
    (P_COUNSEL, pol.Item(None), D, "not_releasable"),
    (P_COUNSEL, pol.Item(P, shared=True), D, "not_releasable"),
    (P_COUNSEL, pol.Item(P), P, "invalid_release_target"),
    (P_COUNSEL, pol.Item(P), OUT, "invalid_release_target"),
    (P_COUNSEL, pol.Item(P, released_to=frozenset({D})), D, "already_released"),
])
def test_release(who, item, to, code):
    decision = pol.can_release(who, FACTS, item, to)
    assert (None if decision is True else decision.code) == code


def test_one_scoping_helper_keeps_order_and_drops_the_invisible():
    rows = [("a", pol.Item(None)), ("b", pol.Item(D)), ("c", pol.Item(P)),
            ("d", pol.Item(D, released_to=frozenset({P})))]
    assert pol.visible(P_CLIENT, FACTS, rows, lambda r: r[1]) == [rows[0], rows[2], rows[3]]
    assert pol.visible(AUDITOR, FACTS, rows, lambda r: r[1]) == []


def test_evaluation_and_attendance():
    assert pol.can_see_evaluation(P_CLIENT, FACTS, frozenset({P}))
    assert not pol.can_see_evaluation(D2_PRO_SE, FACTS, frozenset({P}))
    assert pol.can_see_evaluation(EVAL, FACTS, frozenset())
    assert not pol.can_evaluate(OTHER_NEUTRAL, FACTS)
    assert pol.attendance_roles(EVAL, FACTS) == [(Role.NEUTRAL, None)]
    assert pol.attendance_roles(P_CLIENT, FACTS) == [(Role.CLIENT, P)]
    assert not pol.can_check_in(AUDITOR, FACTS)
    assert pol.visible_releases(P_CLIENT, FACTS, D, [D2, P]) == [P]
    assert pol.visible_releases(EVAL, FACTS, D, [D2, P]) == sorted([D2, P])


UNCONFIRMED = pol.SessionFacts(evaluator_user_id=EVALUATOR, party_ids=frozenset({P, D, D2}),
                               evaluator_confirmed=False)


def test_an_unconfirmed_evaluator_neither_reads_nor_acts():
    for home in (None, P, D):
        assert pol.can_use_channel(EVAL, UNCONFIRMED, home).code == "evaluator_not_confirmed"
    assert not pol.can_see_item(EVAL, UNCONFIRMED, pol.Item(home_party_id=P))
    assert not pol.can_see_evaluation(EVAL, UNCONFIRMED, frozenset({P}))
    assert pol.can_evaluate(EVAL, UNCONFIRMED).code == "evaluator_not_confirmed"
    assert pol.can_evaluate(OTHER_NEUTRAL, UNCONFIRMED).code == "not_the_evaluator"
    # The parties are not held up by their evaluator's confirmation.
    assert pol.can_use_channel(P_CLIENT, UNCONFIRMED, P) is True
    assert pol.can_submit_statement(D2_PRO_SE, UNCONFIRMED, D2) is True


@pytest.mark.parametrize("answers,status", [
    ({}, "awaiting"), ({P: "confirm", D: "confirm"}, "awaiting"),
    ({P: "confirm", D: "confirm", D2: "confirm"}, "confirmed"),
    ({P: "confirm", D: "object", D2: "confirm"}, "objected"), ({D2: "object"}, "objected"),
])
def test_the_evaluator_is_confirmed_only_by_every_party(answers, status):
    parties = [P, D, D2]
    assert pol.evaluator_status(answers, parties) == status
    assert pol.evaluator_confirmed(answers, parties) is (status == "confirmed")


@pytest.mark.parametrize("who,party,expected", [
    (P_COUNSEL, None, {P}), (D2_PRO_SE, D2, {D2}), (P_COUNSEL, D, "not_a_speaking_party"),
    (P_CLIENT, None, "not_a_speaking_party"), (EVAL, None, "not_a_speaking_party"),
    (ADMIN, None, "not_a_speaking_party"), (NOT_IN_SESSION, None, "not_a_speaking_party"),
    (P_COUNSEL, OUT, "not_a_participant"),
])
def test_who_answers_for_a_party(who, party, expected):
    found = pol.evaluator_deciders(who, FACTS, party)
    assert found == expected if isinstance(expected, set) else found.code == expected
