"""Use case: written notice of acceptance of a Rule 68 offer by an offeree (FRCP 68(a)).

Open until the end of the FRCP 6 deadline computed at service; after it the offer is
considered withdrawn (409 ``acceptance_window_closed``). A joint offer is accepted only
when every offeree has accepted. The row lock makes one acceptance per offeree.

Accepting here serves the notice of acceptance on the offeror electronically, so it needs
the offeror's written consent (FRCP 5(b)(2)(E); 409 ``no_electronic_service_consent``);
without it the offeree serves the notice by mail, by hand or through the clerk and records
it (``record_acceptance``)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.policy import Denial
from app.authz.policy_negotiation import (
    rule68_accepting_parties,
)
from app.context import CaseContext
from app.errors import Conflict
from app.kernel import idempotency
from app.kernel.terms import TermsMismatch
from app.models.rule68 import Rule68Offer, Rule68Offeree
from app.refusals import refuse
from app.rule68 import repository as repo
from app.rule68.errors import AcceptanceWindowClosed, OfferNotOpen
from app.rule68.reads import OBJECT, facts, full_read, load_visible, status_of
from app.rule68.schemas import Rule68Read
from app.rule68.service.notices import tell
from app.runtime import Services
from app.sealing import content_mac


def _check_can_accept(
    session: Session, ctx: CaseContext, svc: Services, offer: Rule68Offer,
    offerees: list[Rule68Offeree], terms_sha256: str | None,
) -> list[Rule68Offeree]:
    action = "rule68.accept"
    parties = rule68_accepting_parties(ctx.memberships, facts(offer, offerees))
    if isinstance(parties, Denial):
        refuse(session, ctx, action, OBJECT, offer.id, parties)
    status = status_of(offer, svc.now())
    if status == "withdrawn":
        refuse(session, ctx, action, OBJECT, offer.id, AcceptanceWindowClosed(
            "The 14-day acceptance window has ended; the offer is considered withdrawn."))
    if status != "open":
        refuse(session, ctx, action, OBJECT, offer.id, OfferNotOpen("The offer is not open."))
    if repo.get_consent(session, offer.case_id, offer.offeror_party_id) is None:
        refuse(session, ctx, action, OBJECT, offer.id, Conflict(
            "The offeror has not consented to electronic service (FRCP 5(b)(2)(E)): serve "
            "the notice of acceptance by mail, by hand or through the clerk, and record it.",
            code="no_electronic_service_consent"))
    if terms_sha256 is not None and terms_sha256 != offer.terms_sha256:
        refuse(session, ctx, action, OBJECT, offer.id, TermsMismatch(
            "The terms differ from the ones you saw; read the offer again."))
    pending = [o for o in offerees if o.party_id in parties and o.accepted_at is None]
    if not pending:
        refuse(session, ctx, action, OBJECT, offer.id, Conflict(
            "Your party has already accepted this offer.", code="already_accepted"))
    return pending


def accept_offer(session: Session, ctx: CaseContext, *, svc: Services, offer_id: uuid.UUID,
                 terms_sha256: str | None, idempotency_key: str | None) -> Rule68Read:
    """Written notice of acceptance by the offeree's counsel or pro se party (68(a))."""
    action = "rule68.accept"
    offer, offerees = load_visible(session, ctx, offer_id, action, lock=True)
    request_sha = idempotency.fingerprint(action, offer_id, {"terms_sha256": terms_sha256})
    stored = idempotency.replay(session, ctx, svc, key=idempotency_key,
                                request_sha256=request_sha)
    if stored is not None:
        return Rule68Read.model_validate(stored)
    pending = _check_can_accept(session, ctx, svc, offer, offerees, terms_sha256)
    now = svc.now()
    for offeree in pending:
        offeree.accepted_at, offeree.accepted_by = now, ctx.user_id
    if all(o.accepted_at is not None for o in offerees):
        offer.status, offer.accepted_at = "accepted", now
    session.flush()
    record(session, ctx, action, OBJECT, offer.id, {
        "offer_id": offer.id, "offeree_party_ids": [o.party_id for o in pending],
        "terms_mac": content_mac(svc.key_provider, ctx.case_id, offer.terms_sha256),
        "status": offer.status,
    }, party_id=pending[0].party_id)
    tell(session, ctx, svc, offer, offerees, "rule68.accepted",
         acting_parties=[o.party_id for o in pending])
    result = full_read(session, ctx, svc, offer, offerees)
    idempotency.remember(session, ctx, svc, key=idempotency_key, request_sha256=request_sha,
                         status_code=200, body=result.model_dump(mode="json"),
                         action=action, object_type=OBJECT, object_id=offer.id)
    return result
