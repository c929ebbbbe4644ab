"""Rule 68 papers: the filing package of an accepted offer, the costs-only export of any
offer, and the 68(d) cost comparison.

68(a): after acceptance "either party may then file the offer and notice of acceptance,
plus proof of service. The clerk must then enter judgment." 68(b): "Evidence of an
unaccepted offer is not admissible except in a proceeding to determine costs", so an
unaccepted offer leaves the room only as a PDF carrying that legend on every page.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.audit.service import record
from app.cases import service as case_service
from app.context import CaseContext
from app.errors import Conflict, Invalid
from app.kernel.money import money
from app.kernel.papers import (
    PaperAttacher,
    PaperChecker,
    Section,
    attach_exhibits,
    filing_check_section,
    render_pdf,
    sealing_marking,
    signature_block,
)
from app.kernel.timefmt import court_day, court_moment
from app.models.cases import Case
from app.models.rule68 import Rule68Offer, Rule68Offeree
from app.refusals import refuse
from app.rule68 import repository as repo
from app.rule68.practice import COMPLETE_ON, SERVICE_RULE, UNAPPORTIONED
from app.rule68.reads import OBJECT, certificates, content_of, load_visible, status_of
from app.rule68.rules import Rule68InputError, compare_costs
from app.rule68.schemas import CostComparisonRead, CostComparisonRequest, CostsMode
from app.runtime import Services

COSTS_ONLY_MARKING = "Admissible only in a proceeding to determine costs - FRCP 68(b)"
CLERK_STATEMENT = ("The offer having been accepted, the clerk must then enter judgment. "
                   "FRCP 68(a).")
COSTS_CLAUSE = {
    "plus_accrued": "plus costs then accrued",
    "included": "inclusive of all costs accrued to date",
}
# An offer silent on fees is printed silent: the paper must not add a term it did not have.
FEES_CLAUSE = {
    "included": ", attorney's fees included",
    "excluded": ", attorney's fees not included",
    "silent": "",
}


def _served_on_whom(session: Session, offer: Rule68Offer, party_id: uuid.UUID) -> str:
    speakers = repo.speakers_of(session, offer.case_id, party_id)
    if not speakers:
        return "(no counsel or pro se member on record)"
    return ", ".join(f"{name} ({'counsel' if role == 'counsel' else 'pro se'})"
                     for name, role in speakers)


def _case(session: Session, offer: Rule68Offer) -> Case:
    case = case_service.case_row(session, offer.case_id)
    assert case is not None
    return case


def _when(session: Session, offer: Rule68Offer, value: datetime) -> str:
    """A moment as the paper states it: the court's zone, to the minute, in words."""
    return court_moment(value, _case(session, offer).court_timezone)


def _offer_sections(session: Session, svc: Services, offer: Rule68Offer,
                    offerees: list[Rule68Offeree]) -> list[Section]:
    parties = repo.parties(session, offer.case_id)
    content: dict[str, Any] = content_of(svc, offer)
    names = ", ".join(parties[o.party_id].name for o in offerees)
    return [
        ("Offer of judgment (FRCP 68)", [
            f"{parties[offer.offeror_party_id].name} offers to allow judgment to be taken "
            f"against it in favor of {names} for "
            f"{money(content['amount_cents'], content['currency'])}, "
            f"{COSTS_CLAUSE[offer.costs]}{FEES_CLAUSE[offer.attorney_fees]}, on the "
            "following terms:",
            *_shares(content, parties),
            *content["terms"].splitlines(),
            f"Terms SHA-256: {offer.terms_sha256}",
            "",
            *signature_block(repo.user_name(session, offer.served_by),
                             f"Counsel for {parties[offer.offeror_party_id].name}"),
        ]),
        ("Service of the offer", [
            f"Served on {court_day(offer.served_on)} ({_when(session, offer, offer.served_at)}) by "
            f"{offer.service_method} service, by {repo.user_name(session, offer.served_by)} "
            f"for {parties[offer.offeror_party_id].name}, on:",
            *[f"{parties[o.party_id].name}, through "
              f"{_served_on_whom(session, offer, o.party_id)}" for o in offerees],
            *_service_certificates(session, svc, offer),
            f"Last day to accept: {court_day(offer.acceptance_deadline)} (the time to accept "
            f"ends at {_when(session, offer, offer.acceptance_ends_at)}).",
        ]),
    ]


def _shares(content: dict[str, Any], parties: dict[uuid.UUID, Any]) -> list[str]:
    shares: dict[str, int] = content.get("offeree_amounts") or {}
    return [f"Of this amount, {money(cents, content['currency'])} to "
            f"{parties[uuid.UUID(p)].name}." for p, cents in shares.items()]


