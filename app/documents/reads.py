"""Read models of documents, and what every document use case shares: who may see a
document (its audience, an ENE session's participants), loading it (404 for one the
caller may not see, exactly like an unknown id), its displayed name, its download records
and the watermark channels its downloads carry.

Invariants:
- names (original and displayed) are sealed and opened only for a caller allowed to see
  the document; nothing about the content goes into audit details, logs or errors;
- a list is one audit event naming ids, whatever the number of documents; download
  records are shown to the uploader's side and the room admin, never the secret codes.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from app.audit.queries import leaf_indexes_of
from app.audit.service import record
from app.authz import policy_documents as pol
from app.authz.policy_ene import SessionFacts, Viewer
from app.context import CaseContext
from app.documents import bates
from app.documents import repository as repo
from app.documents.errors import DocumentNotFound
from app.documents.schemas import ChannelsRead, DocumentRead, DownloadRead
from app.ene import service as ene_service
from app.errors import Conflict
from app.models.documents import (
    FOLDER_OBJECT_TYPE,
    NAMES_OBJECT_TYPE,
    Document,
    DocumentDownload,
    DocumentFolder,
    DocumentVersion,
)
from app.protective_orders import gate as order_gate
from app.refusals import refuse, refuse_unless
from app.runtime import Services
from app.sealing import open_json
from app.watermark import CHANNELS


@dataclass(frozen=True)
class Loaded:
    doc: Document
    facts: pol.DocumentFacts


def viewer(ctx: CaseContext) -> Viewer:
    return Viewer(user_id=ctx.user_id, memberships=ctx.memberships)


def ene_facts(session: Session, case_id: uuid.UUID,
              session_id: uuid.UUID | None) -> SessionFacts | None:
    summary = ene_summary(session, case_id, session_id)
    return summary.facts if summary else None


def ene_summary(session: Session, case_id: uuid.UUID, session_id: uuid.UUID | None, *,
                lock: bool = False) -> ene_service.SessionSummary | None:
    return None if session_id is None else ene_service.session_summary(
        session, case_id, session_id, lock=lock)


def refuse_if_session_closed(session: Session, ctx: CaseContext, action: str,
                             document_id: uuid.UUID | None,
                             summary: ene_service.SessionSummary | None) -> None:
    """A closed ENE session is read-only, its exhibits included: no new document and no
    new version (the caller locked the session row, so a concurrent close waits)."""
    if summary is not None and summary.closed:
        refuse(session, ctx, action, "document", document_id,
               Conflict("The ENE session is closed; its documents are read-only.",
                        code="session_closed"))


def case_ene_facts(session: Session, case_id: uuid.UUID) -> dict[uuid.UUID, SessionFacts]:
    """Facts of every ENE session of the case in two queries, for a whole document list."""
    return {sid: summary.facts
            for sid, summary in ene_service.case_session_summaries(session, case_id).items()}


class DocumentLike(Protocol):
    """What ``facts_of`` reads of a document: a row, or the columns a trace loaded."""

    @property
    def case_id(self) -> uuid.UUID: ...
    @property
    def uploader_party_id(self) -> uuid.UUID: ...
    @property
    def designation(self) -> str: ...
    @property
    def audience_all(self) -> bool: ...
    @property
    def audience_party_ids(self) -> list[Any]: ...
    @property
    def ene_session_id(self) -> uuid.UUID | None: ...


def facts_of(session: Session, doc: DocumentLike,
             ene: Mapping[uuid.UUID, SessionFacts] | None = None,
             orders: Mapping[uuid.UUID, pol.OrderFacts | None] | None = None,
             ) -> pol.DocumentFacts:
    """``ene``: the case's session facts when a list loaded them (``case_ene_facts``);
    ``orders``: the case's protective order when a list loaded it (case id -> facts)."""
    order = (orders[doc.case_id] if orders is not None
             else order_gate.order_facts(session, doc.case_id))
    if doc.ene_session_id is None:
        session_ene = None
    elif ene is not None:
        session_ene = ene.get(doc.ene_session_id)
    else:
        session_ene = ene_facts(session, doc.case_id, doc.ene_session_id)
    return pol.DocumentFacts(
        uploader_party_id=doc.uploader_party_id, designation=doc.designation,
        audience_all=doc.audience_all,
        audience=frozenset(uuid.UUID(p) for p in doc.audience_party_ids),
        ene=session_ene, order=order,
    )


