"""Numbered productions: a party produces a set of its documents under a Bates prefix,
each page of each document numbered, and an index (CSV and PDF) of what it produced.

Invariants and threats:
- a production is one party's own CONFIDENTIAL or AEO documents sharing one designation
  and audience (``policy_documents.check_production``), so every member sees either the
  whole production and its index, or nothing of it (answered 404 like an unknown id);
- a party's numbers continue across its productions in the case without gap or overlap:
  the case row is locked while the next number is read and the production inserted, and
  a unique (case, party, first number) backs the lock;
- each version is produced once; the numbers are those of the version produced, and every
  copy of that version (download or view) carries them on its pages, stamped in the footer
  over the per-recipient watermark (``app.watermark``): leak tracing reads the same tag;
- the index lists names (content): it is read only by members who may see the documents,
  each read recorded by id; audit events carry ids and numbers only.
"""

from __future__ import annotations

import csv
import io
import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth import service as auth_service
from app.authz import policy_documents as pol
from app.authz.policy import Denial
from app.cases import service as case_service
from app.context import CaseContext
from app.documents import bates, storage
from app.documents import repository as repo
from app.documents.errors import ProductionNotFound
from app.documents.reads import display_name, facts_of, load_visible, viewer
from app.documents.schemas import ProductionCreate, ProductionEntry, ProductionRead
from app.errors import Conflict, Invalid
from app.kernel.papers import Section, render_pdf, signature_block
from app.kernel.timefmt import court_moment
from app.models.documents import Document, DocumentVersion, Production, ProductionItem
from app.refusals import refuse, refuse_unless
from app.runtime import Services

INDEX_COLUMNS = ("bates_first", "bates_last", "document", "designation", "pages", "produced")
MARKINGS = {
    "CONFIDENTIAL": "CONFIDENTIAL - produced under protective order",
    "AEO": "HIGHLY CONFIDENTIAL - ATTORNEYS' EYES ONLY - produced under protective order",
}


def produce(session: Session, ctx: CaseContext, svc: Services, *,
            data: ProductionCreate) -> ProductionRead:
    action = "production.create"
    party = pol.uploading_party(ctx.memberships, data.party_id)
    if isinstance(party, Denial):
        refuse(session, ctx, action, "production", None, party)
    assert isinstance(party, uuid.UUID)
    prefix = bates.normalise_prefix(data.prefix)
    if len(set(data.document_ids)) != len(data.document_ids):
        raise Invalid("document_ids lists a document twice.", code="duplicate_document")
    loaded = [load_visible(session, ctx, d, action) for d in data.document_ids]
    refuse_unless(session, ctx, action, "production", None,
                  pol.check_production(party, [x.facts for x in loaded]))
    case_service.case_row(session, ctx.case_id, lock=True)  # one numbering at a time
    versions = [repo.version_of(session, x.doc.id, x.doc.current_version) for x in loaded]
    if any(repo.production_of_version(session, v.id) for v in versions):
        refuse(session, ctx, action, "production", None, Conflict(
            "A document's current version was already produced.", code="already_produced"))
    number = repo.last_bates_number(session, ctx.case_id, party) + 1
    production = Production(id=uuid.uuid4(), case_id=ctx.case_id, party_id=party,
                            prefix=prefix, first_number=number, last_number=number,
                            created_by=ctx.user_id, created_at=svc.now())
    items = []
    for position, version in enumerate(versions):
        # The plaintext is needed for the count only: in a spool file, never whole in memory.
        with storage.plaintext_file(svc.key_provider, svc.blob_store, version) as content:
            pages = bates.page_count(content, version.media_type)
        items.append(ProductionItem(
            production_id=production.id, case_id=ctx.case_id, document_id=version.document_id,
            version_id=version.id, position=position, first_number=number, page_count=pages))
        number += pages
    production.last_number = number - 1
    repo.add(session, production)
    repo.add(session, *items)
    record(session, ctx, action, "production", production.id, {
        "production_id": production.id, "document_ids": [v.document_id for v in versions],
        "first_number": production.first_number, "last_number": production.last_number,
        "pages": production.last_number - production.first_number + 1,
    }, party_id=party)
    return _read(svc, production, items, {x.doc.id: x.doc for x in loaded},
                 {v.id: v for v in versions})


def _read(svc: Services, production: Production, items: list[ProductionItem],
          docs: dict[uuid.UUID, Document],
          versions: dict[uuid.UUID, DocumentVersion]) -> ProductionRead:
    entries = [ProductionEntry(
        document_id=i.document_id, version=versions[i.version_id].version,
        version_id=i.version_id, filename=display_name(svc, versions[i.version_id]),
        designation=docs[i.document_id].designation, page_count=i.page_count,
        bates_first=bates.label(production.prefix, i.first_number),
        bates_last=bates.label(production.prefix, i.first_number + i.page_count - 1),
    ) for i in items]
    return ProductionRead(
        id=production.id, case_id=production.case_id, party_id=production.party_id,
        prefix=production.prefix,
        bates_first=bates.label(production.prefix, production.first_number),
        bates_last=bates.label(production.prefix, production.last_number),
        page_count=production.last_number - production.first_number + 1,
        created_by=production.created_by, created_at=production.created_at, documents=entries)


