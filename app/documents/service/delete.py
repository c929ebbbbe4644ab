"""Deleting a document: by its uploading party, and only while no one has a copy.

Invariants and threats:
- once any copy exists (a download or a view: both are download records), the document
  stays: deleting it would destroy the original a leaked copy is traced against. The
  check and the deletion happen under the document row's write lock, and a download takes
  a share lock on the same row before it makes a copy (``load_visible(lock="share")``): a
  download and a deletion never both succeed. On SQLite the write transaction is
  ``IMMEDIATE`` and a download that read before the deletion committed is run again;
- a produced document stays as well: a production index never loses a row;
- what remains is a tombstone and an audit event, naming ids, the designation and the
  number of versions, never a name; the version rows (the sealed names and the sealed
  stream headers, i.e. the content keys) go with the document, and the ciphertext files
  are removed after the commit (a file left by a failure is swept as an orphan).
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_documents as pol
from app.blobs.base import BlobStoreUnavailable
from app.context import CaseContext
from app.documents import repository as repo
from app.documents import storage
from app.documents.errors import DocumentNotFound
from app.documents.reads import load_visible
from app.errors import Conflict
from app.models.documents import DocumentTombstone
from app.refusals import refuse, refuse_unless
from app.runtime import Services

logger = logging.getLogger("settleroom.documents")


def _remove_blobs_after_commit(session: Session, svc: Services, case_id: uuid.UUID,
                               version_ids: list[uuid.UUID]) -> None:
    def remove(_session: Session) -> None:
        for version_id in version_ids:
            try:
                svc.blob_store.delete(storage.blob_key(case_id, version_id))
            except (BlobStoreUnavailable, OSError):
                logger.warning("document deletion: a blob left for the sweep")

    event.listen(session, "after_commit", remove, once=True)


def delete_document(session: Session, ctx: CaseContext, svc: Services, *,
                    document_id: uuid.UUID) -> None:
    action = "document.delete"
    loaded = load_visible(session, ctx, document_id, action)
    refuse_unless(session, ctx, action, "document", document_id,
                  pol.can_delete(ctx.memberships, loaded.facts))
    doc = repo.get_document(session, ctx.case_id, document_id, lock=True)
    if doc is None:  # deleted by a concurrent request meanwhile
        refuse(session, ctx, action, "document", document_id,
               DocumentNotFound("No such document."))
    assert doc is not None
    if repo.was_accessed(session, doc.id):
        refuse(session, ctx, action, "document", doc.id, Conflict(
            "A copy of this document was downloaded or viewed; it can no longer be deleted. "
            "Upload a new version instead.", code="document_already_accessed"))
    if repo.was_produced(session, doc.id):
        refuse(session, ctx, action, "document", doc.id, Conflict(
            "This document was produced; it stays in its production.",
            code="document_produced"))
    versions = repo.versions_of(session, doc.id)
    tombstone = DocumentTombstone(
        document_id=doc.id, case_id=doc.case_id, uploader_party_id=doc.uploader_party_id,
        designation=doc.designation, versions=len(versions), uploaded_at=doc.created_at,
        deleted_by=ctx.user_id, deleted_at=svc.now())
    version_ids = [v.id for v in versions]
    repo.delete_document(session, doc, tombstone)
    record(session, ctx, action, "document", doc.id, {
        "document_id": doc.id, "designation": tombstone.designation,
        "count": tombstone.versions, "version_ids": version_ids,
    }, party_id=tombstone.uploader_party_id)
    _remove_blobs_after_commit(session, svc, ctx.case_id, version_ids)
