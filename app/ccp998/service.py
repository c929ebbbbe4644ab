"""Use cases of section 998 offers to compromise (California superior court cases only).

Invariants, each refusal audited with ids and codes only:
- the case is in a California superior court (422 ``ccp998_not_available``);
- counsel or the pro se party of a party serves, on any other party of the case (998(b):
  "any party may serve an offer ... upon any other party"), 403 ``not_your_party``;
- electronic service through the room reaches a self-represented offeree only with its
  consent, which the room does not record (CCP 1010.6): such an offeree is served by mail
  or in person and the service recorded (409 ``ccp998_electronic_service_needs_consent``);
- the offer is served not less than 10 days before trial (409 ``ccp998_too_close_to_trial``);
- the acceptance window is computed once, at service, with the trial date of that moment;
- acceptance is a signed statement by the offeree's counsel or pro se party while the offer
  is open; after the window 409 ``ccp998_expired``, after revocation 409 ``ccp998_revoked``;
- the offeror may revoke until acceptance (T.M. Cobb Co. v. Superior Court (1984) 36 Cal.3d
  273); after acceptance 409 ``ccp998_accepted``, after the window 409 ``ccp998_expired``;
- transitions lock the offer row; content and the signer's name are sealed; audit events
  and notifications carry ids, methods and dates, never amounts, terms or names.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.permissions import SPEAKING_ROLES
from app.authz.policy import parties_acting_as
from app.authz.policy_negotiation import (
    may_see_rule68,
    may_withdraw_rule68,
    rule68_accepting_parties,
)
from app.cases import service as case_service
from app.ccp998 import repository as repo
from app.ccp998.reads import (
    OBJECT,
    facts,
    get_offer,
    list_offers,
    load_visible,
    read_for,
    status_of,
)
from app.ccp998.rules import (
    Ccp998InputError,
    acceptance_window,
    compare_costs,
    latest_service_date,
    too_close_to_trial,
)
from app.ccp998.schemas import (
    Ccp998Accept,
    Ccp998CostRead,
    Ccp998CostRequest,
    Ccp998Create,
    Ccp998Read,
)
from app.context import CaseContext
from app.errors import Conflict, Forbidden, Invalid
from app.kernel.terms import TermsMismatch, terms_sha256
from app.models.ccp998 import CCP998_ACCEPTANCE_OBJECT_TYPE, CCP998_OBJECT_TYPE, Ccp998Offer
from app.notifications import service as notifications
from app.refusals import refuse, refuse_unless
from app.runtime import Services
from app.sealing import content_mac, seal_json

__all__ = ["accept_offer", "cost_comparison", "get_offer", "list_offers", "revoke_offer",
           "serve_offer"]
MAX_BACKDATE = timedelta(days=30)


def _tell(session: Session, ctx: CaseContext, svc: Services, offer: Ccp998Offer, kind: str,
          acting_party: uuid.UUID) -> None:
    offer_facts = facts(offer)
    notifications.notify_case_members(
        session, ctx, kind=kind, object_type=OBJECT, object_id=offer.id,
        link=f"/cases/{offer.case_id}/ccp998",
        may_see=lambda viewer: may_see_rule68(viewer.memberships, offer_facts),
        now=svc.now(), due_at=offer.acceptance_ends_at if kind == "ccp998.served" else None,
        not_for_parties=(acting_party,))


def _served_at(session: Session, ctx: CaseContext, data: Ccp998Create, now: datetime) -> datetime:
    action = "ccp998.serve"
    if data.service_method == "electronic":
        if data.served_at is not None:
            refuse(session, ctx, action, OBJECT, None, Invalid(
                "Electronic service happens now, through the room; served_at is only for "
                "service made outside it.", code="served_at_not_allowed"))
        return now
    served_at = data.served_at or now
    if served_at > now:
        refuse(session, ctx, action, OBJECT, None, Invalid(
            "served_at is in the future.", code="served_at_in_future"))
    if served_at < now - MAX_BACKDATE:
        refuse(session, ctx, action, OBJECT, None, Invalid(
            "served_at is more than 30 days back.", code="served_at_too_old"))
    return served_at


def serve_offer(session: Session, ctx: CaseContext, *, svc: Services,
                data: Ccp998Create) -> Ccp998Read:
    action = "ccp998.serve"
    # The case row lock serialises service with changes to the trial date.
    case = case_service.case_row(session, ctx.case_id, lock=True)
    assert case is not None
    if case.court_system != "ca_superior":
        refuse(session, ctx, action, OBJECT, None, Invalid(
            "Section 998 offers are for cases in a California superior court; this case is "
            "in a federal court (use Rule 68 there).", code="ccp998_not_available"))
    parties = repo.parties(session, ctx.case_id)
    if data.offeror_party_id not in parties or data.offeree_party_id not in parties:
        refuse(session, ctx, action, OBJECT, None, Invalid(
            "A party of the offer is not a party of this case.", code="unknown_party"))
    if data.offeror_party_id == data.offeree_party_id:
        refuse(session, ctx, action, OBJECT, None, Invalid(
            "An offer is served on another party.", code="same_party"))
    if data.offeror_party_id not in parties_acting_as(ctx.memberships, SPEAKING_ROLES):
        refuse(session, ctx, action, OBJECT, None, Forbidden(
            "Only counsel or the pro se party of the offering party may serve its offer.",
            code="not_your_party"))
    if data.service_method == "electronic" and not parties[data.offeree_party_id].represented:
        refuse(session, ctx, action, OBJECT, None, Conflict(
            "A party without a lawyer is served electronically only with its consent (Code "
            "Civ. Proc. 1010.6): serve the offer by mail or in person and record it here.",
            code="ccp998_electronic_service_needs_consent"))
    now = svc.now()
    served_at = _served_at(session, ctx, data, now)
    served_on = served_at.astimezone(ZoneInfo(case.court_timezone)).date()
    if too_close_to_trial(served_on, case.trial_date):
        assert case.trial_date is not None
        refuse(session, ctx, action, OBJECT, None, Conflict(
            "A section 998 offer must be served at least 10 days before trial: the last day "
            f"was {latest_service_date(case.trial_date).isoformat()} (998(b)).",
            code="ccp998_too_close_to_trial"))
    try:
        window = acceptance_window(served_on, data.service_method, trial_date=case.trial_date)
    except Ccp998InputError:
        refuse(session, ctx, action, OBJECT, None, Invalid(
            "The service date is outside the years the California calendar computes.",
            code="invalid_service_date"))
    content = {"amount_cents": data.amount_cents, "currency": data.currency,
               "terms": data.terms}
    offer_id = uuid.uuid4()
    offer = Ccp998Offer(
        id=offer_id, case_id=ctx.case_id, offeror_party_id=data.offeror_party_id,
        offeree_party_id=data.offeree_party_id,
        content=seal_json(svc.key_provider, content, case_id=ctx.case_id,
                          object_type=CCP998_OBJECT_TYPE, object_id=offer_id),
        terms_sha256=terms_sha256(content), service_method=data.service_method,
        served_at=served_at, served_on=served_on, made_on=window.made_on,
        served_by=ctx.user_id, acceptance_deadline=window.last_day,
        acceptance_ends_at=window.ends_at, cut_by_trial=window.cut_by_trial,
        deadline_explanation=window.explanation, status="open", created_at=now)
    repo.add(session, offer)
    record(session, ctx, action, OBJECT, offer_id, {
        "offer_id": offer_id, "offeree_party_ids": [data.offeree_party_id],
        "method": data.service_method, "served_at": served_at,
        "terms_mac": content_mac(svc.key_provider, ctx.case_id, offer.terms_sha256),
    }, party_id=data.offeror_party_id)
    _tell(session, ctx, svc, offer, "ccp998.served", data.offeror_party_id)
    return read_for(session, ctx, svc, [offer])[0]


def _refuse_closed(session: Session, ctx: CaseContext, action: str, offer: Ccp998Offer,
                   status: str) -> None:
    if status == "expired":
        refuse(session, ctx, action, OBJECT, offer.id, Conflict(
            "The time to accept has ended; the offer is deemed withdrawn (998(b)(2)).",
            code="ccp998_expired"))
    if status == "revoked":
        refuse(session, ctx, action, OBJECT, offer.id, Conflict(
            "The offer was revoked before it was accepted.", code="ccp998_revoked"))
    if status == "accepted":
        refuse(session, ctx, action, OBJECT, offer.id, Conflict(
            "The offer was accepted.", code="ccp998_accepted"))


def accept_offer(session: Session, ctx: CaseContext, *, svc: Services, offer_id: uuid.UUID,
                 data: Ccp998Accept) -> Ccp998Read:
    """The offeree's signed statement that the offer is accepted (998(b))."""
    action = "ccp998.accept"
    offer = load_visible(session, ctx, offer_id, action, lock=True)
    parties = rule68_accepting_parties(ctx.memberships, facts(offer))
    refuse_unless(session, ctx, action, OBJECT, offer.id, parties
                  if not isinstance(parties, frozenset) else True)
    _refuse_closed(session, ctx, action, offer, status_of(offer, svc.now()))
    if data.terms_sha256 is not None and data.terms_sha256 != offer.terms_sha256:
        refuse(session, ctx, action, OBJECT, offer.id, TermsMismatch(
            "The terms differ from the ones you saw; read the offer again."))
    offer.status, offer.accepted_at, offer.accepted_by = "accepted", svc.now(), ctx.user_id
    offer.acceptance = seal_json(svc.key_provider, {"signed_by_name": data.signed_by_name},
                                 case_id=ctx.case_id,
                                 object_type=CCP998_ACCEPTANCE_OBJECT_TYPE, object_id=offer.id)
    session.flush()
    record(session, ctx, action, OBJECT, offer.id, {
        "offer_id": offer.id,
        "terms_mac": content_mac(svc.key_provider, ctx.case_id, offer.terms_sha256),
    }, party_id=offer.offeree_party_id)
    _tell(session, ctx, svc, offer, "ccp998.accepted", offer.offeree_party_id)
    return read_for(session, ctx, svc, [offer])[0]


