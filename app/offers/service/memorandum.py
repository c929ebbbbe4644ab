"""Use case: the memorandum PDF of an accepted settlement offer, with its FRE 408 legend.

The legend states what Rule 408 does and what it does not: it limits the use of the
compromise as evidence (408(a)); it makes nothing confidential or privileged and leaves the
settlement provable to enforce it or for another purpose (408(b)). A stamp reading
"confidential" would promise a protection the rule does not give, and a party relying on
it might disclose or withhold the wrong thing.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth import service as auth_service
from app.cases import service as case_service
from app.context import CaseContext
from app.errors import Conflict
from app.kernel.money import money
from app.kernel.papers import (
    PaperChecker,
    Section,
    filing_check_section,
    render_pdf,
    sealing_marking,
    signature_block,
)
from app.kernel.timefmt import court_moment
from app.offers.reads import (
    OBJECT,
    content_of,
    load_visible,
)
from app.refusals import refuse
from app.runtime import Services

# Printed at the top of every page: short enough for one line, pointing at the legend.
FRE_408_MARKING = ("Settlement record - FRE 408 limits its use as evidence; "
                   "not privileged (see Legend)")
FRE_408_LEGEND = (
    "Federal Rule of Evidence 408 limits how this settlement, and what was offered or said "
    "to reach it, may be used in court: no party may use them to prove or disprove the "
    "validity or amount of a disputed claim, or to impeach by a prior inconsistent "
    "statement or a contradiction (FRE 408(a)).",
    "Rule 408 is a rule about evidence only. By itself it makes nothing confidential and "
    "creates no privilege; confidentiality, if any, comes from the parties' agreement, a "
    "court order or another rule.",
    "Rule 408 does not prevent proving this settlement to enforce it, nor using it for "
    "another purpose the court allows, such as showing a witness's bias or prejudice, "
    "negating a claim of undue delay, or proving an effort to obstruct a criminal "
    "investigation or prosecution (FRE 408(b)).",
)


def memorandum(session: Session, ctx: CaseContext, *, svc: Services,
               offer_id: uuid.UUID, check: PaperChecker) -> bytes:
    """The settlement memorandum of an accepted offer, with the FRE 408 legend and the
    result of the room's filing check of its text (its own offer left out)."""
    action = "offer.memorandum"
    offer = load_visible(session, ctx, offer_id, action)
    if offer.status != "accepted" or offer.accepted_at is None:
        refuse(session, ctx, action, OBJECT, offer.id,
                     Conflict("The offer has not been accepted.", code="offer_not_accepted"))
    content = content_of(svc, offer)
    case = case_service.case_row(session, offer.case_id)
    assert case is not None
    parties = {p: party.name if (party := case_service.party_row(session, offer.case_id, p)) else ""
               for p in (offer.from_party_id, offer.to_party_id)}
    users = auth_service.user_rows(session, {offer.created_by, offer.accepted_by}
                                   - {None})  # type: ignore[operator]
    maker, acceptor = (users[u].name if u in users else "unknown"
                       for u in (offer.created_by, offer.accepted_by))
    tz = case.court_timezone
    sections: list[Section] = [
        ("Legend (Federal Rule of Evidence 408)", FRE_408_LEGEND),
        ("Parties", [f"Offering party: {parties[offer.from_party_id]}",
                     f"Accepting party: {parties[offer.to_party_id]}"]),
        ("Terms", [f"Amount: {money(content['amount_cents'], content['currency'])}",
                   *content["terms"].splitlines()]),
        ("Offer and acceptance", [
            f"Offered {court_moment(offer.created_at, tz)} by {maker} for "
            f"{parties[offer.from_party_id]}.",
            f"Accepted {court_moment(offer.accepted_at, tz)} by {acceptor} for "
            f"{parties[offer.to_party_id]}, on the terms whose SHA-256 is "
            f"{offer.terms_sha256}.",
            f"The server signed the acceptance with its Ed25519 key {offer.key_id}: "
            f"{offer.signature}"]),
        ("Signatures", [*signature_block(maker, f"Counsel for {parties[offer.from_party_id]}"),
                        *signature_block(acceptor,
                                         f"Counsel for {parties[offer.to_party_id]}")]),
    ]
    result = check(sections, own_offer_ids={offer.id})
    pdf = render_pdf(title="Settlement memorandum",
                     marking=sealing_marking(result, FRE_408_MARKING),
                     caption=case_service.caption_of(case),
                     sections=[*sections, filing_check_section(result)])
    record(session, ctx, action, "settlement_offer", offer.id, {"offer_id": offer.id})
    return pdf