def find(session: Session, case_id: uuid.UUID, document_id: uuid.UUID) -> Loaded | None:
    """The document and its facts, visible or not: for callers that apply another rule
    than seeing it (a tracer reading a clawback's status), and refuse themselves."""
    doc = repo.get_document(session, case_id, document_id)
    return None if doc is None else Loaded(doc, facts_of(session, doc))


def load_visible(session: Session, ctx: CaseContext, document_id: uuid.UUID,
                 action: str, *, lock: bool | str = False) -> Loaded:
    """``lock="share"`` (a download): a concurrent deletion either waits for this request's
    commit, or commits first and this request answers 404 as for an unknown id."""
    doc = repo.get_document(session, ctx.case_id, document_id, lock=lock)
    if doc is None:
        refuse(session, ctx, action, "document", document_id,
               DocumentNotFound("No such document."))
    facts = facts_of(session, doc)
    decision = pol.can_see_document(viewer(ctx), facts)
    refuse_unless(session, ctx, action, "document", document_id, decision)
    return Loaded(doc, facts)


def downloaders(session: Session, document_id: uuid.UUID
                ) -> list[tuple[uuid.UUID, uuid.UUID | None]]:
    """Who holds a copy: each (user, party) with a download record of the document."""
    return repo.downloaders(session, document_id)


def display_name(svc: Services, row: DocumentVersion) -> str:
    names = open_json(svc.key_provider, row.names_sealed, case_id=row.case_id,
                      object_type=NAMES_OBJECT_TYPE, object_id=row.id)
    return str(names["display"])


def folder_paths(svc: Services, folders: list[DocumentFolder]) -> dict[uuid.UUID, str]:
    """Open the (sealed) paths of folders the caller may see."""
    return {f.id: str(open_json(svc.key_provider, f.path_sealed, case_id=f.case_id,
                                object_type=FOLDER_OBJECT_TYPE, object_id=f.id))
            for f in folders}


def bates_ranges(session: Session, case_id: uuid.UUID) -> dict[uuid.UUID, tuple[str, str]]:
    """The Bates range of every produced version of the case, by version id."""
    return {item.version_id: (bates.label(prod.prefix, item.first_number),
                              bates.label(prod.prefix, item.first_number + item.page_count - 1))
            for item, prod in repo.case_production_items(session, case_id)}


def document_read(svc: Services, doc: Document, row: DocumentVersion, *,
                  folders: Mapping[uuid.UUID, str] | None = None,
                  ranges: Mapping[uuid.UUID, tuple[str, str]] | None = None) -> DocumentRead:
    """``folders``: paths of the folders the caller may see (a document it sees makes its
    folder visible); ``ranges``: Bates ranges by version id."""
    audience = [uuid.UUID(p) for p in doc.audience_party_ids]
    first, last = (ranges or {}).get(row.id, (None, None))
    return DocumentRead(
        id=doc.id, case_id=doc.case_id, filename=display_name(svc, row),
        media_type=row.media_type, size=row.size, sha256=row.sha256,
        designation=doc.designation,
        audience="all" if doc.audience_all else ",".join(str(p) for p in audience),
        audience_party_ids=audience, uploader_party_id=doc.uploader_party_id,
        ene_session_id=doc.ene_session_id, version=row.version, version_id=row.id,
        created_at=row.created_at, folder_id=doc.folder_id,
        folder=(folders or {}).get(doc.folder_id) if doc.folder_id else None,
        bates_first=first, bates_last=last,
    )


def read_one(session: Session, svc: Services, doc: Document) -> DocumentRead:
    """A document the caller may see, with its folder's path and its Bates range."""
    row = repo.version_of(session, doc.id, doc.current_version)
    folder = repo.get_folder(session, doc.case_id, doc.folder_id) if doc.folder_id else None
    produced = repo.production_of_version(session, row.id)
    ranges = {}
    if produced is not None:
        item, prod = produced
        ranges[row.id] = (bates.label(prod.prefix, item.first_number),
                          bates.label(prod.prefix, item.first_number + item.page_count - 1))
    return document_read(svc, doc, row, folders=folder_paths(svc, [folder] if folder else []),
                         ranges=ranges)


