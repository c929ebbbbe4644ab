"""Serving a Rule 68 offer of judgment through the room, or recording service by other means.

Checks, in order, each refusal audited: the offerees and claim belong to the case; the
caller speaks for a party defending a claim brought by every offeree (68(a),
counterclaims included); every offeree can be reached through its counsel or pro se
(ABA Model Rule 4.2); the consents to electronic service are on record (FRCP
5(b)(2)(E)); the service time is not in the future; the offer is early enough before
trial or the 68(c) hearing; no earlier offer to the same offeree is still open.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.permissions import Role
from app.authz.policy import Denial
from app.authz.policy_negotiation import may_address, may_serve_rule68
from app.cases import service as case_service
from app.context import CaseContext
from app.deadlines import service as deadline_service
from app.deadlines.rules import Deadline, DeadlineInputError
from app.errors import Conflict, Invalid
from app.kernel.terms import terms_sha256
from app.models.cases import Case, Party
from app.models.rule68 import RULE68_OBJECT_TYPE, Rule68Offer, Rule68Offeree
from app.refusals import refuse, refuse_unless
from app.rule68 import repository as repo
from app.rule68.reads import OBJECT, full_read
from app.rule68.rules import (
    Rule68InputError,
    acceptance_deadline,
    check_service_timing,
    defends_claims_of,
)
from app.rule68.schemas import Rule68Create, Rule68Read
from app.rule68.service import reminders
from app.rule68.service.notices import tell
from app.runtime import Services
from app.sealing import content_mac, seal_json

ACTION = "rule68.serve"


def _check_parties(session: Session, ctx: CaseContext, data: Rule68Create,
                   parties: dict[uuid.UUID, Party]) -> list[tuple[uuid.UUID, list[uuid.UUID]]]:
    """Validate ids and eligibility; return the claims considered."""
    offerees = data.offerees
    if any(p not in parties for p in [data.offeror_party_id, *offerees]):
        refuse(session, ctx, ACTION, OBJECT, None, Invalid(
            "A party of the offer is not a party of this case.", code="unknown_party"))
    if data.offeror_party_id in offerees:
        refuse(session, ctx, ACTION, OBJECT, None,
                     Invalid("An offer is served on another party.", code="same_party"))
    claims = [(c.claimant_party_id, d) for c, d in case_service.claim_rows(session, ctx.case_id)
              if data.claim_id is None or c.id == data.claim_id]
    if data.claim_id is not None:
        if not claims:
            refuse(session, ctx, ACTION, OBJECT, None, Invalid(
                "claim_id is not a claim of this case.", code="unknown_claim"))
    defends = defends_claims_of(data.offeror_party_id, offerees, claims,
                                sides={p.id: p.side for p in parties.values()})
    decision = may_serve_rule68(ctx.memberships, data.offeror_party_id,
                                defends_each_offeree=defends)
    refuse_unless(session, ctx, ACTION, OBJECT, None, decision)
    return claims


def _check_reachable(session: Session, ctx: CaseContext, data: Rule68Create,
                     parties: dict[uuid.UUID, Party]) -> None:
    for party_id in data.offerees:
        decision = may_address(
            represented=parties[party_id].represented,
            counsel_count=case_service.count_party_members(session, ctx.case_id, party_id,
                                                      Role.COUNSEL),
            pro_se_count=case_service.count_party_members(session, ctx.case_id, party_id,
                                                     Role.PRO_SE),
        )
        if isinstance(decision, Denial):
            refuse(session, ctx, ACTION, OBJECT, None, Conflict(decision.detail,
                                                              code=decision.code))
    # The offeror receives the notice of acceptance through the room; the offerees are
    # served through it when the method is electronic. Both need consent on record.
    needed = [data.offeror_party_id]
    if data.service_method == "electronic":
        needed += data.offerees
    if any(repo.get_consent(session, ctx.case_id, p) is None for p in needed):
        refuse(session, ctx, ACTION, OBJECT, None, Conflict(
            "Electronic service through the room needs the party's written consent "
            "(FRCP 5(b)(2)(E)).", code="no_electronic_service_consent"))


def _service_time(session: Session, ctx: CaseContext, svc: Services,
                  data: Rule68Create) -> datetime:
    now = svc.now()
    if data.service_method == "electronic":
        if data.served_at is not None:
            refuse(session, ctx, ACTION, OBJECT, None, Invalid(
                "Electronic service happens now, through the room; served_at is only for "
                "service by other means.", code="served_at_not_allowed"))
        return now
    if data.served_at is not None and data.served_at > now:
        refuse(session, ctx, ACTION, OBJECT, None, Invalid(
            "served_at cannot be in the future.", code="served_at_in_future"))
    return data.served_at or now


def _deadline(session: Session, ctx: CaseContext, case: Case, served_on: date,
              method: str) -> Deadline:
    hearing = repo.get_hearing(session, ctx.case_id)
    # Recorded closure days of the court count here as in every computation of the room.
    closed = deadline_service.court_days(session, case.district)
    try:
        problem = check_service_timing(
            served_on, case.trial_date, hearing.hearing_date if hearing else None,
            extra_holidays=closed.extra_holidays, court_timezone=case.court_timezone,
            district=case.district)
        if problem is not None:
            refuse(session, ctx, ACTION, OBJECT, None, Invalid(
                "A Rule 68 offer must be served at least 14 days before "
                + ("trial." if problem == "too_close_to_trial" else
                   "the hearing on the extent of liability."), code=problem))
        return acceptance_deadline(served_on, method, court_state=case.court_state,
                                   court_timezone=case.court_timezone, district=case.district,
                                   extra_holidays=closed.extra_holidays,
                                   inaccessible_days=closed.inaccessible_days)
    except (DeadlineInputError, Rule68InputError):
        refuse(session, ctx, ACTION, OBJECT, None, Invalid(
            "The service date is outside the range the deadline engine computes.",
            code="invalid_service_date"))


def serve_offer(session: Session, ctx: CaseContext, *, svc: Services,
                data: Rule68Create) -> Rule68Read:
    # The case row lock serialises the pending-offer check across requests.
    case = case_service.case_row(session, ctx.case_id, lock=True)
    assert case is not None
    parties = repo.parties(session, ctx.case_id)
    _check_parties(session, ctx, data, parties)
    _check_reachable(session, ctx, data, parties)
    served_at = _service_time(session, ctx, svc, data)
    served_on = served_at.astimezone(ZoneInfo(case.court_timezone)).date()
    deadline = _deadline(session, ctx, case, served_on, data.service_method)
    if repo.pending_offers(session, ctx.case_id, data.offeror_party_id, data.offerees,
                           svc.now()):
        refuse(session, ctx, ACTION, OBJECT, None, Conflict(
            "An earlier offer to this offeree is still open; serve a later offer after its "
            "acceptance window ends.", code="rule68_offer_pending"))
    content = {"amount_cents": data.amount_cents, "currency": data.currency,
               "terms": data.terms}
    offer_id = uuid.uuid4()
    offer = Rule68Offer(
        id=offer_id, case_id=ctx.case_id, offeror_party_id=data.offeror_party_id,
        claim_id=data.claim_id, costs=data.costs, service_method=data.service_method,
        content=seal_json(svc.key_provider, content, case_id=ctx.case_id,
                          object_type=RULE68_OBJECT_TYPE, object_id=offer_id),
        terms_sha256=terms_sha256({**content, "costs": data.costs}),
        served_at=served_at, served_on=served_on, served_by=ctx.user_id,
        acceptance_deadline=deadline.date, acceptance_ends_at=deadline.ends_at,
        deadline_explanation=deadline.explanation, status="open", created_at=svc.now(),
    )
    repo.add(session, offer)
    offerees = [Rule68Offeree(offer_id=offer_id, party_id=p) for p in sorted(data.offerees)]
    for offeree in offerees:
        session.add(offeree)
    session.flush()
    record(session, ctx, ACTION, OBJECT, offer_id, {
        "offer_id": offer_id, "offeree_party_ids": data.offerees, "claim_id": data.claim_id,
        "method": data.service_method, "served_at": served_at,
        "terms_mac": content_mac(svc.key_provider, ctx.case_id, offer.terms_sha256),
    }, party_id=data.offeror_party_id)
    tell(session, ctx, svc, offer, offerees, "rule68.served",
         acting_parties=(data.offeror_party_id,))
    reminders.schedule(session, offer, case.court_timezone, svc.now())
    return full_read(session, svc, offer, offerees)
