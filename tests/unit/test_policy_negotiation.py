"""The negotiation policy as a table: pure functions, no database."""

from __future__ import annotations

import uuid

import pytest

from app.authz.permissions import Role
from app.authz.policy import Membership
from app.authz.policy_negotiation import (
    OfferFacts,
    Rule68Facts,
    may_address,
    may_make_offer,
    may_respond_offer,
    may_see_offer,
    may_see_rule68,
    may_serve_rule68,
    rule68_accepting_parties,
)
from app.rule68.rules import defends_claims_of

P, D, D2 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
SIDES = {P: "plaintiff", D: "defendant", D2: "defendant"}
MEMBERS = {
    "p_counsel": frozenset({Membership(Role.COUNSEL, P)}),
    "p_client": frozenset({Membership(Role.CLIENT, P)}),
    "d_counsel": frozenset({Membership(Role.COUNSEL, D)}),
    "d2_pro_se": frozenset({Membership(Role.PRO_SE, D2)}),
    "neutral": frozenset({Membership(Role.NEUTRAL, None)}),
    "auditor": frozenset({Membership(Role.AUDITOR, None)}),
    "admin": frozenset({Membership(Role.ROOM_ADMIN, None)}),
}


@pytest.mark.parametrize("who,designation,shared,visible", [
    ("p_counsel", "AEO", False, True), ("p_client", "CONFIDENTIAL", False, True),
    ("p_client", "AEO", False, False), ("d_counsel", "AEO", False, True),
    ("d2_pro_se", "CONFIDENTIAL", True, False), ("neutral", "CONFIDENTIAL", False, False),
    ("neutral", "AEO", True, True), ("auditor", "CONFIDENTIAL", True, False),
    ("admin", "CONFIDENTIAL", True, False),
])
def test_offer_visibility(who, designation, shared, visible):
    offer = OfferFacts(P, D, designation, shared)
    assert bool(may_see_offer(MEMBERS[who], offer)) is visible


@pytest.mark.parametrize("who,make,respond", [
    ("p_counsel", True, False), ("p_client", False, False), ("d_counsel", False, True),
    ("d2_pro_se", False, False), ("neutral", False, False),
])
def test_who_speaks(who, make, respond):
    offer = OfferFacts(P, D, "CONFIDENTIAL", False)
    assert bool(may_make_offer(MEMBERS[who], P)) is make
    assert bool(may_respond_offer(MEMBERS[who], offer)) is respond


def test_rule_4_2_addressing():
    assert not may_address(represented=True, counsel_count=0, pro_se_count=0)
    assert may_address(represented=True, counsel_count=1, pro_se_count=0)
    assert may_address(represented=False, counsel_count=0, pro_se_count=1)


@pytest.mark.parametrize("who,offeror,offerees,claims,allowed", [
    ("d_counsel", D, [P], [], True),  # no claims: plaintiffs against defendants
    ("d2_pro_se", D2, [P], [], True),
    ("p_counsel", P, [D], [], False),
    ("p_counsel", P, [D], [(P, [D]), (D, [P])], True),  # counterclaim
    ("d_counsel", D, [P], [(D, [P])], False),  # only the counterclaim is recorded
    ("d_counsel", D, [D2], [], False),
    ("d2_pro_se", D, [P], [], False),  # speaks for another party
    ("p_client", P, [D], [(D, [P])], False),
])
def test_rule68_eligibility(who, offeror, offerees, claims, allowed):
    defends = defends_claims_of(offeror, offerees, claims, sides=SIDES)
    decision = may_serve_rule68(MEMBERS[who], offeror, defends_each_offeree=defends)
    assert bool(decision) is allowed
    if not allowed:
        assert decision.code == "not_a_defending_party"


def test_rule68_visibility_and_acceptance():
    offer = Rule68Facts(D, frozenset({P}))
    assert may_see_rule68(MEMBERS["p_client"], offer)
    for who in ("neutral", "auditor", "admin", "d2_pro_se"):
        assert not may_see_rule68(MEMBERS[who], offer)
    assert rule68_accepting_parties(MEMBERS["p_counsel"], offer) == frozenset({P})
    assert not rule68_accepting_parties(MEMBERS["p_client"], offer)
    assert not rule68_accepting_parties(MEMBERS["d_counsel"], offer)
