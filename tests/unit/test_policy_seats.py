"""The seat rules as a table: who may give, hold and remove which seat."""

from __future__ import annotations

import uuid

import pytest

from app.authz.permissions import Role
from app.authz.policy import Membership
from app.authz.policy_seats import (
    Seat,
    adverse_pairs,
    may_give_seat,
    may_hold_seat,
    may_remove_seat,
    not_self,
    sees_invitation,
)

R = Role
P, D, D2, TP = (uuid.UUID(int=i) for i in (1, 2, 3, 4))
SIDES = {P: "plaintiff", D: "defendant", D2: "defendant", TP: "third_party"}
ADVERSE = adverse_pairs(SIDES, [])
ADMIN = frozenset({Membership(R.ROOM_ADMIN, None)})
ADMIN_AND_P_COUNSEL = ADMIN | {Membership(R.COUNSEL, P)}
P_COUNSEL = frozenset({Membership(R.COUNSEL, P)})
P_CLIENT = frozenset({Membership(R.CLIENT, P)})
D2_PRO_SE = frozenset({Membership(R.PRO_SE, D2)})
NEUTRAL = frozenset({Membership(R.NEUTRAL, None)})
NONE: frozenset[Membership] = frozenset()


def test_without_claims_every_plaintiff_is_adverse_to_every_defendant():
    assert ADVERSE == {frozenset({P, D}), frozenset({P, D2})}
    # With claims, only the parties of a claim are adverse.
    assert adverse_pairs(SIDES, [(D, [TP])]) == {frozenset({D, TP})}


# granter, seat, does the party already have counsel or a pro se party, expected code
GIVE = [
    (ADMIN, Seat(R.COUNSEL, D), False, None),            # the first counsel of a party
    (ADMIN, Seat(R.PRO_SE, D2), False, None),            # or its pro se party
    (ADMIN, Seat(R.COUNSEL, D), True, "seat_controlled_by_party"),
    (ADMIN, Seat(R.CLIENT, D), False, "seat_controlled_by_party"),
    (ADMIN, Seat(R.CLIENT, D), True, "seat_controlled_by_party"),
    (ADMIN_AND_P_COUNSEL, Seat(R.CLIENT, D), True, "seat_controlled_by_party"),
    (ADMIN_AND_P_COUNSEL, Seat(R.CLIENT, P), True, None),
    (P_COUNSEL, Seat(R.COUNSEL, P), True, None),         # co-counsel
    (P_COUNSEL, Seat(R.CLIENT, P), True, None),
    (P_COUNSEL, Seat(R.CLIENT, D), True, "seat_controlled_by_party"),
    (P_COUNSEL, Seat(R.COUNSEL, D), False, "seat_controlled_by_party"),
    (P_COUNSEL, Seat(R.NEUTRAL, None), False, "role_not_allowed"),
    (P_CLIENT, Seat(R.CLIENT, P), True, "seat_controlled_by_party"),
    (D2_PRO_SE, Seat(R.CLIENT, D2), True, None),
    (ADMIN, Seat(R.NEUTRAL, None), False, None),
    (ADMIN, Seat(R.AUDITOR, None), False, None),
    (ADMIN, Seat(R.ROOM_ADMIN, None), False, None),
    (NEUTRAL, Seat(R.AUDITOR, None), False, "role_not_allowed"),
    (NONE, Seat(R.COUNSEL, D), False, "seat_controlled_by_party"),
]


@pytest.mark.parametrize("granter,seat,seated,code", GIVE)
def test_who_may_give_a_seat(granter, seat, seated, code):
    decision = may_give_seat(granter, seat, party_has_speaker=seated)
    assert (decision is True) if code is None else (decision.code == code)


