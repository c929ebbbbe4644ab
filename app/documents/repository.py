"""SQL for documents. Document lists go through ``visible_documents`` (the one scoping
helper, in ``app.authz.policy_documents``) after this module loads the case's rows."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    Select,
    String,
    and_,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from app.db import dialect_insert
from app.models.cases import Member
from app.models.documents import (
    CaseWatermarkSetting,
    Document,
    DocumentAnalysis,
    DocumentAnchor,
    DocumentAnchorCount,
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
    forget_anchors(session, doc.case_id, [v.id for v in versions_of(session, doc.id)])
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


# ------------------------------------------------------------------------- trace index
BATCH = 2000  # bound parameters per IN list (SQLite and PostgreSQL both take this many)


def add_analysis(session: Session, row: DocumentAnalysis, anchors: Sequence[int]) -> bool:
    """Store a version's analysis and its anchors once: False (nothing written) when
    another request stored it first. Anchor counts are updated in anchor order, so two
    uploads that share anchors lock the same rows in the same order (PostgreSQL)."""
    done = session.execute(
        dialect_insert(session)(DocumentAnalysis).values(
            version_id=row.version_id, case_id=row.case_id, layer_sealed=row.layer_sealed,
            words=row.words).on_conflict_do_nothing(index_elements=["version_id"])
        .returning(DocumentAnalysis.version_id)).first()
    if done is None:
        return False
    ordered = sorted(set(anchors))
    if ordered:
        session.execute(dialect_insert(session)(DocumentAnchor), [
            {"version_id": row.version_id, "case_id": row.case_id, "anchor": a}
            for a in ordered])
        upsert = dialect_insert(session)(DocumentAnchorCount)
        session.execute(upsert.on_conflict_do_update(
            index_elements=["case_id", "anchor"],
            set_={"versions": DocumentAnchorCount.versions + 1}),
            [{"case_id": row.case_id, "anchor": a, "versions": 1} for a in ordered])
    return True


def forget_anchors(session: Session, case_id: uuid.UUID, version_ids: list[uuid.UUID]
                   ) -> None:
    """Versions about to be deleted no longer count towards their anchors' counts (their
    anchor rows go with them, by the foreign key)."""
    for version_id in version_ids:
        held = select(DocumentAnchor.case_id, DocumentAnchor.anchor).where(
            DocumentAnchor.version_id == version_id)
        session.execute(update(DocumentAnchorCount).where(
            tuple_(DocumentAnchorCount.case_id, DocumentAnchorCount.anchor).in_(held))
            .values(versions=DocumentAnchorCount.versions - 1))
    session.execute(delete(DocumentAnchorCount).where(
        DocumentAnchorCount.case_id == case_id, DocumentAnchorCount.versions <= 0))


class ScopeRow(NamedTuple):
    """One downloaded version a trace may compare, as the database returns its columns:
    ids and the audience's JSON as text (a trace may span thousands of versions; building
    objects for each cost more than the rest of the trace). ``uuid.UUID(text)`` reads
    either dialect's spelling of an id."""

    version: str
    case: str
    uploader_party: str
    designation: str
    audience_all: bool
    audience: str
    ene_session: str | None
    downloads: int
    words: int | None  # words of its stored text layer; None: no layer stored yet


def _text(column: Any) -> Any:
    return cast(column, String)


def traced_scope(session: Session, case_ids: list[uuid.UUID], media_types: Iterable[str]
                 ) -> list[ScopeRow]:
    """Every version of ``media_types`` with at least one download in ``case_ids`` (as
    ``traced_versions``), with its download count and its stored layer's word count, in
    one query of plain columns."""
    if not case_ids:
        return []
    counts = (select(DocumentDownload.version_id, func.count().label("n"))
              .where(DocumentDownload.case_id.in_(case_ids))
              .group_by(DocumentDownload.version_id).subquery())
    rows = session.execute(
        select(_text(DocumentVersion.id), _text(Document.case_id),
               _text(Document.uploader_party_id), Document.designation,
               Document.audience_all, _text(Document.audience_party_ids),
               _text(Document.ene_session_id), counts.c.n, DocumentAnalysis.words)
        .join(DocumentVersion, DocumentVersion.document_id == Document.id)
        .join(counts, counts.c.version_id == DocumentVersion.id)
        .outerjoin(DocumentAnalysis, DocumentAnalysis.version_id == DocumentVersion.id)
        .where(Document.case_id.in_(case_ids),
               DocumentVersion.media_type.in_(sorted(media_types)))).all()
    return [ScopeRow._make(r) for r in rows]


