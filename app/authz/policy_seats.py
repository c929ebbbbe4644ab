"""Who may give whom which seat in a case room: pure rules, plain values in, a decision out.

Threats (issue 14): the room admin, or one party's counsel, seating itself or another for a
party it does not speak for, to read that party's caucus, offers and documents; one person
sitting for two adverse parties (ABA Model Rule 1.7(b)(3)); a neutral who is also a party's
counsel or client.

Rules:
- nobody grants a role to themselves (``self_grant``): every seat is given by someone else;
- a party's seats are the party's: once it has counsel or a pro se party seated, only they
  invite anyone else for it; before that the room admin may invite its first counsel (or
  its pro se party), and nothing else for it (``seat_controlled_by_party``);
- party-less seats (room admin, neutral, auditor) are the room admin's to give;
- one user never sits for two adverse parties (``adverse_party_conflict``): parties are
  adverse when one brings a claim the other defends; a case without claims is one claim,
  every plaintiff against every defendant;
- a neutral holds no party seat in the case, and a party's member is never its neutral
  (``neutral_holds_party_seat``);
- a member may always leave; removing anyone else's party seat is for that party's counsel
  or pro se party, a party-less seat for the room admin;
- whether a client seat reads its party's offers is decided by that party's counsel (or
  the party pro se), never by the room admin as such, the other side or the client itself
  (``offer_access_by_counsel``, ``self_grant``); only a client seat has the choice
  (``not_a_client_seat``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.authz.permissions import PARTY_ROLES, SPEAKING_ROLES, Role
from app.authz.policy import ALLOW, Decision, Denial, Membership


@dataclass(frozen=True)
class Seat:
    role: Role
    party_id: uuid.UUID | None


SELF_GRANT = Denial("self_grant", "Nobody grants a role to themselves: another member "
                    "with the right to give this seat must invite you.")
SEAT_CONTROLLED = Denial(
    "seat_controlled_by_party",
    "This party's own counsel (or the party acting for itself) decides who else sits for "
    "it; the room admin may only invite a party's first counsel or its pro se party.")
NOT_ROOM_ADMIN = Denial("role_not_allowed",
                        "Only the room admin gives seats that belong to no party.")
ADVERSE = Denial("adverse_party_conflict",
                 "One person cannot sit for two adverse parties in a case.")
OFFER_ACCESS_BY_COUNSEL = Denial(
    "offer_access_by_counsel",
    "Only the party's own counsel (or the party acting for itself) decides whether its "
    "client reads offers in the room.")
NOT_A_CLIENT_SEAT = Denial.invalid(
    "not_a_client_seat", "Only a client seat has a choice about reading offers.")
NEUTRAL_CONFLICT = Denial("neutral_holds_party_seat",
                          "A neutral holds no seat for a party in the same case, and a "
                          "party's counsel or client cannot be its neutral.")

Claims = Iterable[tuple[uuid.UUID, Iterable[uuid.UUID]]]


def adverse_pairs(sides: Mapping[uuid.UUID, str],
                  claims: Claims) -> frozenset[frozenset[uuid.UUID]]:
    """Pairs of adverse parties: claimant and defending party of each claim; with no claim,
    every plaintiff and every defendant."""
    listed = [(claimant, list(defenders)) for claimant, defenders in claims]
    if not listed:
        return frozenset(frozenset({p, d}) for p, side_p in sides.items()
                         if side_p == "plaintiff"
                         for d, side_d in sides.items() if side_d == "defendant")
    return frozenset(frozenset({claimant, defender}) for claimant, defenders in listed
                     for defender in defenders if claimant != defender)


def speaks_for(memberships: frozenset[Membership], party_id: uuid.UUID | None) -> bool:
    return party_id is not None and any(
        m.role in SPEAKING_ROLES and m.party_id == party_id for m in memberships)


def may_give_seat(memberships: frozenset[Membership], seat: Seat, *,
                  party_has_speaker: bool) -> Decision:
    """May a member holding ``memberships`` give (invite to) ``seat``, now?"""
    if seat.role not in PARTY_ROLES:
        return ALLOW if any(m.role == Role.ROOM_ADMIN for m in memberships) else NOT_ROOM_ADMIN
    if speaks_for(memberships, seat.party_id):
        return ALLOW
    first_speaker = not party_has_speaker and seat.role in SPEAKING_ROLES
    if first_speaker and any(m.role == Role.ROOM_ADMIN for m in memberships):
        return ALLOW
    return SEAT_CONTROLLED


def not_self(granter: uuid.UUID | str, grantee: uuid.UUID | str | None) -> Decision:
    """``grantee`` is a user id, or (before acceptance) a normalised e-mail address."""
    return SELF_GRANT if grantee is not None and granter == grantee else ALLOW


def may_hold_seat(holder: frozenset[Membership], seat: Seat,
                  adverse: frozenset[frozenset[uuid.UUID]]) -> Decision:
    """May a user holding ``holder`` in the case also take ``seat``?"""
    party_seats = {m.party_id for m in holder if m.role in PARTY_ROLES}
    if seat.role == Role.NEUTRAL and party_seats:
        return NEUTRAL_CONFLICT
    if seat.role in PARTY_ROLES:
        if any(m.role == Role.NEUTRAL for m in holder):
            return NEUTRAL_CONFLICT
        if any(frozenset({seat.party_id, held}) in adverse for held in party_seats):
            return ADVERSE
    return ALLOW


def may_remove_seat(actor: uuid.UUID, memberships: frozenset[Membership],
                    holder: uuid.UUID, seat: Seat) -> Decision:
    """A member may leave; another's seat is removed by whoever now controls it."""
    if actor == holder:
        return ALLOW
    if seat.role in PARTY_ROLES:
        return ALLOW if speaks_for(memberships, seat.party_id) else SEAT_CONTROLLED
    return ALLOW if any(m.role == Role.ROOM_ADMIN for m in memberships) else NOT_ROOM_ADMIN


def sees_invitation(actor: uuid.UUID, memberships: frozenset[Membership],
                    invited_by: uuid.UUID, seat: Seat) -> bool:
    """Invitations are shown to their inviter and to whoever controls their seat."""
    if actor == invited_by:
        return True
    if seat.role in PARTY_ROLES:
        return speaks_for(memberships, seat.party_id)
    return any(m.role == Role.ROOM_ADMIN for m in memberships)


def may_set_offer_access(actor: uuid.UUID, memberships: frozenset[Membership],
                         holder: uuid.UUID, seat: Seat) -> Decision:
    """May ``actor`` choose whether ``holder``'s ``seat`` reads its party's offers?

    Rule 4.2 leaves what reaches a represented client to the client's own lawyer: the
    party's counsel (or, for a party acting for itself, the party) decides. Who decides is
    checked before what the seat is, so that a member of another side learns nothing
    about the seat from the answer.
    """
    if actor == holder:
        return SELF_GRANT
    if not speaks_for(memberships, seat.party_id):
        return OFFER_ACCESS_BY_COUNSEL
    if seat.role != Role.CLIENT:
        return NOT_A_CLIENT_SEAT
    return ALLOW