def _service_certificates(session: Session, svc: Services, offer: Rule68Offer) -> list[str]:
    """The certificate of service of an offer served outside the room, as recorded."""
    lines = []
    for row in certificates(session, svc, offer):
        if row.kind != "service":
            continue
        lines.append(f"Certificate of service: {row.served_by_name} served {row.served_on} "
                     f"({row.rule}) at {_when(session, offer, row.served_at)}, recorded at "
                     f"{_when(session, offer, row.recorded_at)}"
                     + (" (dated before the day it was recorded)." if row.backdated else "."))
        if row.text:
            lines.extend(row.text.splitlines())
        if row.document_sha256:
            lines.append(f"Signed certificate SHA-256: {row.document_sha256}")
    return lines


def _proof(session: Session, offer: Rule68Offer, offeree: Rule68Offeree, offeror: str) -> str:
    name = repo.parties(session, offer.case_id)[offeree.party_id].name
    assert offeree.accepted_at is not None
    if offeree.acceptance_method is None:
        how = ("electronically through the settleroom case room (FRCP 5(b)(2)(E), written "
               "consent on record)")
    else:
        assert offeree.acceptance_recorded_at is not None
        how = (f"by {offeree.acceptance_method} service outside the room "
               f"({SERVICE_RULE[offeree.acceptance_method]}), "
               f"{COMPLETE_ON[offeree.acceptance_method]}, as stated in the certificate of "
               f"service recorded at {_when(session, offer, offeree.acceptance_recorded_at)}")
    return (f"Notice of acceptance of {name} served {how} at "
            f"{_when(session, offer, offeree.accepted_at)} by "
            f"{repo.user_name(session, offeree.accepted_by)} on {offeror}, through "
            f"{_served_on_whom(session, offer, offer.offeror_party_id)}.")


def _acceptance_sections(session: Session, offer: Rule68Offer,
                         offerees: list[Rule68Offeree]) -> list[Section]:
    parties = repo.parties(session, offer.case_id)
    offeror = parties[offer.offeror_party_id].name
    notices = [f"{parties[o.party_id].name} accepts the offer of judgment. Written notice "
               f"given by {repo.user_name(session, o.accepted_by)} at "
               f"{_when(session, offer, o.accepted_at)}." for o in offerees if o.accepted_at]
    signatures = [line for o in offerees if o.accepted_at for line in signature_block(
        repo.user_name(session, o.accepted_by), f"Counsel for {parties[o.party_id].name}")]
    proofs = [_proof(session, offer, o, offeror) for o in offerees if o.accepted_at]
    declarations = [line for o in offerees if o.accepted_at for line in (
        "I declare under penalty of perjury under the laws of the United States of America "
        "that the notice of acceptance above was served as stated in this proof of "
        f"service. Executed on {court_day(_local_day(session, offer, o.accepted_at))}.",
        *signature_block(repo.user_name(session, o.accepted_by),
                         f"Counsel for {parties[o.party_id].name}"))]
    return [("Notice of acceptance", [*notices, "", *signatures]),
            ("Proof of service", [*proofs, "", *declarations]),
            ("Entry of judgment", [CLERK_STATEMENT])]


def _local_day(session: Session, offer: Rule68Offer, value: datetime) -> date:
    return value.astimezone(ZoneInfo(_case(session, offer).court_timezone)).date()


def filing_package(session: Session, ctx: CaseContext, *, svc: Services,
                   offer_id: uuid.UUID, check: PaperChecker,
                   attach: PaperAttacher | None = None,
                   document_ids: Sequence[uuid.UUID] = ()) -> bytes:
    """The 68(a) package; ``document_ids`` are attached as exhibits (``attach``: the
    maker's recorded, watermarked copies), after the offer's own refusals, so that a
    refused package makes no copy."""
    action = "rule68.filing_package"
    offer, offerees = load_visible(session, ctx, offer_id, action)
    if status_of(offer, svc.now()) != "accepted":
        refuse(session, ctx, action, OBJECT, offer.id, Conflict(
            "The filing package exists once every offeree has accepted.",
            code="offer_not_accepted"))
    exhibits = attach(document_ids) if attach is not None and document_ids else ()
    sections = _offer_sections(session, svc, offer, offerees)
    sections += _acceptance_sections(session, offer, offerees)
    record(session, ctx, action, OBJECT, offer.id, {
        "offer_id": offer.id,
        "document_ids": [e.document_id for e in exhibits],
        "download_ids": [e.download_id for e in exhibits]})
    result = dataclasses.replace(check(sections), exhibits=exhibits)
    marking = sealing_marking(result, None)
    paper = render_pdf(title="Offer of judgment, notice of acceptance and proof of service",
                       marking=marking, sections=[*sections, filing_check_section(result)],
                       caption=case_service.caption_of(_case(session, offer)))
    return attach_exhibits(paper, exhibits, marking)


