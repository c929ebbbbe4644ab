"""Rule 68 offers of judgment: the serving form only for parties that may serve, each
offer's acceptance deadline with a live countdown, its rule-by-rule explanation and the same
in plain words, its warnings (unapportioned joint offer, silent on fees, backdated service),
acceptance after a confirmation or recorded when served outside the room, consents to
electronic service and to other means, the filing package, with the case's PDF documents the
member may see offered as exhibits (each attached as the member's own watermarked copy)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Form, Query, Request, Response

from app.authz.permissions import Permission
from app.authz.policy_negotiation import may_serve_rule68
from app.cases import service as case_service
from app.context import CaseContext
from app.deps import CsrfAuthDep, ServicesDep, SessionDep, WebAuthDep, case_ctx
from app.documents import service as documents
from app.documents.inspection import PDF
from app.documents.schemas import DocumentRead
from app.protective_orders import service as orders
from app.routing import DeferredRouter
from app.rule68 import service as rule68_service
from app.rule68.plain import WHO_MAY_OFFER
from app.rule68.rules import defends_claims_of
from app.rule68.schemas import (
    AcceptanceRecord,
    CertificateOfService,
    CostComparisonRequest,
    Rule68Create,
    Rule68Read,
    ServiceConsentCreate,
)
from app.rule68.service.filing import COSTS_ONLY_MARKING
from app.web.forms import cents, local_time
from app.web.render import PageRoute, redirect, render
from app.web.room import Room, context, load_room

router = DeferredRouter(route_class=PageRoute, include_in_schema=False)
Text = Annotated[str, Form(max_length=20_000)]
Opt = Annotated[str, Form(max_length=200)]
Long = Annotated[str, Form(max_length=1000)]


def eligible_pairs(session: SessionDep, ctx: CaseContext,
                   room: Room) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(offeror, offeree) pairs the policy lets this member serve, asked pair by pair."""
    claims = [(c.claimant_party_id, c.defending_party_ids)
              for c in case_service.list_claims(session, ctx, offset=0, limit=200)]
    sides = {p.id: p.side for p in room.parties}
    return [(mine.id, other.id)
            for mine in room.my_parties("counsel", "pro_se")
            for other in room.other_parties(mine.id)
            if may_serve_rule68(ctx.memberships, mine.id, defends_each_offeree=defends_claims_of(
                mine.id, [other.id], claims, sides=sides)) is True]


@router.get("/cases/{case_id}/rule68")
def rule68(case_id: uuid.UUID, request: Request, session: SessionDep, svc: ServicesDep,
           auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.RULE68_READ)
    return _page(request, session, svc, ctx)


def _page(request: Request, session: SessionDep, svc: ServicesDep, ctx: CaseContext,
          **extra: object) -> Response:
    room = load_room(session, ctx)
    offers = rule68_service.list_offers(session, ctx, svc=svc, offset=0, limit=200)
    listed = rule68_service.list_consents(session, ctx)
    consents = {c.party_id for c in listed if c.kind == "electronic"}
    other_means = {c.party_id: c.means for c in listed if c.kind == "other"}
    speaks_for = {p.id for p in room.my_parties("counsel", "pro_se")}
    pairs = eligible_pairs(session, ctx, room) if ctx.can(Permission.RULE68_SERVE) else []
    return render(request, "rule68.html", **context(
        room, "rule68", offers=offers, consents=consents, other_means=other_means,
        speaks_for=speaks_for, pairs=pairs, who_may_offer=WHO_MAY_OFFER,
        exhibits=_exhibit_choices(session, svc, ctx, offers),
        now=svc.now(), hearing=rule68_service.get_hearing(session, ctx),
        costs_only=COSTS_ONLY_MARKING, **extra))


def _exhibit_choices(session: SessionDep, svc: ServicesDep, ctx: CaseContext,
                     offers: list[Rule68Read]) -> list[DocumentRead]:
    """The case's PDF documents the member may see, offered as exhibits of a filing package
    (only when one exists); the download gate still decides when the package is made."""
    if not any(o.status == "accepted" for o in offers) or not ctx.can(
            Permission.DOCUMENT_READ):
        return []
    return [d for d in documents.list_documents(session, ctx, svc, offset=0, limit=200)
            if d.media_type == PDF]


@router.post("/cases/{case_id}/rule68")
def serve_offer(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep,
                pair: Opt, amount: Opt, costs: Opt, terms: Text, currency: Opt = "USD",
                service_method: Opt = "electronic", attorney_fees: Opt = "silent",
                served_at: Opt = "", cert_by: Opt = "", cert_on: Long = "",
                cert_text: Text = "") -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.RULE68_SERVE)
    room = load_room(session, ctx)
    offeror, _, offeree = pair.partition(":")
    outside = service_method != "electronic"
    data = Rule68Create(
        offeror_party_id=offeror, offeree_party_id=offeree,  # type: ignore[arg-type]
        amount_cents=cents(amount), currency=currency.strip().upper() or "USD",
        costs=costs, terms=terms, service_method=service_method,  # type: ignore[arg-type]
        attorney_fees=attorney_fees,  # type: ignore[arg-type]
        served_at=local_time(served_at, room.tz, "served at") if outside else None,
        certificate=_certificate(cert_by, cert_on, cert_text) if outside else None,
    )
    rule68_service.serve_offer(session, ctx, svc=svc, data=data)
    return redirect(f"/cases/{case_id}/rule68", "rule68_served")


