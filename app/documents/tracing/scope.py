"""The versions one trace may compare: every downloaded version, in the caller's live cases,
that the caller may trace (or only read), of a media type the evidence can carry marks of.

Read in a fixed number of queries whatever the number of documents: one query of columns
for the versions (with their download counts and whether their text layer is stored), and
per case its protective order and its ENE sessions once, so a document's facts never cost
a query of their own. Nothing is decrypted here: download codes and names are opened later,
only for the versions the evidence is actually compared with or named in the result.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from app.authz import policy_documents as pol
from app.authz.permissions import ROLE_PERMISSIONS, Permission, Role
from app.authz.policy import Membership
from app.authz.policy_ene import Viewer
from app.cases import service as case_service
from app.documents import reads
from app.documents import repository as repo
from app.documents.inspection import PDF
from app.models.documents import Document
from app.protective_orders import gate as order_gate
from app.watermark import LAYERS, MEDIA_TYPES

COMPATIBLE = {"text": MEDIA_TYPES, "pdf": frozenset({PDF}), "images": MEDIA_TYPES}


def member_cases(session: Session, user_id: uuid.UUID) -> dict[uuid.UUID, frozenset[Membership]]:
    """Live cases where the user holds any seat, with all its memberships."""
    by_case: dict[uuid.UUID, set[Membership]] = defaultdict(set)
    for m in repo.user_memberships(session, user_id):
        by_case[m.case_id].add(Membership(Role(m.role), m.party_id, m.reads_offers))
    return {cid: frozenset(ms) for cid, ms in sorted(by_case.items(), key=lambda kv: str(kv[0]))
            if not case_service.is_destroyed(session, cid)}


def traces_in(memberships: frozenset[Membership]) -> bool:
    tracers = ROLE_PERMISSIONS[Permission.TRACE]
    return any(m.role in tracers for m in memberships)


def rights(user_id: uuid.UUID, memberships: frozenset[Membership], facts: pol.DocumentFacts
           ) -> tuple[bool, bool]:
    """Whether the user may trace the document, and whether it may read it."""
    sees = bool(pol.can_see_document(Viewer(user_id, memberships), facts))
    traces = traces_in(memberships) and bool(pol.can_trace_document(memberships, facts))
    return traces, sees


def rights_on(session: Session, user_id: uuid.UUID, memberships: frozenset[Membership],
              doc: Document) -> tuple[bool, bool]:
    """``rights`` of one loaded document (its facts read for it alone)."""
    return rights(user_id, memberships, reads.facts_of(session, doc))


class Version(NamedTuple):
    """One version in the trace's view: its columns and what the caller may do with it.
    ``id`` is the version id as text (``repository.ScopeRow``)."""

    row: repo.ScopeRow
    traces: bool
    reads: bool

    @property
    def id(self) -> str:
        return self.row.version

    @property
    def tests(self) -> int:
        """Tests a comparison with this version runs: every candidate on every layer."""
        return max(1, self.row.downloads) * len(LAYERS)


@dataclass(frozen=True)
class Scope:
    """``traceable``: versions the caller may trace; ``readable``: versions it may only read
    (compared only to tell it "you may not trace this document")."""

    traceable: list[Version]
    readable: list[Version]
    case_ids: list[uuid.UUID]

    @property
    def versions(self) -> list[Version]:
        return self.traceable + self.readable

    @property
    def tests(self) -> int:
        """Every test of the trace: the union bound covers all traceable versions, whether
        the index had them compared or not, so a result never depends on the index."""
        return max(1, sum(v.tests for v in self.traceable))


@dataclass(frozen=True)
class _Document:
    """What a document's rights depend on (``reads.DocumentLike``), built once for all the
    documents that share it."""

    case_id: uuid.UUID
    uploader_party_id: uuid.UUID
    designation: str
    audience_all: bool
    audience_party_ids: list[Any]
    ene_session_id: uuid.UUID | None

    @classmethod
    def of(cls, row: repo.ScopeRow) -> _Document:
        audience = json.loads(row.audience) if row.audience else []
        return cls(uuid.UUID(row.case), uuid.UUID(row.uploader_party), row.designation,
                   bool(row.audience_all), list(audience),
                   uuid.UUID(row.ene_session) if row.ene_session else None)


def load_scope(session: Session, user_id: uuid.UUID,
               cases: dict[uuid.UUID, frozenset[Membership]], kind: str) -> Scope:
    rows = repo.traced_scope(session, list(cases), COMPATIBLE[kind])
    docs: dict[tuple[object, ...], _Document] = {}  # one per distinct set of facts
    for row in rows:
        if row[1:7] not in docs:
            docs[row[1:7]] = _Document.of(row)
    case_ids = sorted({d.case_id for d in docs.values()}, key=str)
    orders = {c: order_gate.order_facts(session, c) for c in case_ids}
    ene = {c: reads.case_ene_facts(session, c)
           for c in sorted({d.case_id for d in docs.values() if d.ene_session_id}, key=str)}
    decided = {key: rights(user_id, cases[d.case_id],
                           reads.facts_of(session, d, ene.get(d.case_id, {}), orders))
               for key, d in docs.items()}
    traceable, readable = [], []
    for row in rows:
        traces, sees = decided[row[1:7]]
        if traces:
            traceable.append(Version(row, True, sees))
        elif sees:
            readable.append(Version(row, False, True))
    return Scope(traceable, readable, case_ids)
