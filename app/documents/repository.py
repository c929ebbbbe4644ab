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
    DocumentVersion,
)


def add(session: Session, *objs: object) -> None:
    session.add_all(objs)
    session.flush()


def get_document(session: Session, case_id: uuid.UUID, document_id: uuid.UUID,
                 *, lock: bool = False) -> Document | None:
    stmt = select(Document).where(Document.id == document_id, Document.case_id == case_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.execute(stmt).scalar_one_or_none()


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