def _visible(session: Session, ctx: CaseContext, productions: list[Production]
             ) -> list[tuple[Production, list[ProductionItem], dict[uuid.UUID, Document]]]:
    """The productions whose documents the caller sees (all of them, by construction)."""
    items = repo.production_items(session, [p.id for p in productions])
    me = viewer(ctx)
    out = []
    for production in productions:
        mine = [i for i in items if i.production_id == production.id]
        docs = {}
        for item in mine:
            doc = repo.get_document(session, ctx.case_id, item.document_id)
            assert doc is not None  # a produced document cannot be deleted
            docs[doc.id] = doc
        if mine and all(pol.can_see_document(me, facts_of(session, d)) for d in docs.values()):
            out.append((production, mine, docs))
    return out


def _versions(session: Session, items: list[ProductionItem]
              ) -> dict[uuid.UUID, DocumentVersion]:
    """The produced versions (not the documents' current ones: a new version after the
    production is not in it)."""
    out = {}
    for item in items:
        for v in repo.versions_of(session, item.document_id):
            if v.id == item.version_id:
                out[v.id] = v
    return out


def list_productions(session: Session, ctx: CaseContext, svc: Services, *,
                     audited: bool = True) -> list[ProductionRead]:
    """The productions the caller may see; one audit event unless the caller records the
    read itself (``audited=False``: the documents page, one event for the page)."""
    shown = _visible(session, ctx, repo.productions(session, ctx.case_id))
    if audited:
        record(session, ctx, "production.list", "case", ctx.case_id,
               {"count": len(shown), "document_ids": [d for _, i, _ in shown for d in
                                                       [x.document_id for x in i]]})
    return [_read(svc, p, items, docs, _versions(session, items)) for p, items, docs in shown]


def _load(session: Session, ctx: CaseContext, action: str, production_id: uuid.UUID
          ) -> tuple[Production, list[ProductionItem], dict[uuid.UUID, Document]]:
    production = repo.get_production(session, ctx.case_id, production_id)
    shown = _visible(session, ctx, [production]) if production else []
    if not shown:
        refuse(session, ctx, action, "production", production_id,
               ProductionNotFound("No such production."))
    return shown[0]


def get_production(session: Session, ctx: CaseContext, svc: Services, *,
                   production_id: uuid.UUID) -> ProductionRead:
    production, items, docs = _load(session, ctx, "production.read", production_id)
    record(session, ctx, "production.read", "production", production.id,
           {"production_id": production.id})
    return _read(svc, production, items, docs, _versions(session, items))


def _index(session: Session, ctx: CaseContext, svc: Services, production_id: uuid.UUID,
           fmt: str) -> tuple[Production, ProductionRead]:
    action = "production.index"
    production, items, docs = _load(session, ctx, action, production_id)
    record(session, ctx, action, "production", production.id,
           {"production_id": production.id, "format": fmt})
    return production, _read(svc, production, items, docs, _versions(session, items))


def index_csv(session: Session, ctx: CaseContext, svc: Services, *,
              production_id: uuid.UUID) -> str:
    """One row per document: its Bates range, title, designation, pages and the date of
    the production in the court's zone. Cells that a spreadsheet would run as a formula
    are quoted with a leading apostrophe (a filename is the uploader's text)."""
    production, read = _index(session, ctx, svc, production_id, "csv")
    case = case_service.case_row(session, ctx.case_id)
    assert case is not None
    produced = court_moment(production.created_at, case.court_timezone)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(INDEX_COLUMNS)
    for e in read.documents:
        writer.writerow([e.bates_first, e.bates_last, _cell(e.filename), e.designation,
                         e.page_count, produced])
    return out.getvalue()


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def index_pdf(session: Session, ctx: CaseContext, svc: Services, *,
              production_id: uuid.UUID) -> bytes:
    """The index as a paper to serve with the production: caption, the producing party,
    one entry per document, and the producing counsel's signature block."""
    production, read = _index(session, ctx, svc, production_id, "pdf")
    case = case_service.case_row(session, ctx.case_id)
    assert case is not None
    party = case_service.party_row(session, ctx.case_id, production.party_id)
    party_name = party.name if party else "the producing party"
    producer = auth_service.user_row(session, production.created_by)
    signer = producer.name if producer else "Counsel"
    produced = court_moment(production.created_at, case.court_timezone)
    designation = read.documents[0].designation
    entries: list[str] = []
    for n, e in enumerate(read.documents, start=1):
        pages = "1 page" if e.page_count == 1 else f"{e.page_count} pages"
        entries.append(f"{n}. {e.bates_first} - {e.bates_last}: {e.filename} "
                       f"({e.designation}, {pages})")
    sections: list[Section] = [
        ("Production", [
            f"Produced by {party_name} on {produced}.",
            f"Bates numbers {read.bates_first} through {read.bates_last} "
            f"({read.page_count} pages in {len(read.documents)} documents).",
            "Every page of every copy bears its Bates number in the bottom right margin."]),
        ("Index of documents produced", entries),
        ("Signature", signature_block(signer, f"For {party_name}")),
    ]
    return render_pdf(title=f"Production index {read.bates_first} - {read.bates_last}",
                      marking=MARKINGS.get(designation), sections=sections,
                      caption=case_service.caption_of(case))