def _certificate(by: str, on: str, text: str) -> CertificateOfService | None:
    """The typed certificate of service; none when its fields are left empty."""
    if not (by.strip() or on.strip() or text.strip()):
        return None
    return CertificateOfService(served_by_name=by.strip(), served_on=on.strip(),
                                text=text.strip() or None)


@router.post("/cases/{case_id}/rule68/{offer_id}/acceptances")
def record_acceptance(case_id: uuid.UUID, offer_id: uuid.UUID, session: SessionDep,
                      svc: ServicesDep, auth: CsrfAuthDep, service_method: Opt, served_at: Opt,
                      cert_by: Opt, cert_on: Long, cert_text: Text,
                      terms_sha256: Opt = "") -> Response:
    """A notice of acceptance served by mail, by hand, with the clerk or by other consented
    means, recorded with its typed certificate of service."""
    ctx = case_ctx(session, auth, case_id, Permission.RULE68_ACCEPT)
    room = load_room(session, ctx)
    data = AcceptanceRecord(
        service_method=service_method,  # type: ignore[arg-type]
        served_at=local_time(served_at, room.tz, "served at"),  # type: ignore[arg-type]
        certificate=CertificateOfService(served_by_name=cert_by.strip(),
                                         served_on=cert_on.strip(), text=cert_text.strip()),
        terms_sha256=terms_sha256.strip() or None)
    rule68_service.record_acceptance(session, ctx, svc=svc, offer_id=offer_id, data=data)
    return redirect(f"/cases/{case_id}/rule68", "rule68_acceptance_recorded")


@router.post("/cases/{case_id}/rule68/consent")
def consent(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep,
            party_id: Opt, kind: Opt = "electronic", means: Opt = "") -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.RULE68_SERVE)
    data = ServiceConsentCreate(party_id=party_id, kind=kind,  # type: ignore[arg-type]
                                means=means.strip() or None)
    rule68_service.give_consent(session, ctx, svc=svc, data=data)
    return redirect(f"/cases/{case_id}/rule68",
                    "consent_recorded" if data.kind == "electronic" else "other_means_recorded")


@router.post("/cases/{case_id}/rule68/{offer_id}/accept")
def accept(case_id: uuid.UUID, offer_id: uuid.UUID, session: SessionDep, svc: ServicesDep,
           auth: CsrfAuthDep, terms_sha256: Opt) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.RULE68_ACCEPT)
    rule68_service.accept_offer(session, ctx, svc=svc, offer_id=offer_id,
                         terms_sha256=terms_sha256.strip() or None, idempotency_key=None)
    return redirect(f"/cases/{case_id}/rule68", "rule68_accepted")


@router.get("/cases/{case_id}/rule68/{offer_id}/filing-package")
def filing_package(case_id: uuid.UUID, offer_id: uuid.UUID, request: Request,
                   session: SessionDep, svc: ServicesDep, auth: WebAuthDep,
                   attach: Annotated[list[uuid.UUID], Query()] = []) -> Response:  # noqa: B006
    ctx = case_ctx(session, auth, case_id, Permission.RULE68_READ)
    pdf = rule68_service.filing_package(
        session, ctx, svc=svc, offer_id=offer_id, check=orders.paper_checker(session, ctx, svc),
        attach=orders.paper_attacher(session, ctx, svc,
                                     client_address=ctx.principal.client_address,
                                     user_agent=request.headers.get("user-agent")),
        document_ids=attach)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="rule68-filing-{offer_id}.pdf"'})


@router.get("/cases/{case_id}/rule68/{offer_id}/export")
def export(case_id: uuid.UUID, offer_id: uuid.UUID, session: SessionDep, svc: ServicesDep,
           auth: WebAuthDep) -> Response:
    """The offer as a PDF; unaccepted, it is marked admissible only on costs (68(b))."""
    ctx = case_ctx(session, auth, case_id, Permission.RULE68_READ)
    pdf = rule68_service.export(
        session, ctx, svc=svc, offer_id=offer_id, check=orders.paper_checker(session, ctx, svc))
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="rule68-offer-{offer_id}.pdf"'})


@router.post("/cases/{case_id}/rule68/{offer_id}/cost-comparison")
def cost_comparison(case_id: uuid.UUID, offer_id: uuid.UUID, request: Request,
                    session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep,
                    judgment_amount: Opt, pre_offer_costs: Opt,
                    judgment_for: Opt = "offeree") -> Response:
    """68(d): whether the offeree pays the costs incurred after the offer was made."""
    ctx = case_ctx(session, auth, case_id, Permission.RULE68_READ)
    data = CostComparisonRequest(
        judgment_amount_cents=cents(judgment_amount, "judgment amount"),
        pre_offer_costs_cents=cents(pre_offer_costs, "pre-offer costs"),
        judgment_for=judgment_for)  # type: ignore[arg-type]
    result = rule68_service.cost_comparison(session, ctx, svc=svc, offer_id=offer_id, data=data)
    return _page(request, session, svc, ctx, comparison=(offer_id, result))