def visible_case_documents(session: Session, ctx: CaseContext) -> list[Document]:
    """Every document of the case the caller may see, in upload order (no audit: the
    callers record what they show)."""
    ene = case_ene_facts(session, ctx.case_id)
    orders = {ctx.case_id: order_gate.order_facts(session, ctx.case_id)}
    return pol.visible_documents(viewer(ctx), repo.list_documents(session, ctx.case_id),
                                 lambda d: facts_of(session, d, ene, orders))


def list_documents(session: Session, ctx: CaseContext, svc: Services, *, offset: int,
                   limit: int, also_shown: Mapping[str, list[uuid.UUID]] | None = None
                   ) -> list[DocumentRead]:
    """A fixed number of queries whatever the number of documents; one audit event naming
    the documents whose (sealed) names the response shows, and ``also_shown`` (e.g. the
    folder ids a page shows beside them, read unaudited: one event per page)."""
    docs = visible_case_documents(session, ctx)[offset: offset + limit]
    versions = repo.current_versions(session, docs)
    wanted = {d.folder_id for d in docs if d.folder_id}
    folders = folder_paths(svc, [f for f in repo.folders(session, ctx.case_id)
                                 if f.id in wanted])
    ranges = bates_ranges(session, ctx.case_id)
    record(session, ctx, "document.list", "case", ctx.case_id,
           {"count": len(docs), "document_ids": [d.id for d in docs], **(also_shown or {})})
    return [document_read(svc, d, versions[d.id], folders=folders, ranges=ranges)
            for d in docs]


def get_document(session: Session, ctx: CaseContext, svc: Services, *,
                 document_id: uuid.UUID) -> DocumentRead:
    loaded = load_visible(session, ctx, document_id, "document.read")
    # The (sealed) name is content: its read is recorded, by id.
    record(session, ctx, "document.read", "document", document_id,
           {"document_id": document_id, "version": loaded.doc.current_version})
    return read_one(session, svc, loaded.doc)


def list_downloads(session: Session, ctx: CaseContext, *, document_id: uuid.UUID,
                   offset: int, limit: int) -> list[DownloadRead]:
    """Who received which copy: the tracers of the document (auditor, room admin, the
    uploading party's counsel or pro se). Records hold no content and no codes."""
    action = "document.downloads.read"
    doc = repo.get_document(session, ctx.case_id, document_id)
    if doc is None:
        refuse(session, ctx, action, "document", document_id,
            pol.Denial.not_visible("No such document."))
    assert doc is not None
    facts = facts_of(session, doc)
    decision = pol.can_trace_document(ctx.memberships, facts)
    if not decision:
        # Not a tracer: someone who may see the document learns 403, others 404.
        seen = pol.can_see_document(viewer(ctx), facts)
        refuse(session, ctx, action, "document", document_id, decision if seen else seen)
    rows = repo.list_downloads(session, document_id, offset=offset, limit=limit)
    record(session, ctx, action, "document", document_id, {"document_id": document_id,
                                                           "count": len(rows)})
    leaves = leaf_indexes_of(session, object_type="document_download",
                             action="document.download", object_ids=[d.id for d, _ in rows])
    me = viewer(ctx)
    return [download_read(d, v, leaves.get(d.id),
                          pol.sees_download_origin(me, d.user_id, d.party_id))
            for d, v in rows]


def download_read(d: DocumentDownload, version: int, leaf_index: int | None,
                  with_origin: bool) -> DownloadRead:
    """Who and when for every tracer; where from only when ``with_origin``."""
    return DownloadRead(
        id=d.id, document_id=d.document_id, version=version, version_id=d.version_id,
        user_id=d.user_id, party_id=d.party_id, role=d.role, downloaded_at=d.downloaded_at,
        client_address=d.client_address if with_origin else None,
        user_agent=d.user_agent if with_origin else None, channels=list(d.channels),
        audit_leaf_index=leaf_index, audit_pending=leaf_index is None)


def case_channels(session: Session, case_id: object) -> list[str]:
    row = repo.channel_setting(session, case_id)  # type: ignore[arg-type]
    return sorted(CHANNELS) if row is None else sorted(row.channels)


def get_channels(session: Session, ctx: CaseContext) -> ChannelsRead:
    return ChannelsRead(case_id=ctx.case_id, channels=case_channels(session, ctx.case_id),
                        available=sorted(CHANNELS))
