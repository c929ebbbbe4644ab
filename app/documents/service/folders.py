"""Folders of the document room: a party files its documents under paths such as
"Discovery/First requests".

Invariants and threats:
- a path is content (it can say what is in a folder): sealed under the case key, never in
  an audit event, a log, an error or a notification; a keyed MAC keeps a party's paths
  unique without storing them in clear;
- a folder belongs to one party: only that party's counsel or pro se creates, renames or
  files documents in it, and only the party's own documents;
- a folder is listed to the members acting for its party, and to others only while it
  holds a document they may see (``policy_documents.can_see_folder``): folders never
  reveal a document, or a path, kept from a member.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_documents as pol
from app.authz.policy import Denial
from app.context import CaseContext
from app.documents import repository as repo
from app.documents.errors import FolderNotFound
from app.documents.reads import (
    folder_paths,
    load_visible,
    read_one,
    visible_case_documents,
)
from app.documents.schemas import (
    DocumentRead,
    DocumentUpdate,
    FolderRead,
    FolderRename,
    FolderWrite,
)
from app.errors import Conflict, Invalid
from app.models.documents import FOLDER_OBJECT_TYPE, DocumentFolder
from app.refusals import refuse, refuse_unless
from app.runtime import Services
from app.sealing import content_mac, seal_json

MAX_DEPTH = 8
MAX_SEGMENT = 80


def normalise_path(raw: str) -> str:
    """Segments trimmed and their inner spaces collapsed; no empty segment, no control
    character, at most ``MAX_DEPTH`` levels."""
    if any(ord(c) < 32 or ord(c) == 127 for c in raw):
        raise Invalid("A folder path has no control characters.", code="invalid_folder_path")
    parts = [" ".join(p.split()) for p in raw.split("/")]
    if (not parts or any(not p for p in parts) or len(parts) > MAX_DEPTH
            or any(len(p) > MAX_SEGMENT for p in parts)):
        raise Invalid("A folder path is 1 to 8 non-empty names separated by /.",
                      code="invalid_folder_path")
    return "/".join(parts)


def _mac(svc: Services, case_id: uuid.UUID, path: str) -> str:
    # Case-insensitive: "Discovery" and "discovery" are one folder to a reader.
    digest = hashlib.sha256(path.casefold().encode("utf-8")).hexdigest()
    return content_mac(svc.key_provider, case_id, digest)


def _seal(svc: Services, folder: DocumentFolder, path: str) -> None:
    folder.path_sealed = seal_json(svc.key_provider, path, case_id=folder.case_id,
                                   object_type=FOLDER_OBJECT_TYPE, object_id=folder.id)
    folder.path_mac = _mac(svc, folder.case_id, path)


def _exists() -> Conflict:
    return Conflict("Your party already has a folder with that path.", code="folder_exists")


def _store(session: Session, ctx: CaseContext, action: str, folder: DocumentFolder) -> None:
    """Flush in a savepoint: a concurrent request that took the same path first makes this
    one a 409, never a 500."""
    try:
        with session.begin_nested():
            session.add(folder)
            session.flush()
    except IntegrityError:
        refuse(session, ctx, action, "document_folder", folder.id, _exists())


def folder_read(folder: DocumentFolder, path: str, count: int) -> FolderRead:
    return FolderRead(id=folder.id, case_id=folder.case_id, party_id=folder.party_id,
                      path=path, document_count=count, created_at=folder.created_at)


def create_folder(session: Session, ctx: CaseContext, svc: Services, *,
                  data: FolderWrite) -> FolderRead:
    action = "document_folder.create"
    party = pol.uploading_party(ctx.memberships, data.party_id)
    if isinstance(party, Denial):
        refuse(session, ctx, action, "document_folder", None, party)
    assert isinstance(party, uuid.UUID)
    path = normalise_path(data.path)
    if repo.folder_by_mac(session, ctx.case_id, party, _mac(svc, ctx.case_id, path)):
        refuse(session, ctx, action, "document_folder", None, _exists())
    folder = DocumentFolder(id=uuid.uuid4(), case_id=ctx.case_id, party_id=party,
                            created_by=ctx.user_id, created_at=svc.now())
    _seal(svc, folder, path)
    _store(session, ctx, action, folder)
    record(session, ctx, action, "document_folder", folder.id,
           {"folder_id": folder.id, "party_id": party}, party_id=party)
    return folder_read(folder, path, 0)


def _load_folder(session: Session, ctx: CaseContext, action: str,
                 folder_id: uuid.UUID) -> DocumentFolder:
    """The folder, if the caller may manage it; one it may not see answers 404."""
    folder = repo.get_folder(session, ctx.case_id, folder_id, lock=True)
    if folder is None:
        refuse(session, ctx, action, "document_folder", folder_id,
               FolderNotFound("No such folder."))
    assert folder is not None
    decision = pol.can_manage_folder(ctx.memberships, folder.party_id)
    if not decision:
        visible = {f.id for f in _visible_folders(session, ctx)}
        refuse(session, ctx, action, "document_folder", folder_id,
               decision if folder.id in visible else FolderNotFound("No such folder."))
    return folder


def rename_folder(session: Session, ctx: CaseContext, svc: Services, *,
                  folder_id: uuid.UUID, data: FolderRename) -> FolderRead:
    action = "document_folder.rename"
    folder = _load_folder(session, ctx, action, folder_id)
    path = normalise_path(data.path)
    other = repo.folder_by_mac(session, ctx.case_id, folder.party_id,
                               _mac(svc, ctx.case_id, path))
    if other is not None and other.id != folder.id:
        refuse(session, ctx, action, "document_folder", folder.id, _exists())
    _seal(svc, folder, path)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        refuse(session, ctx, action, "document_folder", folder.id, _exists())
    record(session, ctx, action, "document_folder", folder.id,
           {"folder_id": folder.id, "party_id": folder.party_id}, party_id=folder.party_id)
    counts = Counter(d.folder_id for d in visible_case_documents(session, ctx))
    return folder_read(folder, path, counts[folder.id])


def _visible_folders(session: Session, ctx: CaseContext) -> list[DocumentFolder]:
    holding = {d.folder_id for d in visible_case_documents(session, ctx)}
    return [f for f in repo.folders(session, ctx.case_id)
            if pol.can_see_folder(ctx.memberships, f.party_id, f.id in holding)]


def list_folders(session: Session, ctx: CaseContext, svc: Services, *,
                 audited: bool = True) -> list[FolderRead]:
    """The folders the caller may see, with how many of their documents it may see; one
    audit event naming the folder ids (their paths are content), unless the caller records
    the read itself (``audited=False``: the documents page, one event for the page)."""
    docs = visible_case_documents(session, ctx)
    counts = Counter(d.folder_id for d in docs)
    shown = [f for f in repo.folders(session, ctx.case_id)
             if pol.can_see_folder(ctx.memberships, f.party_id, counts[f.id] > 0)]
    paths = folder_paths(svc, shown)
    if audited:
        record(session, ctx, "document_folder.list", "case", ctx.case_id,
               {"count": len(shown), "folder_ids": [f.id for f in shown]})
    return sorted((folder_read(f, paths[f.id], counts[f.id]) for f in shown),
                  key=lambda r: (r.path.casefold(), str(r.id)))


def file_document(session: Session, ctx: CaseContext, svc: Services, *,
                  document_id: uuid.UUID, data: DocumentUpdate) -> DocumentRead:
    """File a document in one of its party's folders, or back at the top level."""
    action = "document.move"
    loaded = load_visible(session, ctx, document_id, action)
    refuse_unless(session, ctx, action, "document", document_id,
                  pol.can_manage_folder(ctx.memberships, loaded.facts.uploader_party_id))
    doc = repo.get_document(session, ctx.case_id, document_id, lock=True)
    assert doc is not None
    if data.folder_id is not None:
        folder = repo.get_folder(session, ctx.case_id, data.folder_id)
        if folder is None or folder.party_id != doc.uploader_party_id:
            # Another party's folder is answered like an unknown one: its id says nothing.
            refuse(session, ctx, action, "document", document_id,
                   FolderNotFound("No such folder of the uploading party."))
    doc.folder_id = data.folder_id
    session.flush()
    record(session, ctx, action, "document", doc.id,
           {"document_id": doc.id, "folder_id": data.folder_id}, party_id=doc.uploader_party_id)
    return read_one(session, svc, doc)
