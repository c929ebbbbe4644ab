"""Pure object policy of documents, downloads and leak traces (POLICY.md, document rows).

Plain values in, ``ALLOW`` or a ``Denial`` out: no database, no request, no clock.

Threat model: a document is seen only by the parties it was produced to. Roles held "as
such" (room_admin, auditor) never open content; they may trace and see download records,
which carry no content. A denial with ``NOT_VISIBLE`` is answered exactly like an unknown
id (404) so that invisible documents do not leak their existence.

Invariants:
- CONFIDENTIAL: counsel, pro_se and client of the uploading party and of the audience;
- AEO: counsel and pro_se of the same parties (clients never);
- once the case has a protective order (``OrderFacts``), a receiving party's member sees a
  designated document only if the order's tier for that designation reaches the member's
  role (``tier_roles``), and a pro se party never sees another party's AEO document: the
  room has no record that any pro se party is an attorney, and "attorneys' eyes only" is
  the producing party's promise that no non-attorney reads it, whatever the tier or the
  uploader's audience says. The uploading party's own members keep their access;
- ENE: the session's evaluator, and counsel/pro_se/client of the participating parties
  among the uploading party and the audience (``audience_all`` = every participant);
- trace and download records: auditor and room_admin of the case, counsel/pro_se of the
  uploading party. A record says who received which copy and when; where from (the
  downloader's address and browser) is personal data of the downloader's side and is shown
  only to the downloader and to members acting for the downloader's party: the uploading
  side must not learn where its opponent works from, and the auditor and room admin need
  the recipient, not the network, to trace a leak.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from app.authz.permissions import PARTY_ROLES, SPEAKING_ROLES, Role
from app.authz.policy import ALLOW, Decision, Denial, Membership, parties_acting_as
from app.authz.policy_ene import SessionFacts, Viewer, acting_parties, evaluator_acts

DESIGNATIONS = ("CONFIDENTIAL", "AEO", "ENE")
# The designations a protective order's tiers map to (ENE material is governed by the ADR
# rules, not by the protective order).
ORDER_DESIGNATIONS = ("CONFIDENTIAL", "AEO")
# Who an order's tier may be disclosed to, in the order's own words.
TIER_CATEGORIES = ("outside_counsel", "in_house_counsel", "parties", "experts")
T = TypeVar("T")


@dataclass(frozen=True)
class OrderFacts:
    """The case's current protective order: designation -> the tier's audience categories
    (a designation the order does not map is absent)."""

    tiers: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentFacts:
    uploader_party_id: uuid.UUID
    designation: str
    audience_all: bool
    audience: frozenset[uuid.UUID] = field(default_factory=frozenset)
    ene: SessionFacts | None = None
    order: OrderFacts | None = None


def _invisible() -> Denial:
    return Denial.not_visible("No such document.")


def _reached(doc: DocumentFacts, viewer_parties: frozenset[uuid.UUID]) -> bool:
    if doc.audience_all:
        return bool(viewer_parties)
    return bool(viewer_parties & (doc.audience | {doc.uploader_party_id}))


def tier_roles(designation: str, categories: frozenset[str]) -> frozenset[Role]:
    """The receiving-side room roles a tier reaches. Room counsel are the parties' outside
    counsel; a client seat is the party's own people; the room cannot tell which client
    seat is in-house counsel and seats no expert, so those categories open nothing here.
    An AEO tier never reaches a client or a pro se party, whatever its categories say."""
    roles: set[Role] = set()
    if "outside_counsel" in categories:
        roles.add(Role.COUNSEL)
    if "parties" in categories and designation != "AEO":
        roles |= {Role.CLIENT, Role.PRO_SE}
    return frozenset(roles)


def _receiving_roles(doc: DocumentFacts) -> frozenset[Role]:
    base = PARTY_ROLES if doc.designation == "CONFIDENTIAL" else SPEAKING_ROLES
    if doc.order is None:
        return base
    if doc.designation == "AEO":
        base = frozenset({Role.COUNSEL})
    categories = doc.order.tiers.get(doc.designation)
    return base if categories is None else base & tier_roles(doc.designation, categories)


def _sees_designated(viewer: Viewer, doc: DocumentFacts) -> bool:
    """CONFIDENTIAL or AEO: the uploading party's own members by the room's rule, the
    receiving parties' members as the order's tier allows."""
    own = PARTY_ROLES if doc.designation == "CONFIDENTIAL" else SPEAKING_ROLES
    if doc.uploader_party_id in parties_acting_as(viewer.memberships, own):
        return True
    receiving = parties_acting_as(viewer.memberships, _receiving_roles(doc))
    return _reached(doc, receiving - {doc.uploader_party_id})


def can_see_document(viewer: Viewer, doc: DocumentFacts) -> Decision:
    if doc.designation in ORDER_DESIGNATIONS:
        ok = _sees_designated(viewer, doc)
    elif doc.designation == "ENE" and doc.ene is not None:
        ok = evaluator_acts(viewer, doc.ene) or _reached(doc, acting_parties(viewer, doc.ene))
    else:
        ok = False
    return ALLOW if ok else _invisible()


def visible_documents(
    viewer: Viewer, rows: Iterable[T], facts_of: Callable[[T], DocumentFacts]
) -> list[T]:
    """The one scoping helper for document lists: the rows the viewer may see, in order."""
    return [row for row in rows if can_see_document(viewer, facts_of(row))]


def can_trace_document(memberships: frozenset[Membership], doc: DocumentFacts) -> Decision:
    """Trace leaks of a document and read its download records."""
    if any(m.role in (Role.AUDITOR, Role.ROOM_ADMIN) for m in memberships):
        return ALLOW
    if doc.uploader_party_id in parties_acting_as(memberships, SPEAKING_ROLES):
        return ALLOW
    return Denial("not_allowed_to_trace",
                  "Only the auditor, the room admin and the uploading party may do this.")


def sees_download_origin(viewer: Viewer, downloader_user_id: uuid.UUID,
                         downloader_party_id: uuid.UUID | None) -> bool:
    """Whether a download record shows its client address and browser to ``viewer``."""
    if viewer.user_id == downloader_user_id:
        return True
    return (downloader_party_id is not None
            and downloader_party_id in parties_acting_as(viewer.memberships, PARTY_ROLES))


def uploading_party(
    memberships: frozenset[Membership], requested: uuid.UUID | None
) -> uuid.UUID | Denial:
    """The party a document is uploaded for: counsel or pro_se speak; clients never do."""
    speaking = parties_acting_as(memberships, SPEAKING_ROLES)
    if requested is not None:
        if requested in speaking:
            return requested
        return Denial("not_your_party", "You do not act as counsel or pro se for that party.")
    if len(speaking) == 1:
        return next(iter(speaking))
    if not speaking:
        return Denial("not_a_speaking_role", "Only counsel or a pro se party uploads documents.")
    return Denial.invalid("party_required", "You act for several parties: name the party_id.")


def can_replace(memberships: frozenset[Membership], doc: DocumentFacts) -> Decision:
    """A new version: counsel or pro_se of the uploading party."""
    if doc.uploader_party_id in parties_acting_as(memberships, SPEAKING_ROLES):
        return ALLOW
    return Denial("not_the_uploading_party",
                  "Only the uploading party's counsel, or the party pro se, replaces it.")


def check_audience(
    designation: str, uploader: uuid.UUID, audience: frozenset[uuid.UUID],
    case_parties: frozenset[uuid.UUID], ene: SessionFacts | None,
) -> Decision:
    """Designation, audience and ENE session agree with each other and the case."""
    if designation not in DESIGNATIONS:
        return Denial.invalid("invalid_designation", "designation is CONFIDENTIAL, AEO or ENE.")
    if not audience <= case_parties:
        return Denial.invalid("invalid_audience", "The audience names a party not in this case.")
    if designation == "ENE":
        if ene is None:
            return Denial.invalid("ene_session_required",
                "An ENE document needs an ene_session_id.")
        if uploader not in ene.party_ids:
            return Denial("not_a_participant", "Your party does not take part in that session.")
        if not audience <= ene.party_ids:
            return Denial.invalid("invalid_audience",
                "The audience names a non-participating party.")
    elif ene is not None:
        return Denial.invalid("ene_session_not_allowed",
            "Only ENE documents name an ene_session_id.")
    return ALLOW


def can_delete(memberships: frozenset[Membership], doc: DocumentFacts) -> Decision:
    """Delete: counsel or pro_se of the uploading party (the service adds: only while no
    copy was ever made of it, and only if it was never produced)."""
    if doc.uploader_party_id in parties_acting_as(memberships, SPEAKING_ROLES):
        return ALLOW
    return Denial("not_the_uploading_party",
                  "Only the uploading party's counsel, or the party pro se, deletes it.")


def can_manage_folder(memberships: frozenset[Membership], folder_party_id: uuid.UUID
                      ) -> Decision:
    """Create or rename a folder, file a document in it: counsel or pro_se of the folder's
    party (a party files only its own documents, in its own folders)."""
    if folder_party_id in parties_acting_as(memberships, SPEAKING_ROLES):
        return ALLOW
    return Denial("not_the_folder_party",
                  "Only the folder's party's counsel, or the party pro se, does this.")


def can_see_folder(memberships: frozenset[Membership], folder_party_id: uuid.UUID,
                   holds_visible_document: bool) -> bool:
    """A folder's path is content of its party: shown to the members acting for that party,
    and to others only when it holds a document they may see (never an empty or foreign
    folder, so that a path cannot tell what the party keeps out of their sight)."""
    return holds_visible_document or folder_party_id in parties_acting_as(memberships,
                                                                          PARTY_ROLES)


def check_production(party_id: uuid.UUID, docs: list[DocumentFacts]) -> Decision:
    """A production is one party's own CONFIDENTIAL or AEO documents, all with the same
    designation and audience: its index is then seen by everyone who sees any of them,
    and a gap in its Bates range never hints at a page kept from a reader."""
    if any(d.uploader_party_id != party_id for d in docs):
        return Denial.invalid("not_own_document",
                              "A party produces only the documents it uploaded.")
    if any(d.designation not in ORDER_DESIGNATIONS for d in docs):
        return Denial.invalid("not_producible",
                              "Only CONFIDENTIAL and AEO documents are produced.")
    shapes = {(d.designation, d.audience_all, d.audience) for d in docs}
    if len(shapes) > 1:
        return Denial.invalid("mixed_production_audience",
                              "A production's documents share one designation and audience.")
    return ALLOW