def revoke_offer(session: Session, ctx: CaseContext, *, svc: Services,
                 offer_id: uuid.UUID) -> Ccp998Read:
    """The offeror takes the offer back before acceptance (T.M. Cobb Co.)."""
    action = "ccp998.revoke"
    offer = load_visible(session, ctx, offer_id, action, lock=True)
    refuse_unless(session, ctx, action, OBJECT, offer.id,
                  may_withdraw_rule68(ctx.memberships, facts(offer)))
    _refuse_closed(session, ctx, action, offer, status_of(offer, svc.now()))
    offer.status, offer.revoked_at, offer.revoked_by = "revoked", svc.now(), ctx.user_id
    session.flush()
    record(session, ctx, action, OBJECT, offer.id, {"offer_id": offer.id},
           party_id=offer.offeror_party_id)
    _tell(session, ctx, svc, offer, "ccp998.revoked", offer.offeror_party_id)
    return read_for(session, ctx, svc, [offer])[0]


def cost_comparison(session: Session, ctx: CaseContext, *, svc: Services, offer_id: uuid.UUID,
                    data: Ccp998CostRequest) -> Ccp998CostRead:
    """998(c)-(e) after a refused offer: computed for a reader of the offer; the amounts are
    in the answer only, never in the audit event."""
    action = "ccp998.cost_comparison"
    offer = load_visible(session, ctx, offer_id, action)
    status = status_of(offer, svc.now())
    if status != "expired":
        refuse(session, ctx, action, OBJECT, offer.id, Conflict(
            "Section 998(c)-(e) applies to an offer not accepted in time.",
            code="ccp998_not_refused"))
    side = repo.parties(session, ctx.case_id)[offer.offeror_party_id].side
    amount = read_for(session, ctx, svc, [offer])[0].amount_cents
    outcome = compare_costs(
        offeror_side=side, offer_amount_cents=amount, judgment_for=data.judgment_for,
        judgment_amount_cents=data.judgment_amount_cents,
        pre_offer_costs_cents=data.pre_offer_costs_cents,
        defendant_post_offer_costs_cents=data.defendant_post_offer_costs_cents)
    record(session, ctx, action, OBJECT, offer.id, {"offer_id": offer.id})
    return Ccp998CostRead(**vars(outcome))