# holder's memberships, seat wanted, expected code
HOLD = [
    (P_COUNSEL, Seat(R.CLIENT, D), "adverse_party_conflict"),
    (P_COUNSEL, Seat(R.COUNSEL, D2), "adverse_party_conflict"),
    (frozenset({Membership(R.COUNSEL, D)}), Seat(R.COUNSEL, D2), None),  # co-defendants
    (P_CLIENT, Seat(R.COUNSEL, P), None),
    (P_CLIENT, Seat(R.NEUTRAL, None), "neutral_holds_party_seat"),
    (NEUTRAL, Seat(R.CLIENT, P), "neutral_holds_party_seat"),
    (NEUTRAL, Seat(R.AUDITOR, None), None),
    (ADMIN, Seat(R.NEUTRAL, None), None),
    (ADMIN_AND_P_COUNSEL, Seat(R.CLIENT, D), "adverse_party_conflict"),
    (NONE, Seat(R.COUNSEL, D), None),
]


@pytest.mark.parametrize("holder,seat,code", HOLD)
def test_who_may_hold_a_seat(holder, seat, code):
    decision = may_hold_seat(holder, seat, ADVERSE)
    assert (decision is True) if code is None else (decision.code == code)


def test_nobody_grants_a_role_to_themselves():
    me = uuid.uuid4()
    assert not_self(me, me).code == "self_grant"
    assert not_self("a@example.com", "a@example.com").code == "self_grant"
    assert not_self(me, uuid.uuid4()) is True


ME, OTHER = uuid.UUID(int=10), uuid.UUID(int=11)
REMOVE = [
    (ME, NONE, ME, Seat(R.CLIENT, D), None),             # leaving is always allowed
    (ME, ADMIN, OTHER, Seat(R.CLIENT, D), "seat_controlled_by_party"),
    (ME, P_COUNSEL, OTHER, Seat(R.CLIENT, P), None),
    (ME, P_COUNSEL, OTHER, Seat(R.CLIENT, D), "seat_controlled_by_party"),
    (ME, ADMIN, OTHER, Seat(R.AUDITOR, None), None),
    (ME, P_COUNSEL, OTHER, Seat(R.AUDITOR, None), "role_not_allowed"),
]


@pytest.mark.parametrize("actor,memberships,holder,seat,code", REMOVE)
def test_who_may_remove_a_seat(actor, memberships, holder, seat, code):
    decision = may_remove_seat(actor, memberships, holder, seat)
    assert (decision is True) if code is None else (decision.code == code)


def test_invitations_are_seen_by_their_inviter_and_the_seat_controller():
    assert sees_invitation(ME, NONE, ME, Seat(R.CLIENT, D))
    assert sees_invitation(ME, P_COUNSEL, OTHER, Seat(R.CLIENT, P))
    assert not sees_invitation(ME, ADMIN, OTHER, Seat(R.CLIENT, P))
    assert sees_invitation(ME, ADMIN, OTHER, Seat(R.NEUTRAL, None))


ACTOR, HOLDER = uuid.UUID(int=100), uuid.UUID(int=101)


# who decides, about which seat, expected code: the party's own speaker, never anyone else
OFFER_ACCESS = [
    (P_COUNSEL, ACTOR, Seat(R.CLIENT, P), None),
    (D2_PRO_SE, ACTOR, Seat(R.CLIENT, D2), None),
    (ADMIN, ACTOR, Seat(R.CLIENT, P), "offer_access_by_counsel"),
    (ADMIN_AND_P_COUNSEL, ACTOR, Seat(R.CLIENT, D), "offer_access_by_counsel"),
    (P_COUNSEL, ACTOR, Seat(R.CLIENT, D), "offer_access_by_counsel"),
    (P_CLIENT, ACTOR, Seat(R.CLIENT, P), "offer_access_by_counsel"),
    (P_CLIENT, HOLDER, Seat(R.CLIENT, P), "self_grant"),
    (NEUTRAL, ACTOR, Seat(R.CLIENT, P), "offer_access_by_counsel"),
    (P_COUNSEL, ACTOR, Seat(R.COUNSEL, P), "not_a_client_seat"),
    (ADMIN, ACTOR, Seat(R.NEUTRAL, None), "offer_access_by_counsel"),
]


@pytest.mark.parametrize("memberships,actor,seat,code", OFFER_ACCESS)
def test_who_decides_a_clients_access_to_offers(memberships, actor, seat, code):
    from app.authz.policy_seats import may_set_offer_access
    decision = may_set_offer_access(actor, memberships, HOLDER, seat)
    assert (decision is True) if code is None else decision.code == code  # type: ignore[union-attr]
