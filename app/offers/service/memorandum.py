"""Use case: the memorandum PDF of an accepted settlement offer, marked FRE 408 on every page."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.cases import service as case_service
from app.context import CaseContext
from app.errors import Conflict
from app.kernel.money import money
from app.kernel.papers import render_pdf
from app.kernel.timefmt import rfc3339
from app.offers.reads import (
    OBJECT,
    content_of,
    load_visible,
)
from app.refusals import refuse
from app.runtime import Services

FRE_408_MARKING = "CONFIDENTIAL SETTLEMENT COMMUNICATION - FRE 408"


def memorandum(session: Session, ctx: CaseContext, *, svc: Services,
               offer_id: uuid.UUID) -> bytes:
    """The settlement memorandum of an accepted offer, marked as an FRE 408 communication."""
    action = "offer.memorandum"
    offer = load_visible(session, ctx, offer_id, action)
    if offer.status != "accepted" or offer.accepted_at is None:
        refuse(session, ctx, action, OBJECT, offer.id,
                     Conflict("The offer has not been accepted.", code="offer_not_accepted"))
    content = content_of(svc, offer)
    parties = {p: party.name if (party := case_service.party_row(session, offer.case_id, p)) else ""
               for p in (offer.from_party_id, offer.to_party_id)}
    pdf = render_pdf(title="Settlement memorandum", marking=FRE_408_MARKING, sections=[
        ("Parties", [f"Offering party: {parties[offer.from_party_id]} ({offer.from_party_id})",
                     f"Accepting party: {parties[offer.to_party_id]} ({offer.to_party_id})"]),
        ("Terms", [f"Amount: {money(content['amount_cents'], content['currency'])}",
                   *content["terms"].splitlines()]),
        ("Acceptance", [f"Accepted at {rfc3339(offer.accepted_at)} by user {offer.accepted_by}.",
                        f"Terms SHA-256: {offer.terms_sha256}",
                        f"Server Ed25519 signature (key {offer.key_id}): {offer.signature}"]),
    ])
    record(session, ctx, action, "settlement_offer", offer.id, {"offer_id": offer.id})
    return pdf
