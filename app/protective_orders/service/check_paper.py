"""The room's own papers checked before they leave it: a Rule 68 filing package, a costs
export or a settlement memorandum quoting designated material carries a sealing warning.

Threat: the seed order's harm done by the room itself. A paper the room renders for
filing is built from what members typed (offer terms, for instance), and typed text can
quote a protected declaration. The paper is checked like any draft (``check_draft_text``)
against what its maker may read, except the offers the paper itself is about: an accepted
Rule 68 offer is filed by design (68(a)), and a memorandum states its own settlement.

Invariants: the check reads nothing the maker may not read; its result names sections,
designations, parties and counts, never a word of the source; the audit event of the
check (``filing.check``, kind ``paper``) carries counts and ids only.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy.orm import Session

from app.audit.service import record
from app.cases import service as case_service
from app.context import CaseContext
from app.kernel.papers import PaperCheck, PaperChecker, PaperFinding, Section
from app.kernel.timefmt import court_moment
from app.protective_orders.filing import DraftPage, check_draft_text
from app.protective_orders.reads import case_of
from app.protective_orders.sealing_rules import sealing_rule
from app.protective_orders.service.check_filing import ACTION, sources_for
from app.runtime import Services


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
    found = check_draft_text(pages, sources, sealing_rule=rule)
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
        "matches": len(found), "count": len(sources),
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
