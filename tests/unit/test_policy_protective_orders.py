"""The protective-order rows of POLICY.md over the pure policy: who sees designated
documents under an order's tiers, who must sign Exhibit A first, who challenges, claws
back and certifies."""

import uuid

import pytest

from app.authz.permissions import Role
from app.authz.policy import Membership
from app.authz.policy_documents import DocumentFacts, OrderFacts, can_see_document, tier_roles
from app.authz.policy_ene import Viewer
from app.authz.policy_protective_orders import (
    can_certify,
    can_claw_back,
    challenging_party,
    may_open,
    may_open_clawed_back,
)

P, D, D2 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
ROLES = {
    "p_counsel": Membership(Role.COUNSEL, P), "p_client": Membership(Role.CLIENT, P),
    "d_counsel": Membership(Role.COUNSEL, D), "d_client": Membership(Role.CLIENT, D),
    "d2_pro_se": Membership(Role.PRO_SE, D2), "neutral": Membership(Role.NEUTRAL, None),
    "auditor": Membership(Role.AUDITOR, None), "admin": Membership(Role.ROOM_ADMIN, None),
}
MODEL = OrderFacts({"CONFIDENTIAL": frozenset({"outside_counsel", "parties"}),
                    "AEO": frozenset({"outside_counsel", "experts"})})
GENEROUS = OrderFacts({"AEO": frozenset({"outside_counsel", "parties"})})
COUNSEL_ONLY = OrderFacts({"CONFIDENTIAL": frozenset({"outside_counsel"})})


def ms(label: str) -> frozenset[Membership]:
    return frozenset({ROLES[label]})


TABLE = [
    (DocumentFacts(P, "AEO", True), {"p_counsel", "d_counsel", "d2_pro_se"}),  # no order
    (DocumentFacts(P, "AEO", True, order=MODEL), {"p_counsel", "d_counsel"}),
    (DocumentFacts(P, "AEO", True, order=GENEROUS), {"p_counsel", "d_counsel"}),
    (DocumentFacts(P, "AEO", True, order=OrderFacts()), {"p_counsel", "d_counsel"}),
    (DocumentFacts(D2, "AEO", True, order=MODEL), {"p_counsel", "d_counsel", "d2_pro_se"}),
    (DocumentFacts(P, "CONFIDENTIAL", True, order=MODEL),
     {"p_counsel", "p_client", "d_counsel", "d_client", "d2_pro_se"}),
    (DocumentFacts(P, "CONFIDENTIAL", True, order=COUNSEL_ONLY),
     {"p_counsel", "p_client", "d_counsel"}),
    (DocumentFacts(P, "CONFIDENTIAL", False, frozenset({D}), order=COUNSEL_ONLY),
     {"p_counsel", "p_client", "d_counsel"}),
]


@pytest.mark.parametrize(("doc", "allowed"), TABLE)
def test_visibility_under_an_order(doc, allowed):
    seen = {label for label in ROLES if can_see_document(Viewer(uuid.uuid4(), ms(label)), doc)}
    assert seen == allowed


def test_tier_roles():
    assert tier_roles("AEO", frozenset({"parties", "in_house_counsel", "experts"})) == set()
    assert tier_roles("CONFIDENTIAL", frozenset({"parties"})) == {Role.CLIENT, Role.PRO_SE}


def test_exhibit_a_and_clawback_gates():
    doc = DocumentFacts(P, "CONFIDENTIAL", True, order=MODEL)
    assert may_open(ms("d_counsel"), doc, acknowledged=False).code == "acknowledgment_required"
    assert may_open(ms("d_counsel"), doc, acknowledged=True)
    assert may_open(ms("p_client"), doc, acknowledged=False)  # its own party's document
    assert may_open(ms("d_counsel"), DocumentFacts(P, "CONFIDENTIAL", True),
                    acknowledged=False)  # no order
    assert may_open_clawed_back(ms("d_counsel"), doc, clawed_back=True).code == "clawed_back"
    assert may_open_clawed_back(ms("p_client"), doc, clawed_back=True)


def test_challenge_clawback_certify():
    doc = DocumentFacts(P, "CONFIDENTIAL", True, order=MODEL)
    assert challenging_party(ms("d_counsel"), doc, None) == D
    assert challenging_party(ms("p_counsel"), doc, None).code == "not_a_receiving_party"
    assert challenging_party(ms("d_counsel"), doc, D2).code == "not_a_receiving_party"
    both = frozenset({ROLES["d_counsel"], Membership(Role.COUNSEL, D2)})
    assert challenging_party(both, doc, None).code == "party_required"
    no_order = DocumentFacts(P, "CONFIDENTIAL", True)
    assert challenging_party(ms("d_counsel"), no_order, None).code == \
        "not_designated_under_order"
    assert can_claw_back(ms("p_counsel"), doc)
    assert can_claw_back(ms("p_client"), doc).code == "not_the_producing_party"
    me = uuid.uuid4()
    assert can_certify(me, {me})
    assert can_certify(me, set()).code == "not_a_recipient"
