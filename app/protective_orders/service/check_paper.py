"""The room's own papers checked before they leave it: a Rule 68 filing package, a costs
export or a settlement memorandum quoting designated material carries a sealing warning.

Threat: the seed order's harm done by the room itself. A paper the room renders for
filing is built from what members typed (offer terms, for instance), and typed text can
quote a protected declaration. The paper is checked like any draft (``check_draft_text``)
against what its maker may read (the public text registered for the maker's own parties
does not count), except the offers the paper itself is about: an accepted
Rule 68 offer is filed by design (68(a)), and a memorandum states its own settlement.

Invariants: the check reads nothing the maker may not read; its result names sections,
designations, parties and counts, never a word of the source; the audit event of the
check (``filing.check``, kind ``paper``) carries counts and ids only.

Exhibits (``paper_attacher``): a room document attached to a paper is the maker's own
watermarked copy, made and recorded by the one download path (``documents.download``),
so every refusal of a download (not visible, Exhibit A unsigned, clawed back, deleted)
refuses the attachment with the same code, and a leak of the filed exhibit traces back
to its maker. Every document of the room carries a designation (CONFIDENTIAL, AEO or
ENE), so every exhibit taken from the room makes the paper carry the sealing warning.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy.orm import Session

from app.audit.service import record
from app.cases import service as case_service
from app.context import CaseContext
from app.documents import service as documents
from app.errors import Invalid
from app.kernel.papers import (
    EXHIBIT_LETTERS,
    PaperAttacher,
    PaperCheck,
    PaperChecker,
    PaperExhibit,
    PaperFinding,
    Section,
    exhibit_label,
)
from app.kernel.timefmt import court_moment
from app.protective_orders.filing import DraftPage, check_draft_text
from app.protective_orders.reads import case_of
from app.protective_orders.sealing_rules import sealing_rule
from app.protective_orders.service.check_filing import ACTION, sources_for
from app.protective_orders.service.public_text import public_texts_for
from app.refusals import refuse
from app.runtime import Services

ATTACH_ACTION = "paper.attach"


def check_paper(session: Session, ctx: CaseContext, svc: Services,
                sections: Sequence[Section], *,
                own_offer_ids: Collection[uuid.UUID] = ()) -> PaperCheck:
    case = case_of(session, ctx)
    rule = sealing_rule(case.district, case.court)
    own = set(own_offer_ids)
    sources = [s for s in sources_for(session, ctx, svc)
               if not (s.kind == "offer" and s.id in own)]
    pages = [DraftPage(i, "\n".join([heading, *body]))
             for i, (heading, body) in enumerate(sections, start=1)]
    public = public_texts_for(session, ctx, svc)
    found = check_draft_text(pages, sources, sealing_rule=rule, extra_public=public)
    parties = {p.id: p.name for p in case_service.party_rows(session, ctx.case_id)}
    findings = tuple(PaperFinding(
        section=sections[f.evidence_page - 1][0], designation=f.source.designation,
        designating_party=parties.get(f.source.party_id, "another party")
        if f.source.party_id else "another party",
        matched_words=f.matched_words, rule=f.rule, never_file=f.never_file)
        for f in found)
    record(session, ctx, ACTION, "filing_check", uuid.uuid4(), {
        "kind": "paper", "pages": len(pages),
        "verdict": "protected_material_found" if found else "clean",
        "matches": len(found), "count": len(sources), "public_texts": len(public),
        "document_ids": sorted({str(f.source.id) for f in found}),
    })
    return PaperCheck(checked_at=court_moment(svc.now(), case.court_timezone),
                      checked_sources=len(sources), rule=rule, findings=findings)


def paper_checker(session: Session, ctx: CaseContext, svc: Services) -> PaperChecker:
    """``check_paper`` bound to one request: what the domains that render papers receive."""
    def check(sections: Sequence[Section], *,
              own_offer_ids: Collection[uuid.UUID] = ()) -> PaperCheck:
        return check_paper(session, ctx, svc, sections, own_offer_ids=own_offer_ids)
    return check


def _refuse_bad_list(session: Session, ctx: CaseContext,
                     document_ids: Sequence[uuid.UUID]) -> None:
    if len(document_ids) > len(EXHIBIT_LETTERS):
        refuse(session, ctx, ATTACH_ACTION, "case", ctx.case_id, Invalid(
            f"At most {len(EXHIBIT_LETTERS)} documents can be attached to one paper.",
            code="too_many_attachments"))
    if len(set(document_ids)) != len(document_ids):
        refuse(session, ctx, ATTACH_ACTION, "case", ctx.case_id, Invalid(
            "A document is attached to a paper once.", code="duplicate_attachment"))


def attach_documents(session: Session, ctx: CaseContext, svc: Services,
                     document_ids: Sequence[uuid.UUID], *, client_address: str | None,
                     user_agent: str | None) -> tuple[PaperExhibit, ...]:
    """The caller's recorded, watermarked copy of each document, labelled in order."""
    _refuse_bad_list(session, ctx, document_ids)
    parties = {p.id: p.name for p in case_service.party_rows(session, ctx.case_id)}
    out = []
    for i, document_id in enumerate(document_ids):
        copy = documents.download(session, ctx, svc, document_id=document_id,
                                  client_address=client_address, user_agent=user_agent,
                                  exhibit=True)
        assert isinstance(copy.body, bytes)  # an exhibit is never spooled
        loaded = documents.find(session, ctx.case_id, document_id)
        assert loaded is not None  # the copy's record holds its share lock
        doc = loaded.doc
        out.append(PaperExhibit(
            label=exhibit_label(i), document_id=document_id, download_id=copy.download_id,
            pdf=copy.body, designation=doc.designation,
            designating_party=parties.get(doc.uploader_party_id, "another party"),
            never_file=doc.designation == "ENE"))
    return tuple(out)


def paper_attacher(session: Session, ctx: CaseContext, svc: Services, *,
                   client_address: str | None, user_agent: str | None) -> PaperAttacher:
    """``attach_documents`` bound to one request (what the paper use cases receive)."""
    def attach(document_ids: Sequence[uuid.UUID]) -> tuple[PaperExhibit, ...]:
        return attach_documents(session, ctx, svc, document_ids,
                                client_address=client_address, user_agent=user_agent)
    return attach
