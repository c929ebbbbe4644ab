"""Use case: record a notice of acceptance served outside the room (FRCP 68(a), 5(b)(2)).

An offeree's counsel or pro se party who served the written notice by mail, by hand, by
leaving it with the clerk or by other means the offeror consented to in writing records it
here with its certificate of service. Service by mail is complete on mailing (5(b)(2)(C)),
so a notice mailed on the last day is timely even though it is recorded days later: the
test is the time of service against the end of the acceptance window, never the time of
recording. Refusals: the time is in the future, before the offer was served or too far
back (422); it is after the window (409 ``acceptance_window_closed``); other means without
the offeror's consent on record (409 ``no_other_means_consent``); the terms differ
(409 ``terms_mismatch``). The offer row is locked: one acceptance per offeree.
"""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.policy import Denial
from app.authz.policy_negotiation import rule68_accepting_parties
from app.cases import service as case_service
from app.context import CaseContext
from app.errors import Conflict, Invalid
from app.kernel.terms import TermsMismatch
from app.models.rule68 import Rule68Offer, Rule68Offeree
from app.refusals import refuse
from app.rule68 import repository as repo
from app.rule68.errors import AcceptanceWindowClosed, OfferNotOpen
from app.rule68.practice import is_backdated
from app.rule68.reads import OBJECT, facts, full_read, load_visible
from app.rule68.schemas import AcceptanceRecord, Rule68Read
from app.rule68.service.certificates import add_certificate, check_outside_time
from app.rule68.service.notices import tell
from app.runtime import Services
from app.sealing import content_mac

ACTION = "rule68.record_acceptance"


def _offeree(session: Session, ctx: CaseContext, offer: Rule68Offer,
             offerees: list[Rule68Offeree], data: AcceptanceRecord) -> Rule68Offeree:
    parties = rule68_accepting_parties(ctx.memberships, facts(offer, offerees))
    if isinstance(parties, Denial):
        refuse(session, ctx, ACTION, OBJECT, offer.id, parties)
    mine = [o for o in offerees if o.party_id in parties
            and (data.party_id is None or o.party_id == data.party_id)]
    if len(mine) != 1:
        refuse(session, ctx, ACTION, OBJECT, offer.id, Invalid(
            "Name the offeree (party_id) whose acceptance is recorded.",
            code="offeree_required"))
    if mine[0].accepted_at is not None:
        refuse(session, ctx, ACTION, OBJECT, offer.id, Conflict(
            "Your party has already accepted this offer.", code="already_accepted"))
    return mine[0]


def _check_service(session: Session, ctx: CaseContext, svc: Services, offer: Rule68Offer,
                   data: AcceptanceRecord, zone: ZoneInfo) -> None:
    if offer.status == "accepted":
        refuse(session, ctx, ACTION, OBJECT, offer.id, OfferNotOpen("The offer is not open."))
    check_outside_time(session, ctx, ACTION, offer.id, data.served_at, svc.now(), zone)
    if data.served_at < offer.served_at:
        refuse(session, ctx, ACTION, OBJECT, offer.id, Invalid(
            "An acceptance cannot be served before the offer.", code="served_at_before_offer"))
    if data.served_at >= offer.acceptance_ends_at:
        refuse(session, ctx, ACTION, OBJECT, offer.id, AcceptanceWindowClosed(
            "The notice was served after the 14-day acceptance window ended."))
    if data.service_method == "other" and repo.get_other_consent(
            session, offer.case_id, offer.offeror_party_id) is None:
        refuse(session, ctx, ACTION, OBJECT, offer.id, Conflict(
            "Service by other means needs the offeror's written consent to those means "
            "(FRCP 5(b)(2)(F)).", code="no_other_means_consent"))
    if data.terms_sha256 is not None and data.terms_sha256 != offer.terms_sha256:
        refuse(session, ctx, ACTION, OBJECT, offer.id, TermsMismatch(
            "The terms differ from the ones you saw; read the offer again."))


def record_acceptance(session: Session, ctx: CaseContext, *, svc: Services,
                      offer_id: uuid.UUID, data: AcceptanceRecord) -> Rule68Read:
    offer, offerees = load_visible(session, ctx, offer_id, ACTION, lock=True)
    offeree = _offeree(session, ctx, offer, offerees, data)
    case = case_service.case_row(session, offer.case_id)
    assert case is not None
    zone = ZoneInfo(case.court_timezone)
    _check_service(session, ctx, svc, offer, data, zone)
    now = svc.now()
    backdated = is_backdated(data.served_at.astimezone(zone).date(), now.astimezone(zone).date())
    offeree.accepted_at, offeree.accepted_by = data.served_at, ctx.user_id
    offeree.acceptance_method, offeree.acceptance_recorded_at = data.service_method, now
    offeree.acceptance_backdated = backdated
    if all(o.accepted_at is not None for o in offerees):
        offer.status = "accepted"
        offer.accepted_at = max(o.accepted_at for o in offerees if o.accepted_at is not None)
    session.flush()
    add_certificate(session, ctx, svc, offer, offeree.party_id, data.service_method,
                    data.served_at, backdated, data.certificate)
    record(session, ctx, ACTION, OBJECT, offer.id, {
        "offer_id": offer.id, "offeree_party_ids": [offeree.party_id],
        "method": data.service_method, "served_at": data.served_at, "backdated": backdated,
        "terms_mac": content_mac(svc.key_provider, ctx.case_id, offer.terms_sha256),
        "status": offer.status,
    }, party_id=offeree.party_id)
    tell(session, ctx, svc, offer, offerees, "rule68.accepted",
         acting_parties=[offeree.party_id])
    return full_read(session, ctx, svc, offer, offerees)
