"""Upload, replace, list and read documents.

Invariants (threats in ``inspection``, ``filenames`` and ``storage``):
- the type is decided by content; the plaintext exists only as a 0600 temp file under
  ``data_dir`` for the length of the request and is deleted in ``finally``;
- ciphertext file first, row second; the names (original and displayed) are sealed;
- nothing about the content (text, names) goes into audit details, logs or errors;
- an invisible document answers 404 exactly like an unknown id.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_documents as pol
from app.authz.policy import Denial
from app.authz.policy_ene import SessionFacts, Viewer
from app.cases import service as case_service
from app.context import CaseContext
from app.documents import repository as repo
from app.documents import storage
from app.documents.errors import DocumentNotFound
from app.documents.filenames import neutralise
from app.documents.inspection import inspect_file
from app.documents.multipart import FilePart, Form
from app.documents.schemas import DocumentRead
from app.ene import service as ene_service
from app.errors import Conflict, Invalid
from app.models.documents import NAMES_OBJECT_TYPE, Document, DocumentVersion
from app.refusals import refuse
from app.runtime import Services
from app.sealing import open_json, seal_json


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


def ene_summary(session: Session, case_id: uuid.UUID,
                session_id: uuid.UUID | None) -> ene_service.SessionSummary | None:
    return None if session_id is None else ene_service.session_summary(session, case_id,
                                                                      session_id)


def case_ene_facts(session: Session, case_id: uuid.UUID) -> dict[uuid.UUID, SessionFacts]:
    """Facts of every ENE session of the case in two queries, for a whole document list."""
    return {sid: summary.facts
            for sid, summary in ene_service.case_session_summaries(session, case_id).items()}


def facts_of(session: Session, doc: Document,
             ene: Mapping[uuid.UUID, SessionFacts] | None = None) -> pol.DocumentFacts:
    """``ene``: the case's session facts when a list loaded them (``case_ene_facts``)."""
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
        ene=session_ene,
    )


def load_visible(session: Session, ctx: CaseContext, document_id: uuid.UUID,
                 action: str) -> Loaded:
    doc = repo.get_document(session, ctx.case_id, document_id)
    if doc is None:
        refuse(session, ctx, action, "document", document_id,
               DocumentNotFound("No such document."))
    facts = facts_of(session, doc)
    decision = pol.can_see_document(viewer(ctx), facts)
    if not decision:
        refuse(session, ctx, action, "document", document_id, decision)
    return Loaded(doc, facts)


def display_name(svc: Services, row: DocumentVersion) -> str:
    names = open_json(svc.key_provider, row.names_sealed, case_id=row.case_id,
                      object_type=NAMES_OBJECT_TYPE, object_id=row.id)
    return str(names["display"])


def document_read(svc: Services, doc: Document, row: DocumentVersion) -> DocumentRead:
    audience = [uuid.UUID(p) for p in doc.audience_party_ids]
    return DocumentRead(
        id=doc.id, case_id=doc.case_id, filename=display_name(svc, row),
        media_type=row.media_type, size=row.size, sha256=row.sha256,
        designation=doc.designation,
        audience="all" if doc.audience_all else ",".join(str(p) for p in audience),
        audience_party_ids=audience, uploader_party_id=doc.uploader_party_id,
        ene_session_id=doc.ene_session_id, version=row.version, version_id=row.id,
        created_at=row.created_at,
    )


def _uuid_field(form: Form, name: str) -> uuid.UUID | None:
    raw = form.fields.get(name, "").strip()
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise Invalid(f"{name} is not a valid id.", code="validation_error") from None


def _audience(raw: str | None) -> tuple[bool, frozenset[uuid.UUID]]:
    text = (raw or "").strip()
    if text.lower() == "all":
        return True, frozenset()
    try:
        ids = frozenset(uuid.UUID(p.strip()) for p in text.split(",") if p.strip())
    except ValueError:
        raise Invalid("audience is \"all\" or comma-separated party ids.",
                      code="invalid_audience") from None
    if not ids:
        raise Invalid("audience is \"all\" or comma-separated party ids.",
                      code="invalid_audience")
    return False, ids


def one_file(form: Form) -> FilePart:
    files = form.files_named("file")
    if len(files) != 1 or len(form.files) != 1:
        raise Invalid("Send exactly one file part named file.", code="file_required")
    return files[0]


