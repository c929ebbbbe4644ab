"""SQL for documents. Document lists go through ``visible_documents`` (the one scoping
helper, in ``app.authz.policy_documents``) after this module loads the case's rows."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models.cases import Member
from app.models.documents import (
    CaseWatermarkSetting,
    Document,
    DocumentDownload,
    DocumentFolder,
    DocumentTombstone,
    DocumentVersion,
    Production,
    ProductionItem,
)


def add(session: Session, *objs: object) -> None:
    session.add_all(objs)
    session.flush()


def get_document(session: Session, case_id: uuid.UUID, document_id: uuid.UUID,
                 *, lock: bool | str = False) -> Document | None:
    """``lock``: True (or "update") locks the row for writing; "share" lets other readers
    lock it too but waits for (and then sees) a writer's commit, e.g. a deletion."""
    stmt = select(Document).where(Document.id == document_id, Document.case_id == case_id)
    if lock == "share":
        stmt = stmt.with_for_update(read=True)
    elif lock:
        stmt = stmt.with_for_update()
    return session.execute(stmt).scalar_one_or_none()


def versions_of(session: Session, document_id: uuid.UUID) -> list[DocumentVersion]:
    return list(session.execute(select(DocumentVersion).where(
        DocumentVersion.document_id == document_id).order_by(DocumentVersion.version)).scalars())


def was_accessed(session: Session, document_id: uuid.UUID) -> bool:
    """Whether any copy of any version was ever made (a view is a download record too)."""
    return session.execute(select(DocumentDownload.id).where(
        DocumentDownload.document_id == document_id).limit(1)).first() is not None


def was_produced(session: Session, document_id: uuid.UUID) -> bool:
    return session.execute(select(ProductionItem.id).where(
        ProductionItem.document_id == document_id).limit(1)).first() is not None


def delete_document(session: Session, doc: Document, tombstone: DocumentTombstone) -> None:
    session.add(tombstone)
    for version in versions_of(session, doc.id):
        session.delete(version)
    session.flush()
    session.delete(doc)
    session.flush()


def folders(session: Session, case_id: uuid.UUID) -> list[DocumentFolder]:
    return list(session.execute(select(DocumentFolder).where(
        DocumentFolder.case_id == case_id).order_by(DocumentFolder.created_at,
                                                    DocumentFolder.id)).scalars())