def export(session: Session, ctx: CaseContext, *, svc: Services, offer_id: uuid.UUID,
           check: PaperChecker) -> bytes:
    action = "rule68.export"
    offer, offerees = load_visible(session, ctx, offer_id, action)
    status = status_of(offer, svc.now())
    sections = _offer_sections(session, svc, offer, offerees)
    sections.append(("Status", [f"Status at {_when(session, offer, svc.now())}: {status}."]))
    record(session, ctx, action, OBJECT, offer.id, {"offer_id": offer.id, "status": status})
    result = check(sections)
    marking = None if status == "accepted" else COSTS_ONLY_MARKING
    return render_pdf(title="Offer of judgment (FRCP 68)",
                      marking=sealing_marking(result, marking),
                      sections=[*sections, filing_check_section(result)],
                      caption=case_service.caption_of(_case(session, offer)))


def _offered_amount(session: Session, ctx: CaseContext, offer: Rule68Offer,
                    offerees: list[Rule68Offeree], content: dict[str, Any],
                    data: CostComparisonRequest) -> tuple[int, list[str]]:
    """The amount compared: the whole offer, or the named offeree's share of an apportioned
    joint offer; with the warning an unapportioned joint offer carries."""
    shares: dict[str, int] | None = content.get("offeree_amounts")
    action = "rule68.cost_comparison"
    if data.offeree_party_id is not None and data.offeree_party_id not in {
            o.party_id for o in offerees}:
        refuse(session, ctx, action, OBJECT, offer.id, Invalid(
            "offeree_party_id is not an offeree of this offer.", code="not_an_offeree"))
    if shares and len(offerees) > 1:
        if data.offeree_party_id is None:
            refuse(session, ctx, action, OBJECT, offer.id, Invalid(
                "An apportioned joint offer is compared offeree by offeree: name the "
                "offeree_party_id.", code="offeree_party_required"))
        return shares[str(data.offeree_party_id)], [
            "The offer apportioned its amount; this offeree's share is compared."]
    if len(offerees) > 1:
        return content["amount_cents"], [UNAPPORTIONED]
    return content["amount_cents"], []


def cost_comparison(session: Session, ctx: CaseContext, *, svc: Services, offer_id: uuid.UUID,
                    data: CostComparisonRequest) -> CostComparisonRead:
    """68(d) for an offer that was not accepted; when judgment went to the offeror the rule
    does not apply and the answer says so (``applicable: false``, no boolean verdict)."""
    action = "rule68.cost_comparison"
    offer, offerees = load_visible(session, ctx, offer_id, action)
    status = status_of(offer, svc.now())
    if status != "withdrawn":
        refuse(session, ctx, action, OBJECT, offer.id, Conflict(
            "Rule 68(d) compares a judgment with an offer that was not accepted; this offer "
            + ("was accepted." if status == "accepted" else "is still open."),
            code="offer_accepted" if status == "accepted" else "offer_still_open"))
    offered, preface = _offered_amount(session, ctx, offer, offerees, content_of(svc, offer),
                                       data)
    try:
        result = compare_costs(
            offer_amount_cents=offered, costs_mode=cast(CostsMode, offer.costs),
            judgment_amount_cents=data.judgment_amount_cents,
            pre_offer_costs_cents=data.pre_offer_costs_cents, judgment_for=data.judgment_for,
            pre_offer_fees_cents=data.pre_offer_fees_cents,
            pre_offer_interest_cents=data.pre_offer_interest_cents,
            fees_are_costs=data.fees_are_costs, attorney_fees=offer.attorney_fees)
    except Rule68InputError:
        raise Invalid("The comparison inputs are invalid.", code="invalid_comparison") from None
    record(session, ctx, action, OBJECT, offer.id, {"offer_id": offer.id})
    return CostComparisonRead(
        offeree_pays_post_offer_costs=result.offeree_pays_post_offer_costs,
        applicable=result.applicable, explanation=[*preface, *result.explanation],
        judgment_value_cents=result.judgment_value_cents,
        offer_value_cents=result.offer_value_cents)