def store_version(session: Session, ctx: CaseContext, svc: Services, doc: Document,
                  part: FilePart, version: int) -> DocumentVersion:
    """Inspect, seal (file first), then insert the version row."""
    media_type = inspect_file(part.path, part.head, mode="upload")
    version_id = uuid.uuid4()
    header = storage.seal_file(svc.key_provider, svc.settings, part.path,
                               case_id=ctx.case_id, version_id=version_id)
    part.path.unlink(missing_ok=True)  # the plaintext is no longer needed
    names = {"original": part.filename, "display": neutralise(part.filename, media_type)}
    row = DocumentVersion(
        id=version_id, document_id=doc.id, case_id=ctx.case_id, version=version,
        media_type=media_type, size=part.size, sha256=part.sha256, uploaded_by=ctx.user_id,
        stream_header=header,
        names_sealed=seal_json(svc.key_provider, names, case_id=ctx.case_id,
                               object_type=NAMES_OBJECT_TYPE, object_id=version_id),
    )
    repo.add(session, row)
    return row


def upload_document(session: Session, ctx: CaseContext, svc: Services, *,
                    form: Form) -> DocumentRead:
    action = "document.upload"
    party = pol.uploading_party(ctx.memberships, _uuid_field(form, "party_id"))
    if isinstance(party, Denial):
        refuse(session, ctx, action, "document", None, party)
    assert isinstance(party, uuid.UUID)
    designation = form.fields.get("designation", "").strip()
    audience_all, audience = _audience(form.fields.get("audience"))
    session_id = _uuid_field(form, "ene_session_id")
    summary = ene_summary(session, ctx.case_id, session_id)
    ene = summary.facts if summary else None
    if session_id is not None and ene is None:
        raise Invalid("No such ENE session in this case.", code="unknown_ene_session")
    parties = frozenset(p.id for p in case_service.party_rows(session, ctx.case_id))
    decision = pol.check_audience(designation, party, audience, parties, ene)
    if not decision:
        refuse(session, ctx, action, "document", None, decision)
    if summary is not None and summary.closed:
        raise Conflict("The ENE session is closed.", code="session_closed")
    part = one_file(form)
    doc = Document(case_id=ctx.case_id, uploader_party_id=party, created_by=ctx.user_id,
                   designation=designation, audience_all=audience_all,
                   audience_party_ids=sorted(str(p) for p in audience),
                   ene_session_id=session_id, current_version=1)
    repo.add(session, doc)
    version = store_version(session, ctx, svc, doc, part, 1)
    record(session, ctx, action, "document", doc.id, {
        "document_id": doc.id, "version": 1, "designation": designation,
        "media_type": version.media_type, "size": version.size, "sha256": version.sha256,
        "party_ids": sorted(audience) if not audience_all else ["all"],
        "session_id": session_id,
    }, party_id=party)
    return document_read(svc, doc, version)


def replace_document(session: Session, ctx: CaseContext, svc: Services, *,
                     document_id: uuid.UUID, form: Form) -> DocumentRead:
    """A new version; downloads of earlier versions keep pointing at what they got."""
    action = "document.replace"
    loaded = load_visible(session, ctx, document_id, action)
    decision = pol.can_replace(ctx.memberships, loaded.facts)
    if not decision:
        refuse(session, ctx, action, "document", document_id, decision)
    part = one_file(form)
    doc = repo.get_document(session, ctx.case_id, document_id, lock=True)
    assert doc is not None
    version = store_version(session, ctx, svc, doc, part, doc.current_version + 1)
    doc.current_version = version.version
    session.flush()
    record(session, ctx, action, "document", doc.id, {
        "document_id": doc.id, "version": version.version, "media_type": version.media_type,
        "size": version.size, "sha256": version.sha256,
    }, party_id=doc.uploader_party_id)
    return document_read(svc, doc, version)


def list_documents(session: Session, ctx: CaseContext, svc: Services, *, offset: int,
                   limit: int) -> list[DocumentRead]:
    """A fixed number of queries whatever the number of documents; one audit event naming
    the documents whose (sealed) names the response shows."""
    ene = case_ene_facts(session, ctx.case_id)
    docs = pol.visible_documents(viewer(ctx), repo.list_documents(session, ctx.case_id),
                                 lambda d: facts_of(session, d, ene))[offset: offset + limit]
    versions = repo.current_versions(session, docs)
    record(session, ctx, "document.list", "case", ctx.case_id,
           {"count": len(docs), "document_ids": [d.id for d in docs]})
    return [document_read(svc, d, versions[d.id]) for d in docs]


def get_document(session: Session, ctx: CaseContext, svc: Services, *,
                 document_id: uuid.UUID) -> DocumentRead:
    loaded = load_visible(session, ctx, document_id, "document.read")
    row = repo.version_of(session, loaded.doc.id, loaded.doc.current_version)
    # The (sealed) name is content: its read is recorded, by id.
    record(session, ctx, "document.read", "document", document_id,
           {"document_id": document_id, "version": row.version})
    return document_read(svc, loaded.doc, row)
