"""Pure object-level policy for settlement offers and Rule 68 offers of judgment.

Plain values in, ``ALLOW`` or a ``Denial`` out; no database, no request. The guard has
already checked the caller's *roles* against ``ROLE_PERMISSIONS``; these functions decide
about *this* offer, per party (never per side: a co-defendant sees nothing of an offer
between the plaintiff and another defendant).

Threats addressed:
- a member of one party reading or acting on another party's offers (visibility is per
  party and invisible offers must be answered exactly like unknown ids: ``NOT_VISIBLE``);
- a client speaking to the other side or binding its party: only counsel, or a party
  acting pro se, makes, withdraws, accepts or rejects (ABA Model Rule 4.2);
- an offer reaching a represented party other than through its counsel;
- the neutral, the court (room admin) or the auditor seeing Rule 68 terms (68(b));
- a client reading offers its own counsel chose to keep from it: whether a client seat
  reads its party's offers (settlement and Rule 68, made by or to the party) is counsel's
  choice, recorded on the seat (``Membership.reads_offers``) and applied here, in the one
  place that lists, shows and notifies offers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.authz.permissions import SPEAKING_ROLES, Role
from app.authz.policy import ALLOW, Decision, Denial, Membership, parties_acting_as

AEO = "AEO"
NOT_VISIBLE = Denial.not_visible("No such offer.")


@dataclass(frozen=True)
class OfferFacts:
    from_party_id: uuid.UUID
    to_party_id: uuid.UUID
    designation: str
    share_with_neutral: bool


@dataclass(frozen=True)
class OfferScope:
    """What a member may list: the one scoping rule, turned into SQL by the repository.

    ``full``: parties whose offers the member sees whatever the designation;
    ``non_aeo``: parties whose CONFIDENTIAL (not AEO) offers it sees as a client;
    ``neutral``: it sees offers shared with the neutral.
    """

    full: frozenset[uuid.UUID]
    non_aeo: frozenset[uuid.UUID]
    neutral: bool


def _speaks_for(memberships: frozenset[Membership]) -> frozenset[uuid.UUID]:
    return parties_acting_as(memberships, SPEAKING_ROLES)


def client_offer_parties(memberships: frozenset[Membership]) -> frozenset[uuid.UUID]:
    """Parties whose offers the member reads as a client: those whose counsel (or whose
    pro se party) lets that client seat read offers."""
    return frozenset(m.party_id for m in memberships
                     if m.role == Role.CLIENT and m.party_id and m.reads_offers)


def offer_scope(memberships: frozenset[Membership]) -> OfferScope:
    return OfferScope(
        full=_speaks_for(memberships),
        non_aeo=client_offer_parties(memberships),
        neutral=any(m.role == Role.NEUTRAL for m in memberships),
    )


def may_see_offer(memberships: frozenset[Membership], offer: OfferFacts) -> Decision:
    scope = offer_scope(memberships)
    ends = {offer.from_party_id, offer.to_party_id}
    if scope.full & ends:
        return ALLOW
    if scope.non_aeo & ends and offer.designation != AEO:
        return ALLOW
    if scope.neutral and offer.share_with_neutral:
        return ALLOW
    return NOT_VISIBLE


def may_make_offer(memberships: frozenset[Membership], from_party_id: uuid.UUID) -> Decision:
    """Counsel or a pro se party speaks for ``from_party``; a client never does."""
    if from_party_id in _speaks_for(memberships):
        return ALLOW
    return Denial("not_your_party",
                  "Only counsel or a pro se party may make an offer for that party.")


def may_withdraw_offer(memberships: frozenset[Membership], offer: OfferFacts) -> Decision:
    if offer.from_party_id in _speaks_for(memberships):
        return ALLOW
    return Denial("not_offering_party",
                  "Only counsel or the pro se party of the offering side may withdraw.")


def may_respond_offer(memberships: frozenset[Membership], offer: OfferFacts) -> Decision:
    """Accept, reject or counter: counsel or pro se of the party the offer is made to."""
    if offer.to_party_id in _speaks_for(memberships):
        return ALLOW
    return Denial("not_receiving_party",
                  "Only counsel or the pro se party the offer is made to may respond.")


def may_address(*, represented: bool, counsel_count: int, pro_se_count: int) -> Decision:
    """Rule 4.2: a represented party is addressed through its counsel, never directly."""
    if represented and counsel_count == 0:
        return Denial("recipient_has_no_counsel",
                      "The party is represented but its counsel is not in this room.")
    if not represented and pro_se_count == 0:
        return Denial("recipient_not_in_room", "The party has no member in this room.")
    return ALLOW


# --- Rule 68 -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule68Facts:
    offeror_party_id: uuid.UUID
    offeree_party_ids: frozenset[uuid.UUID]


def rule68_scope(memberships: frozenset[Membership]) -> frozenset[uuid.UUID]:
    """Parties whose Rule 68 offers the member sees: counsel or pro se of them, or a client
    of them that its counsel lets read offers.

    The neutral, auditor and room admin as such have no party, hence no scope.
    """
    return _speaks_for(memberships) | client_offer_parties(memberships)


def may_see_rule68(memberships: frozenset[Membership], offer: Rule68Facts) -> Decision:
    if rule68_scope(memberships) & ({offer.offeror_party_id} | offer.offeree_party_ids):
        return ALLOW
    return NOT_VISIBLE


NOT_DEFENDING = Denial(
    "not_a_defending_party",
    "A Rule 68 offer may be served only by counsel or a pro se party of a party defending "
    "a claim brought by each offeree.",
)


def may_serve_rule68(
    memberships: frozenset[Membership],
    offeror_party_id: uuid.UUID,
    *,
    defends_each_offeree: bool,
) -> Decision:
    """68(a): "a party defending against a claim", served on the party bringing it.

    Whether the offeror defends a claim of every offeree is law about the case's claims
    (``app.rule68.rules.defends_claims_of``); the caller computes it and this decides who
    may act on it: only counsel or a pro se party of the offeror.
    """
    if offeror_party_id not in _speaks_for(memberships) or not defends_each_offeree:
        return NOT_DEFENDING
    return ALLOW


def may_withdraw_rule68(memberships: frozenset[Membership], offer: Rule68Facts) -> Decision:
    if offer.offeror_party_id in _speaks_for(memberships):
        return ALLOW
    return Denial("not_offering_party", "Only the offeror's counsel or pro se party may do this.")


def rule68_accepting_parties(
    memberships: frozenset[Membership], offer: Rule68Facts
) -> frozenset[uuid.UUID] | Denial:
    """The offerees for which the caller may give written notice of acceptance (68(a))."""
    parties = _speaks_for(memberships) & offer.offeree_party_ids
    if parties:
        return parties
    return Denial("not_an_offeree",
                  "Only counsel or a pro se party of an offeree may accept this offer.")


def may_consent_to_service(memberships: frozenset[Membership], party_id: uuid.UUID) -> Decision:
    """A party's consent to electronic service is given by its counsel or by itself pro se."""
    if party_id in _speaks_for(memberships):
        return ALLOW
    return Denial("not_your_party",
                  "Only counsel or the pro se party may consent for that party.")
