"""Pure object policy of Early Neutral Evaluation (POLICY.md, the ENE rows).

Plain values in, ``ALLOW`` or a ``Denial`` out: no database, no request, no clock.

Threat model: everything said, written or shown in an ENE is confidential (N.D. Cal. ADR
L.R. 5-12), from the assigned judge, the room admin and the auditor too. A caucus is the
private room of one party with the evaluator; nothing leaves it except by a release that
the disclosing party's counsel (or the party itself, pro se) makes to one named party.
The evaluator hosts but never relays. A denial with ``NOT_VISIBLE`` must be answered
exactly like an unknown id (404), so that invisible objects do not leak their existence.

Invariants:
- the evaluator is the session's evaluator user *and* holds the neutral role in the case;
- the evaluator acts (reads or writes a channel, sees statements, an evaluation or ENE
  documents, writes, shares, closes) only once every participating party's counsel or pro
  se party has confirmed them (``SessionFacts.evaluator_confirmed``); until then it is
  refused with 409 ``evaluator_not_confirmed`` where it acts and sees nothing it reads. A
  party may object instead; the session then waits for the room admin to name another
  evaluator, whose confirmations start afresh;
- a member speaks for a party only through counsel, pro_se or client memberships of a
  party that participates in the session; roles held "as such" (room_admin, auditor)
  never open content;
- an item (message or statement) is visible to the evaluator, to its home party, to every
  participating party when it is joint or shared, and to exactly the parties it was
  released to; nothing else.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from app.authz.permissions import PARTY_ROLES, SPEAKING_ROLES, Role
from app.authz.policy import ALLOW, Decision, Denial, Membership, parties_acting_as

T = TypeVar("T")


@dataclass(frozen=True)
class Viewer:
    user_id: uuid.UUID
    memberships: frozenset[Membership]


@dataclass(frozen=True)
class SessionFacts:
    evaluator_user_id: uuid.UUID
    party_ids: frozenset[uuid.UUID]
    # Every participating party confirmed this evaluator (``evaluator_confirmed``).
    evaluator_confirmed: bool


@dataclass(frozen=True)
class Item:
    """A message or statement as policy sees it.

    ``home_party_id`` is the caucus party or the statement's party; None for the joint
    channel. ``shared`` is a statement shared with every participating party.
    """

    home_party_id: uuid.UUID | None
    shared: bool = False
    released_to: frozenset[uuid.UUID] = field(default_factory=frozenset)


CONFIRM = "confirm"
OBJECT = "object"
EVALUATOR_NOT_CONFIRMED = Denial.conflict(
    "evaluator_not_confirmed",
    "The evaluator acts in this session only once every participating party's counsel (or "
    "the party pro se) has confirmed them.")


def _invisible(what: str) -> Denial:
    return Denial.not_visible(f"No such {what}.")


def evaluator_confirmed(decisions: Mapping[uuid.UUID, str],
                        party_ids: Iterable[uuid.UUID]) -> bool:
    """Every participating party's current answer to the evaluator is ``confirm``."""
    return all(decisions.get(p) == CONFIRM for p in party_ids)


def evaluator_status(decisions: Mapping[uuid.UUID, str],
                     party_ids: Iterable[uuid.UUID]) -> str:
    """``objected`` when a party objects, ``confirmed`` when all confirmed, else
    ``awaiting``."""
    parties = list(party_ids)
    if any(decisions.get(p) == OBJECT for p in parties):
        return "objected"
    return "confirmed" if evaluator_confirmed(decisions, parties) else "awaiting"


def is_evaluator(viewer: Viewer, facts: SessionFacts) -> bool:
    """The session's evaluator, confirmed or not (who is told of the session, attends)."""
    return viewer.user_id == facts.evaluator_user_id and any(
        m.role == Role.NEUTRAL for m in viewer.memberships
    )


def evaluator_acts(viewer: Viewer, facts: SessionFacts) -> bool:
    """The session's evaluator, confirmed by every participating party: who reads and
    writes every channel, the statements and the evaluation."""
    return facts.evaluator_confirmed and is_evaluator(viewer, facts)


def acting_parties(viewer: Viewer, facts: SessionFacts) -> frozenset[uuid.UUID]:
    """Participating parties for which the viewer is counsel, pro se or client."""
    return parties_acting_as(viewer.memberships, PARTY_ROLES) & facts.party_ids


def speaking_parties(viewer: Viewer, facts: SessionFacts) -> frozenset[uuid.UUID]:
    """Participating parties for which the viewer is counsel or pro se."""
    return parties_acting_as(viewer.memberships, SPEAKING_ROLES) & facts.party_ids


def can_use_channel(viewer: Viewer, facts: SessionFacts, home: uuid.UUID | None) -> Decision:
    """Read and write a whole channel: joint (home None) or the caucus of party ``home``.

    POLICY.md, read literally: counsel, pro_se *and client* of a participating party
    read and write the joint channel and their own caucus.
    """
    if home is not None and home not in facts.party_ids:
        return _invisible("channel")
    if evaluator_acts(viewer, facts):
        return ALLOW
    mine = acting_parties(viewer, facts)
    if (home is None and mine) or home in mine:
        return ALLOW
    if is_evaluator(viewer, facts):
        return EVALUATOR_NOT_CONFIRMED
    return _invisible("channel")


def can_see_item(viewer: Viewer, facts: SessionFacts, item: Item) -> Decision:
    if can_use_channel(viewer, facts, item.home_party_id):
        return ALLOW
    mine = acting_parties(viewer, facts)
    if item.shared and mine:
        return ALLOW
    if mine & item.released_to:
        return ALLOW
    return _invisible("item")


