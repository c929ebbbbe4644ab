"""Uploading a document: its first version, inspected, sealed and stored, and who may see
it (everyone in the case, a party's side only, or an ENE session's participants)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_documents as pol
from app.authz.policy import Denial
from app.cases import service as case_service
from app.context import CaseContext
from app.documents import analysis, storage
from app.documents import repository as repo
from app.documents.filenames import neutralise
from app.documents.inspection import inspect_upload
from app.documents.multipart import FilePart, Form
from app.documents.reads import (
    document_read,
    ene_summary,
    facts_of,
    refuse_if_session_closed,
)
from app.documents.schemas import DocumentRead
from app.errors import Invalid
from app.models.documents import (
    NAMES_OBJECT_TYPE,
    Document,
    DocumentVersion,
)
from app.notifications import service as notifications
from app.refusals import refuse, refuse_unless
from app.runtime import Services
from app.sealing import content_mac, seal_json


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
    """Inspect, seal (the blob is stored first), then insert the version row and its
    trace index (``app.documents.analysis``)."""
    inspected = inspect_upload(part.path, part.head)
    media_type = inspected.media_type
    version_id = uuid.uuid4()
    header = storage.seal_file(svc.key_provider, svc.blob_store, part.path,
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
    index = inspected.index
    if index is not None:
        analysis.store_encoded(session, svc, case_id=ctx.case_id, version_id=version_id,
                               encoded=index.layer, words=index.words,
                               shingles=index.shingles)
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
    summary = ene_summary(session, ctx.case_id, session_id, lock=True)
    ene = summary.facts if summary else None
    if session_id is not None and ene is None:
        raise Invalid("No such ENE session in this case.", code="unknown_ene_session")
    parties = frozenset(p.id for p in case_service.party_rows(session, ctx.case_id))
    decision = pol.check_audience(designation, party, audience, parties, ene)
    refuse_unless(session, ctx, action, "document", None, decision)
    refuse_if_session_closed(session, ctx, action, None, summary)
    part = one_file(form)
    doc = Document(case_id=ctx.case_id, uploader_party_id=party, created_by=ctx.user_id,
                   designation=designation, audience_all=audience_all,
                   audience_party_ids=sorted(str(p) for p in audience),
                   ene_session_id=session_id, current_version=1)
    repo.add(session, doc)
    version = store_version(session, ctx, svc, doc, part, 1)
    record(session, ctx, action, "document", doc.id, {
        "document_id": doc.id, "version": 1, "designation": designation,
        "media_type": version.media_type, "size": version.size,
        "content_mac": content_mac(svc.key_provider, ctx.case_id, version.sha256),
        "party_ids": sorted(audience) if not audience_all else ["all"],
        "session_id": session_id,
    }, party_id=party)
    _tell(session, ctx, svc, doc, party)
    return document_read(svc, doc, version)


def _tell(session: Session, ctx: CaseContext, svc: Services, doc: Document,
          party: uuid.UUID) -> None:
    """Everyone who may see the new document hears of it (never its name: a filename can
    say what a document is), but the uploading side."""
    doc_facts = facts_of(session, doc)
    notifications.notify_case_members(
        session, ctx, kind="document.shared", object_type="document", object_id=doc.id,
        link=f"/cases/{ctx.case_id}/documents",
        may_see=lambda viewer: pol.can_see_document(viewer, doc_facts), now=svc.now(),
        not_for_parties=(party,))
