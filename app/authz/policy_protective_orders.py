"""Pure object policy of the protective order (POLICY.md "protective order" rows).

Plain values in, ``ALLOW`` or a ``Denial`` out. Who sees a designated document under an
order is decided with every other document rule in ``policy_documents``; this module
decides what the order adds: Exhibit A before opening, challenges, clawbacks.

Threats: a member opening designated material before agreeing to be bound (Exhibit A);
a recipient keeping a clawed-back copy in use; a party challenging its own designation or
clawing back another party's production to deny it to its opponent.

Invariants:
- designated material (CONFIDENTIAL or AEO under an order) opens only after the reader
  acknowledged the current order; the producing party's own members need no
  acknowledgment for their own documents (they are bound by the stipulation they made
  and the material is theirs);
- a clawed-back document opens for the producing party's members only (FRCP 26(b)(5)(B):
  the others must not use it until the claim is resolved);
- only a receiving party's counsel or pro se challenges a designation; only the
  designating party's counsel or pro se records its motion; either records an impasse;
- only the producing party's counsel or pro se claws a document back; only a member who
  held a copy when notice was given certifies;
- public text is registered for a party its registrant speaks for (counsel or pro se), and
  counts in the checks of that party's members only (a party can blind only its own
  guard); it is removed by the member who added it or by a room admin.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from app.authz.permissions import PARTY_ROLES, SPEAKING_ROLES, Role
from app.authz.policy import ALLOW, Decision, Denial, Membership, parties_acting_as
from app.authz.policy_documents import ORDER_DESIGNATIONS, DocumentFacts

CERTIFY_ACTIONS = ("sequestered", "destroyed")


def _own(memberships: frozenset[Membership], doc: DocumentFacts) -> bool:
    return doc.uploader_party_id in parties_acting_as(memberships, PARTY_ROLES)


def is_designated(doc: DocumentFacts) -> bool:
    """Material the protective order governs."""
    return doc.order is not None and doc.designation in ORDER_DESIGNATIONS


def may_open(memberships: frozenset[Membership], doc: DocumentFacts, *,
             acknowledged: bool) -> Decision:
    """Whether a reader who may see the document may open its content now."""
    if not is_designated(doc) or acknowledged or _own(memberships, doc):
        return ALLOW
    return Denial.conflict(
        "acknowledgment_required",
        "Sign the protective order's Acknowledgment and Agreement to Be Bound (Exhibit A) "
        "before opening designated material.")


def may_open_clawed_back(memberships: frozenset[Membership], doc: DocumentFacts, *,
                         clawed_back: bool) -> Decision:
    if not clawed_back or _own(memberships, doc):
        return ALLOW
    return Denial.conflict(
        "clawed_back",
        "The producing party clawed this document back: it may not be opened or used until "
        "the claim is resolved (Fed. R. Civ. P. 26(b)(5)(B)).")


def challenging_party(memberships: frozenset[Membership], doc: DocumentFacts,
                      requested: uuid.UUID | None) -> uuid.UUID | Denial:
    """The receiving party a challenge is made for (its counsel or the party pro se)."""
    if not is_designated(doc):
        return Denial.conflict("not_designated_under_order",
                               "Only material designated under the protective order is "
                               "challenged here.")
    speaking = parties_acting_as(memberships, SPEAKING_ROLES) - {doc.uploader_party_id}
    receiving = speaking if doc.audience_all else speaking & doc.audience
    if requested is not None:
        return requested if requested in receiving else Denial(
            "not_a_receiving_party", "You do not act as counsel or pro se for that party.")
    if len(receiving) == 1:
        return next(iter(receiving))
    if not receiving:
        return Denial("not_a_receiving_party",
                      "Only a receiving party's counsel, or the party pro se, challenges a "
                      "designation.")
    return Denial.invalid("party_required", "You act for several parties: name the party_id.")


def can_record_motion(memberships: frozenset[Membership], designating_party: uuid.UUID
                      ) -> Decision:
    if designating_party in parties_acting_as(memberships, SPEAKING_ROLES):
        return ALLOW
    return Denial("not_the_designating_party",
                  "Only the designating party's counsel, or the party pro se, records its "
                  "motion to retain the designation.")


def can_record_impasse(memberships: frozenset[Membership],
                       parties: Collection[uuid.UUID]) -> Decision:
    if parties_acting_as(memberships, SPEAKING_ROLES) & set(parties):
        return ALLOW
    return Denial("not_a_party_to_the_challenge",
                  "Only counsel or a pro se party of the challenge's two parties records "
                  "that meeting and conferring did not resolve it.")


def can_claw_back(memberships: frozenset[Membership], doc: DocumentFacts) -> Decision:
    if doc.uploader_party_id in parties_acting_as(memberships, SPEAKING_ROLES):
        return ALLOW
    return Denial("not_the_producing_party",
                  "Only the producing party's counsel, or the party pro se, claws it back.")


def can_certify(user_id: uuid.UUID, recipients: Collection[uuid.UUID]) -> Decision:
    if user_id in recipients:
        return ALLOW
    return Denial("not_a_recipient",
                  "Only a member who received a copy before the clawback certifies.")


def registering_party(memberships: frozenset[Membership], requested: uuid.UUID | None
                      ) -> uuid.UUID | Denial:
    """The party a public text is registered for: one the member speaks for."""
    speaking = parties_acting_as(memberships, SPEAKING_ROLES)
    if requested is not None:
        return requested if requested in speaking else Denial(
            "not_your_party", "You do not act as counsel or pro se for that party.")
    if len(speaking) == 1:
        return next(iter(speaking))
    if not speaking:
        return Denial("role_not_allowed", "Only counsel, or a party pro se, registers "
                      "public text.")
    return Denial.invalid("party_required", "You act for several parties: name the party_id.")


def public_text_parties(memberships: frozenset[Membership]) -> frozenset[uuid.UUID]:
    """The parties whose registered public text counts in this member's checks."""
    return parties_acting_as(memberships, PARTY_ROLES)


def can_remove_public_text(user_id: uuid.UUID, memberships: frozenset[Membership],
                           added_by: uuid.UUID) -> Decision:
    if user_id == added_by or any(m.role == Role.ROOM_ADMIN for m in memberships):
        return ALLOW
    return Denial("not_who_added",
                  "Only the member who registered this public text, or a room admin, "
                  "removes it.")