def _rarest(anchors: dict[uuid.UUID, list[int]], limit: int, budget: int
            ) -> Select[tuple[object, ...]]:
    """The rarest of the given anchors, at most ``limit`` of them and only as many as hold
    ``budget`` anchor rows between them (the rarest one always)."""
    per_case = [and_(DocumentAnchorCount.case_id == case_id,
                     DocumentAnchorCount.anchor.in_(values))
                for case_id, values in anchors.items() if values]
    order = (DocumentAnchorCount.versions, DocumentAnchorCount.anchor,
             DocumentAnchorCount.case_id)
    ranked = (select(DocumentAnchorCount.case_id, DocumentAnchorCount.anchor,
                     DocumentAnchorCount.versions,
                     func.sum(DocumentAnchorCount.versions).over(
                         order_by=order, rows=(None, 0)).label("held"))
              .where(or_(*per_case)).subquery())
    return (select(ranked.c.case_id, ranked.c.anchor, ranked.c.versions)
            .where(ranked.c.held - ranked.c.versions < budget)
            .order_by(ranked.c.versions, ranked.c.anchor).limit(limit))


def _case_groups(anchors: dict[uuid.UUID, list[int]]) -> list[dict[uuid.UUID, list[int]]]:
    """The cases' anchors in groups of at most BATCH bound values (a case's own anchors are
    cut to BATCH: a pseudo-random sample, since keyed hashes are sorted)."""
    groups: list[dict[uuid.UUID, list[int]]] = [{}]
    size = 0
    for case_id, values in sorted(anchors.items(), key=lambda kv: str(kv[0])):
        values = values[:BATCH]
        if groups[-1] and size + len(values) > BATCH:
            groups.append({})
            size = 0
        groups[-1][case_id] = values
        size += len(values)
    return groups


def anchor_hits(session: Session, anchors: dict[uuid.UUID, list[int]], limit: int,
                budget: int) -> list[tuple[str, int, float]]:
    """Per version: how many of the rarest of the given anchors (per case) it holds, and
    their weight (each anchor counts 1 / the number of versions holding it); see
    ``_rarest`` for which. One statement (per BATCH anchors; one for any evidence a person
    pastes): the rarest anchors through the counts' key, then their versions through the
    anchors' index, so the phrases every document holds are not expanded: the rows read
    stay about ``budget`` whatever the number of documents."""
    out: list[tuple[str, int, float]] = []
    for group in _case_groups(anchors):
        if not any(group.values()):
            continue
        rare = _rarest(group, limit, budget).subquery()
        rows = session.execute(
            select(_text(DocumentAnchor.version_id), func.count(),
                   func.sum(literal(1.0) / rare.c.versions))
            .join(rare, and_(DocumentAnchor.case_id == rare.c.case_id,
                             DocumentAnchor.anchor == rare.c.anchor))
            .group_by(DocumentAnchor.version_id)).all()
        out += [(v, int(n), float(w)) for v, n, w in rows]
    return out


def versions_by_tags(session: Session, case_ids: list[uuid.UUID], tags: Iterable[str]
                     ) -> set[str]:
    """The versions (ids as text) of downloads whose tag is one of ``tags`` (indexed)."""
    wanted = sorted(set(tags))
    found: set[str] = set()
    for i in range(0, len(wanted), BATCH):
        found.update(session.execute(select(_text(DocumentDownload.version_id)).where(
            DocumentDownload.case_id.in_(case_ids),
            DocumentDownload.tag.in_(wanted[i:i + BATCH]))).scalars())
    return found


def analyses_of(session: Session, version_ids: list[uuid.UUID]
                ) -> dict[uuid.UUID, DocumentAnalysis]:
    if not version_ids:
        return {}
    rows = session.execute(select(DocumentAnalysis).where(
        DocumentAnalysis.version_id.in_(version_ids))).scalars()
    return {r.version_id: r for r in rows}


def rows_of_versions(session: Session, version_ids: list[uuid.UUID]
                     ) -> list[tuple[Document, DocumentVersion]]:
    if not version_ids:
        return []
    return [(d, v) for d, v in session.execute(
        select(Document, DocumentVersion)
        .join(DocumentVersion, DocumentVersion.document_id == Document.id)
        .where(DocumentVersion.id.in_(version_ids)).order_by(DocumentVersion.id)).all()]