def visible(
    viewer: Viewer, facts: SessionFacts, rows: Iterable[T], item_of: Callable[[T], Item]
) -> list[T]:
    """The one scoping helper: the rows the viewer may see, in their order."""
    return [row for row in rows if can_see_item(viewer, facts, item_of(row))]


def visible_releases(
    viewer: Viewer, facts: SessionFacts, home: uuid.UUID | None,
    released_to: Iterable[uuid.UUID],
) -> list[uuid.UUID]:
    """Which releases of an item the viewer may learn of: all of them if the viewer may use
    the item's channel (the disclosing side, the evaluator), else only its own."""
    targets = sorted(set(released_to))
    if can_use_channel(viewer, facts, home):
        return targets
    mine = acting_parties(viewer, facts)
    return [p for p in targets if p in mine]


def can_submit_statement(viewer: Viewer, facts: SessionFacts, party_id: uuid.UUID) -> Decision:
    """Counsel or pro se of a participating party submit that party's statement."""
    if party_id not in facts.party_ids:
        return Denial("not_a_participant", "The party does not participate in this session.")
    if party_id not in speaking_parties(viewer, facts):
        return Denial("statement_not_yours",
                      "Only the party's counsel, or the party pro se, submits its statement.")
    return ALLOW


def can_see_evaluation(
    viewer: Viewer, facts: SessionFacts, shared_with: frozenset[uuid.UUID]
) -> Decision:
    if evaluator_acts(viewer, facts) or acting_parties(viewer, facts) & shared_with:
        return ALLOW
    return _invisible("evaluation")


def can_evaluate(viewer: Viewer, facts: SessionFacts) -> Decision:
    """Write or share the evaluation, close the session: the session's evaluator only, once
    every participating party confirmed them."""
    if evaluator_acts(viewer, facts):
        return ALLOW
    if is_evaluator(viewer, facts):
        return EVALUATOR_NOT_CONFIRMED
    return Denial("not_the_evaluator", "Only the session's evaluator may do this.")


def evaluator_deciders(viewer: Viewer, facts: SessionFacts,
                       party_id: uuid.UUID | None) -> frozenset[uuid.UUID] | Denial:
    """The participating parties for which the viewer answers the evaluator (confirm or
    object): those it speaks for as counsel or pro se, or only ``party_id`` when named.
    A client, the evaluator and the room admin as such never answer for a party."""
    mine = speaking_parties(viewer, facts)
    if party_id is not None:
        if party_id not in facts.party_ids:
            return Denial.invalid("not_a_participant",
                                  "The party does not participate in this session.")
        mine &= {party_id}
    if not mine:
        return Denial("not_a_speaking_party",
                      "Only a participating party's counsel, or the party pro se, confirms "
                      "or objects to the evaluator.")
    return mine


def can_name_evaluator(memberships: frozenset[Membership]) -> Decision:
    """Naming another evaluator for a session: the room admin (the court's ADR clerk's
    part); the neutrals themselves never pick who evaluates."""
    if any(m.role == Role.ROOM_ADMIN for m in memberships):
        return ALLOW
    return Denial("role_not_allowed", "Only the room admin names a session's evaluator.")


def can_release(
    viewer: Viewer, facts: SessionFacts, item: Item, to_party_id: uuid.UUID
) -> Decision:
    """Release one item to one other party: the disclosing party's counsel or pro se.

    The caller must already see the item (else NOT_VISIBLE). The evaluator, a client and
    a recipient of an earlier release never release.
    """
    seen = can_see_item(viewer, facts, item)
    if not seen:
        return seen
    if item.home_party_id is None or item.shared:
        return Denial.conflict("not_releasable",
            "Every participating party already sees this item.")
    if item.home_party_id not in speaking_parties(viewer, facts):
        return Denial("not_the_disclosing_party",
                      "Only the disclosing party's counsel, or the party pro se, may release.")
    if to_party_id == item.home_party_id or to_party_id not in facts.party_ids:
        return Denial.invalid("invalid_release_target",
                      "Release to another party that participates in this session.")
    if to_party_id in item.released_to:
        return Denial.conflict("already_released", "This item was already released to that party.")
    return ALLOW


def attendance_roles(
    viewer: Viewer, facts: SessionFacts
) -> list[tuple[Role, uuid.UUID | None]]:
    """The (role, party) pairs in which the viewer attends: evaluator and party roles."""
    pairs: list[tuple[Role, uuid.UUID | None]] = []
    if is_evaluator(viewer, facts):
        pairs.append((Role.NEUTRAL, None))
    pairs.extend(sorted(
        ((m.role, m.party_id) for m in viewer.memberships
         if m.role in PARTY_ROLES and m.party_id in facts.party_ids),
        key=lambda p: (p[0].value, str(p[1])),
    ))
    return pairs


def can_check_in(viewer: Viewer, facts: SessionFacts) -> Decision:
    if attendance_roles(viewer, facts):
        return ALLOW
    return Denial("not_a_participant", "Only the evaluator and participating parties attend.")


def can_reschedule(viewer: Viewer, facts: SessionFacts) -> Decision:
    """Move a session (its time, its statements' due date): the room admin, who hosts the
    room's sessions, or the session's own evaluator; not another neutral of the case, who
    could otherwise move a colleague's session."""
    if is_evaluator(viewer, facts) or any(m.role == Role.ROOM_ADMIN
                                          for m in viewer.memberships):
        return ALLOW
    return Denial("not_session_host",
                  "Only the room admin or the session's evaluator may move the session.")
