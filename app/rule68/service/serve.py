"""Serving a Rule 68 offer of judgment through the room, or recording service by other means.

Checks, in order, each refusal audited: the offerees and claim belong to the case; the
caller speaks for a party defending a claim brought by every offeree (68(a),
counterclaims included); every offeree can be reached through its counsel or pro se
(ABA Model Rule 4.2); a joint offer's amounts per offeree add up; the offerees' written
consents are on record where the method needs them (electronic 5(b)(2)(E), other means
(F); none for mail, hand delivery or the clerk, and never the offeror's); the service time
is not in the future nor more than ``MAX_BACKDATE_DAYS`` back (an earlier day is flagged
``backdated``); the offer is early enough before trial, or before the 68(c) hearing when
the offeror is a party held liable on the claims offered.

An earlier offer to the same offeree does not bar a later one (68(b): an unaccepted offer
"does not preclude a later offer"); each keeps its own 14 days.
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
from app.rule68.practice import consent_needed, is_backdated, liability_covers
from app.rule68.reads import OBJECT, full_read
from app.rule68.rules import (
    Rule68InputError,
    acceptance_deadline,
    check_service_timing,
    defends_claims_of,
)
from app.rule68.schemas import Rule68Create, Rule68Read
from app.rule68.service import reminders
from app.rule68.service.certificates import add_certificate, check_outside_time
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
    # Only the person served consents, and only to electronic or other agreed means.
    needed = consent_needed(data.service_method)
    if needed == "electronic" and any(
            repo.get_consent(session, ctx.case_id, p) is None for p in data.offerees):
        refuse(session, ctx, ACTION, OBJECT, None, Conflict(
            "Electronic service through the room needs the written consent of the party "
            "served (FRCP 5(b)(2)(E)).", code="no_electronic_service_consent"))
    if needed == "other" and any(
            repo.get_other_consent(session, ctx.case_id, p) is None for p in data.offerees):
        refuse(session, ctx, ACTION, OBJECT, None, Conflict(
            "Service by other means needs the written consent of the party served to those "
            "means (FRCP 5(b)(2)(F)).", code="no_other_means_consent"))


def _check_apportionment(session: Session, ctx: CaseContext, data: Rule68Create) -> None:
    if data.offeree_amounts is None:
        return
    shares = {a.party_id: a.amount_cents for a in data.offeree_amounts}
    if (len(shares) != len(data.offeree_amounts) or set(shares) != set(data.offerees)
            or sum(shares.values()) != data.amount_cents):
        refuse(session, ctx, ACTION, OBJECT, None, Invalid(
            "offeree_amounts must name each offeree once and add up to amount_cents.",
            code="apportionment_mismatch"))


def _service_time(session: Session, ctx: CaseContext, svc: Services,
                  data: Rule68Create, zone: ZoneInfo) -> tuple[datetime, bool]:
    """When service was complete, and whether that is on a day before today (court time)."""
    now = svc.now()
    if data.service_method == "electronic":
        if data.served_at is not None or data.certificate is not None:
            refuse(session, ctx, ACTION, OBJECT, None, Invalid(
                "Electronic service happens now, through the room; served_at and a "
                "certificate are only for service by other means.",
                code="served_at_not_allowed"))
        return now, False
    served_at = data.served_at or now
    check_outside_time(session, ctx, ACTION, None, served_at, now, zone)
    return served_at, is_backdated(served_at.astimezone(zone).date(),
                                   now.astimezone(zone).date())


def _hearing_date(session: Session, ctx: CaseContext, data: Rule68Create) -> date | None:
    """The 68(c) hearing date when the determination covers this offeror and claim."""
    hearing = repo.get_hearing(session, ctx.case_id)
    if hearing is None or not liability_covers(
            str(data.offeror_party_id), str(data.claim_id) if data.claim_id else None,
            hearing.liable_party_ids, hearing.claim_ids):
        return None
    return hearing.hearing_date


def _deadline(session: Session, ctx: CaseContext, case: Case, data: Rule68Create,
              served_on: date) -> Deadline:
    # Recorded closure days of the court count here as in every computation of the room.
    closed = deadline_service.court_days(session, case.district)
    try:
        problem = check_service_timing(
            served_on, case.trial_date, _hearing_date(session, ctx, data),
            extra_holidays=closed.extra_holidays, court_timezone=case.court_timezone,
            district=case.district)
        if problem is not None:
            refuse(session, ctx, ACTION, OBJECT, None, Invalid(
                "A Rule 68 offer must be served at least 14 days before "
                + ("trial." if problem == "too_close_to_trial" else
                   "the hearing on the extent of liability."), code=problem))
        return acceptance_deadline(served_on, data.service_method, court_state=case.court_state,
                                   court_timezone=case.court_timezone, district=case.district,
                                   extra_holidays=closed.extra_holidays,
                                   inaccessible_days=closed.inaccessible_days)
    except (DeadlineInputError, Rule68InputError):
        refuse(session, ctx, ACTION, OBJECT, None, Invalid(
            "The service date is outside the range the deadline engine computes.",
            code="invalid_service_date"))


def serve_offer(session: Session, ctx: CaseContext, *, svc: Services,
                data: Rule68Create) -> Rule68Read:
    # The case row lock serialises service with changes to the trial date and parties.
    case = case_service.case_row(session, ctx.case_id, lock=True)
    assert case is not None
    if case.court_system != "federal":
        refuse(session, ctx, ACTION, OBJECT, None, Invalid(
            "FRCP 68 governs federal courts; this case is in a California superior court "
            "(use a section 998 offer there).", code="rule68_not_available"))
    parties = repo.parties(session, ctx.case_id)
    _check_parties(session, ctx, data, parties)
    _check_reachable(session, ctx, data, parties)
    _check_apportionment(session, ctx, data)
    zone = ZoneInfo(case.court_timezone)
    served_at, backdated = _service_time(session, ctx, svc, data, zone)
    served_on = served_at.astimezone(zone).date()
    deadline = _deadline(session, ctx, case, data, served_on)
    content: dict[str, object] = {"amount_cents": data.amount_cents,
                                  "currency": data.currency, "terms": data.terms}
    if data.offeree_amounts is not None:
        content["offeree_amounts"] = {str(a.party_id): a.amount_cents
                                      for a in data.offeree_amounts}
    offer_id = uuid.uuid4()
    offer = Rule68Offer(
        id=offer_id, case_id=ctx.case_id, offeror_party_id=data.offeror_party_id,
        claim_id=data.claim_id, costs=data.costs, service_method=data.service_method,
        content=seal_json(svc.key_provider, content, case_id=ctx.case_id,
                          object_type=RULE68_OBJECT_TYPE, object_id=offer_id),
        terms_sha256=terms_sha256({**content, "costs": data.costs,
                                   "attorney_fees": data.attorney_fees}),
        attorney_fees=data.attorney_fees, backdated=backdated,
        served_at=served_at, served_on=served_on, served_by=ctx.user_id,
        acceptance_deadline=deadline.date, acceptance_ends_at=deadline.ends_at,
        deadline_explanation=deadline.explanation, status="open", created_at=svc.now(),
    )
    repo.add(session, offer)
    offerees = [Rule68Offeree(offer_id=offer_id, party_id=p) for p in sorted(data.offerees)]
    for offeree in offerees:
        session.add(offeree)
    session.flush()
    if data.certificate is not None:
        add_certificate(session, ctx, svc, offer, None, data.service_method, served_at,
                        backdated, data.certificate)
    record(session, ctx, ACTION, OBJECT, offer_id, {
        "offer_id": offer_id, "offeree_party_ids": data.offerees, "claim_id": data.claim_id,
        "method": data.service_method, "served_at": served_at, "backdated": backdated,

        "terms_mac": content_mac(svc.key_provider, ctx.case_id, offer.terms_sha256),
    }, party_id=data.offeror_party_id)
    tell(session, ctx, svc, offer, offerees, "rule68.served",
         acting_parties=(data.offeror_party_id,))
    reminders.schedule(session, offer, case.court_timezone, svc.now())
    return full_read(session, ctx, svc, offer, offerees)
