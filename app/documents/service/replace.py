"""Replacing a document with a new version: the old versions stay, each with its own
downloads and watermark codes."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_documents as pol
from app.context import CaseContext
from app.documents import repository as repo
from app.documents.multipart import Form
from app.documents.reads import (
    document_read,
    ene_summary,
    load_visible,
    refuse_if_session_closed,
)
from app.documents.schemas import DocumentRead
from app.documents.service.upload import one_file, store_version
from app.refusals import refuse_unless
from app.runtime import Services
from app.sealing import content_mac


def replace_document(session: Session, ctx: CaseContext, svc: Services, *,
                     document_id: uuid.UUID, form: Form) -> DocumentRead:
    """A new version; downloads of earlier versions keep pointing at what they got."""
    action = "document.replace"
    loaded = load_visible(session, ctx, document_id, action)
    decision = pol.can_replace(ctx.memberships, loaded.facts)
    refuse_unless(session, ctx, action, "document", document_id, decision)
    doc = repo.get_document(session, ctx.case_id, document_id, lock=True)
    assert doc is not None
    refuse_if_session_closed(session, ctx, action, document_id,
                             ene_summary(session, ctx.case_id, doc.ene_session_id, lock=True))
    part = one_file(form)
    version = store_version(session, ctx, svc, doc, part, doc.current_version + 1)
    doc.current_version = version.version
    session.flush()
    record(session, ctx, action, "document", doc.id, {
        "document_id": doc.id, "version": version.version, "media_type": version.media_type,
        "size": version.size,
        "content_mac": content_mac(svc.key_provider, ctx.case_id, version.sha256),
    }, party_id=doc.uploader_party_id)
    return document_read(svc, doc, version)