def get_folder(session: Session, case_id: uuid.UUID, folder_id: uuid.UUID, *,
               lock: bool = False) -> DocumentFolder | None:
    stmt = select(DocumentFolder).where(DocumentFolder.id == folder_id,
                                        DocumentFolder.case_id == case_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.execute(stmt).scalar_one_or_none()


def folder_by_mac(session: Session, case_id: uuid.UUID, party_id: uuid.UUID,
                  path_mac: str) -> DocumentFolder | None:
    return session.execute(select(DocumentFolder).where(
        DocumentFolder.case_id == case_id, DocumentFolder.party_id == party_id,
        DocumentFolder.path_mac == path_mac)).scalar_one_or_none()


def last_bates_number(session: Session, case_id: uuid.UUID, party_id: uuid.UUID) -> int:
    return session.execute(select(func.coalesce(func.max(Production.last_number), 0)).where(
        Production.case_id == case_id, Production.party_id == party_id)).scalar_one()


def productions(session: Session, case_id: uuid.UUID) -> list[Production]:
    return list(session.execute(select(Production).where(Production.case_id == case_id)
                                .order_by(Production.created_at, Production.id)).scalars())


def get_production(session: Session, case_id: uuid.UUID,
                   production_id: uuid.UUID) -> Production | None:
    return session.execute(select(Production).where(
        Production.id == production_id, Production.case_id == case_id)).scalar_one_or_none()


def production_items(session: Session, production_ids: list[uuid.UUID]
                     ) -> list[ProductionItem]:
    if not production_ids:
        return []
    return list(session.execute(select(ProductionItem).where(
        ProductionItem.production_id.in_(production_ids))
        .order_by(ProductionItem.production_id, ProductionItem.position)).scalars())


def case_production_items(session: Session, case_id: uuid.UUID
                          ) -> list[tuple[ProductionItem, Production]]:
    return [(i, p) for i, p in session.execute(
        select(ProductionItem, Production)
        .join(Production, Production.id == ProductionItem.production_id)
        .where(ProductionItem.case_id == case_id)).all()]


def production_of_version(session: Session, version_id: uuid.UUID
                          ) -> tuple[ProductionItem, Production] | None:
    row = session.execute(
        select(ProductionItem, Production)
        .join(Production, Production.id == ProductionItem.production_id)
        .where(ProductionItem.version_id == version_id)).first()
    return None if row is None else (row[0], row[1])


def list_documents(session: Session, case_id: uuid.UUID) -> list[Document]:
    return list(session.execute(
        select(Document).where(Document.case_id == case_id)
        .order_by(Document.created_at, Document.id)).scalars())


def version_of(session: Session, document_id: uuid.UUID, version: int) -> DocumentVersion:
    return session.execute(select(DocumentVersion).where(
        DocumentVersion.document_id == document_id, DocumentVersion.version == version,
    )).scalar_one()


def current_versions(session: Session, docs: list[Document]) -> dict[uuid.UUID, DocumentVersion]:
    if not docs:
        return {}
    wanted = {(d.id, d.current_version) for d in docs}
    rows = session.execute(select(DocumentVersion).where(
        DocumentVersion.document_id.in_([d.id for d in docs]))).scalars()
    return {v.document_id: v for v in rows if (v.document_id, v.version) in wanted}


def list_downloads(session: Session, document_id: uuid.UUID, *, offset: int,
                   limit: int) -> list[tuple[DocumentDownload, int]]:
    rows = session.execute(
        select(DocumentDownload, DocumentVersion.version)
        .join(DocumentVersion, DocumentVersion.id == DocumentDownload.version_id)
        .where(DocumentDownload.document_id == document_id)
        .order_by(DocumentDownload.downloaded_at, DocumentDownload.id)
        .offset(offset).limit(limit)).all()
    return [(d, v) for d, v in rows]


def downloaders(session: Session, document_id: uuid.UUID
                ) -> list[tuple[uuid.UUID, uuid.UUID | None]]:
    """Each (user, party) that downloaded a copy of any version of the document, once."""
    rows = session.execute(
        select(DocumentDownload.user_id, DocumentDownload.party_id)
        .where(DocumentDownload.document_id == document_id).distinct()).all()
    return sorted(((u, p) for u, p in rows), key=lambda r: (str(r[0]), str(r[1])))


def downloads_of_versions(session: Session, version_ids: list[uuid.UUID]
                          ) -> dict[uuid.UUID, list[DocumentDownload]]:
    out: dict[uuid.UUID, list[DocumentDownload]] = {v: [] for v in version_ids}
    if version_ids:
        rows = session.execute(select(DocumentDownload).where(
            DocumentDownload.version_id.in_(version_ids))
            .order_by(DocumentDownload.id)).scalars()
        for d in rows:
            out[d.version_id].append(d)
    return out


def traced_versions(session: Session, case_ids: list[uuid.UUID]
                    ) -> list[tuple[Document, DocumentVersion]]:
    """Every version with at least one download in ``case_ids``, in a stable order."""
    if not case_ids:
        return []
    has_download = select(func.count()).where(
        DocumentDownload.version_id == DocumentVersion.id).correlate(DocumentVersion)
    rows = session.execute(
        select(Document, DocumentVersion)
        .join(DocumentVersion, DocumentVersion.document_id == Document.id)
        .where(Document.case_id.in_(case_ids), has_download.scalar_subquery() > 0)
        .order_by(DocumentVersion.id)).all()
    return [(d, v) for d, v in rows]


def user_memberships(session: Session, user_id: uuid.UUID) -> list[Member]:
    return list(session.execute(select(Member).where(Member.user_id == user_id)).scalars())


def channel_setting(session: Session, case_id: uuid.UUID) -> CaseWatermarkSetting | None:
    return session.get(CaseWatermarkSetting, case_id)


def versions_of_documents(session: Session, document_ids: list[uuid.UUID]
                          ) -> list[DocumentVersion]:
    if not document_ids:
        return []
    return list(session.execute(
        select(DocumentVersion).where(DocumentVersion.document_id.in_(document_ids))
        .order_by(DocumentVersion.document_id, DocumentVersion.version)).scalars())
