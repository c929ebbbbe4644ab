"""``POST /cases/{id}/filing-checks``: does a draft filing quote designated material?

Threats: counsel filing protected material in the public record by mistake (the seed
case: a protected declaration quoted in an opposition); a caller learning, through a
check, anything of a document it may not see; the draft or the sources leaking through
the result, the audit log, logs or errors.

Invariants:
- compared are only what the caller may read: the documents its own view of the room
  shows (``app.documents.service.filing_sources``), the offers it may see and the ENE
  statements and messages it may read; anything else is not loaded, so no finding, count
  or timing depends on it beyond the number of rows;
- a finding names ids, a designation, a page and a count of words; the draft's text and
  the sources' text stay in memory for the request only;
- public text never counts: the bundled corpus, and the texts registered for the caller's
  own parties (``public_text``); another party's registrations never blind this check;
- the audit event ``filing.check`` has the draft's SHA-256 (``evidence_sha256``), its kind
  and page count, the verdict, the number of findings (``matches``) and of sources compared
  (``count``), the number of registered public texts that counted (``public_texts``),
  and the ids of the sources found (``document_ids``; the caller sees them);
- parsing and matching are CPU work done between transactions; the audit event is the
  request's only write.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.context import CaseContext
from app.db import between_transactions
from app.documents import service as documents
from app.ene import service as ene
from app.kernel.shingles import Indexed
from app.offers import service as offers
from app.protective_orders.drafts import RawDraft, read_draft
from app.protective_orders.filing import DraftPage, Finding, Source, check_draft_text
from app.protective_orders.reads import case_of
from app.protective_orders.schemas import FilingCheckRead, FilingFindingRead
from app.protective_orders.sealing_rules import sealing_rule
from app.protective_orders.service.public_text import public_texts_for
from app.runtime import Services

ACTION = "filing.check"


def sources_for(session: Session, ctx: CaseContext, svc: Services) -> list[Source]:
    out = [Source("document", s.document_id, s.designation, s.party_id, s.index)
           for s in documents.filing_sources(session, ctx, svc)]
    out += [Source("offer", oid, designation, party, Indexed.of_text(terms))
            for oid, designation, party, terms in offers.filing_texts(session, ctx, svc)]
    out += [Source(t.kind, t.id, "ENE", t.party_id, Indexed.of_text(t.text))
            for t in ene.filing_texts(session, ctx, svc)]
    return out


def _finding(f: Finding) -> FilingFindingRead:
    return FilingFindingRead(
        document_id=f.source.id, source=f.source.kind, designation=f.source.designation,
        designating_party_id=f.source.party_id, evidence_page=f.evidence_page,
        matched_words=f.matched_words, rule=f.rule, never_file=f.never_file)


def check_filing(session: Session, ctx: CaseContext, svc: Services, *,
                 raw: RawDraft) -> FilingCheckRead:
    case = case_of(session, ctx)
    rule = sealing_rule(case.district, case.court)
    between_transactions(session, reads_next=True)
    draft = read_draft(raw, svc)
    sources = sources_for(session, ctx, svc)
    public = public_texts_for(session, ctx, svc)
    between_transactions(session)
    findings = check_draft_text([DraftPage(p.number, p.text) for p in draft.pages], sources,
                                sealing_rule=rule, extra_public=public)
    verdict = "protected_material_found" if findings else "clean"
    check_id = uuid.uuid4()
    record(session, ctx, ACTION, "filing_check", check_id, {
        "evidence_sha256": draft.sha256, "kind": draft.kind, "pages": len(draft.pages),
        "ocr_pages": sum(p.ocr for p in draft.pages), "verdict": verdict,
        "matches": len(findings), "count": len(sources), "public_texts": len(public),
        "document_ids": sorted({str(f.source.id) for f in findings}),
    })
    return FilingCheckRead(
        check_id=check_id, verdict=verdict, findings=[_finding(f) for f in findings],
        checked_documents=len(sources), rule=rule)
