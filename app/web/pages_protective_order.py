"""The protective order page: the order and its tiers, Exhibit A (sign, and each signed
acknowledgment as a PDF for the court), challenges of designations with their deadlines,
and clawbacks with who has certified and who is late, and the public text each party
registered for its own filing checks. The room admin records the order here as text (a PDF
order goes through the API); public text is typed or pasted here (a PDF or DOCX goes
through the API). Every action is the API's use case."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Form, Request, Response

from app.authz.permissions import Permission, Role
from app.authz.policy_documents import ORDER_DESIGNATIONS
from app.deps import CsrfAuthDep, ServicesDep, SessionDep, WebAuthDep, case_ctx
from app.documents import service as documents
from app.protective_orders import service
from app.protective_orders.schemas import (
    AcknowledgmentCreate,
    CertificationCreate,
    ChallengeCreate,
    ClawbackCreate,
    OrderFields,
    PublicTextCreate,
    TierIn,
)
from app.routing import DeferredRouter
from app.web.render import PageRoute, redirect, render
from app.web.room import context, load_room, user_names

router = DeferredRouter(route_class=PageRoute, include_in_schema=False)
CATEGORY_LABELS = {"outside_counsel": "Outside counsel of record",
                   "in_house_counsel": "In-house counsel", "parties": "The parties themselves",
                   "experts": "Experts and consultants"}
ROLE_LABELS = {"counsel": "counsel", "client": "clients", "pro_se": "pro se parties"}
TEXT = Annotated[str, Form(max_length=200_000)]
SHORT = Annotated[str, Form(max_length=200)]
CHECKS = Annotated[list[str] | None, Form()]


def _page_url(case_id: uuid.UUID) -> str:
    return f"/cases/{case_id}/protective-order"


@router.get("/cases/{case_id}/protective-order")
def order_page(case_id: uuid.UUID, request: Request, session: SessionDep, svc: ServicesDep,
               auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.ORDER_READ)
    room = load_room(session, ctx)
    status = service.room_status(session, ctx, svc)
    docs = (documents.list_documents(session, ctx, svc, offset=0, limit=200)
            if ctx.can(Permission.DOCUMENT_READ) else [])
    speaks_for = ctx.parties_as(Role.COUNSEL, Role.PRO_SE)
    public = (service.list_public_texts(session, ctx, svc)
              if ctx.can(Permission.PUBLIC_TEXT_READ) else [])
    users = {a.user_id for a in status.acknowledgments}
    users |= {r.user_id for c in status.clawbacks for r in c.recipients}
    users |= {t.added_by for t in public}
    return render(request, "protective_order.html", **context(
        room, "protective_order", po=status, names=user_names(session, users),
        challengeable=[d for d in docs if d.designation in ORDER_DESIGNATIONS
                       and d.uploader_party_id not in speaks_for],
        producible=[d for d in docs if d.uploader_party_id in speaks_for],
        filenames={d.id: d.filename for d in docs}, category_labels=CATEGORY_LABELS,
        role_labels=ROLE_LABELS, designated=ORDER_DESIGNATIONS,
        can_enter=bool(ctx.can(Permission.ORDER_ENTER)),
        can_sign=bool(ctx.can(Permission.ORDER_ACKNOWLEDGE)),
        can_challenge=bool(ctx.can(Permission.DESIGNATION_CHALLENGE)),
        can_claw_back=bool(ctx.can(Permission.CLAWBACK)), public_texts=public,
        can_add_public=bool(ctx.can(Permission.PUBLIC_TEXT_ADD)),
        speaks_for=sorted(speaks_for, key=str),
        is_room_admin=Role.ROOM_ADMIN in ctx.roles))


@router.post("/cases/{case_id}/protective-order")
def record_order(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep,
                 text: TEXT, entered_on: Annotated[str, Form(max_length=10)],
                 confidential_name: SHORT = "", confidential_audience: CHECKS = None,
                 aeo_name: SHORT = "", aeo_audience: CHECKS = None) -> Response:
    """Two tiers at most, each recorded when it is named."""
    ctx = case_ctx(session, auth, case_id, Permission.ORDER_ENTER)
    tiers = [TierIn.model_validate({"name": name.strip(), "designation": designation,
                                    "audience": audience or []})
             for name, designation, audience in (
                 (confidential_name, "CONFIDENTIAL", confidential_audience),
                 (aeo_name, "AEO", aeo_audience)) if name.strip()]
    fields = OrderFields.model_validate({"tiers": tiers, "entered_on": entered_on})
    service.enter_order(session, ctx, svc, fields=fields, text=text)
    return redirect(_page_url(case_id), "order_recorded")


@router.get("/cases/{case_id}/protective-order/content")
def order_content(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep,
                  auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.ORDER_READ)
    found = service.order_content(session, ctx, svc)
    return Response(found.content, media_type=found.media_type, headers=found.headers)


@router.post("/cases/{case_id}/protective-order/acknowledgments")
def acknowledge(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep,
                typed_name: SHORT, order_sha256: Annotated[str, Form(max_length=64)]
                ) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.ORDER_ACKNOWLEDGE)
    data = AcknowledgmentCreate(typed_name=typed_name, order_sha256=order_sha256)
    service.acknowledge(session, ctx, svc, data=data)
    return redirect(_page_url(case_id), "order_acknowledged")


@router.get("/cases/{case_id}/protective-order/acknowledgments/{acknowledgment_id}.pdf")
def acknowledgment_pdf(case_id: uuid.UUID, acknowledgment_id: uuid.UUID, session: SessionDep,
                       auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.ORDER_READ)
    pdf = service.acknowledgment_pdf(session, ctx, acknowledgment_id=acknowledgment_id)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="exhibit-a-{acknowledgment_id}.pdf"',
        "Cache-Control": "no-store"})


@router.post("/cases/{case_id}/protective-order/challenges")
def challenge(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep,
              document_id: Annotated[uuid.UUID, Form()],
              reason: Annotated[str, Form(max_length=10_000)]) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.DESIGNATION_CHALLENGE)
    service.challenge_designation(session, ctx, svc, document_id=document_id,
                                  data=ChallengeCreate(reason=reason))
    return redirect(_page_url(case_id), "challenge_made")


@router.post("/cases/{case_id}/protective-order/clawbacks")
def claw_back(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep,
              document_id: Annotated[uuid.UUID, Form()],
              basis: Annotated[str, Form(max_length=10_000)]) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.CLAWBACK)
    service.claw_back(session, ctx, svc, document_id=document_id,
                      data=ClawbackCreate(basis=basis))
    return redirect(_page_url(case_id), "clawed_back")


@router.post("/cases/{case_id}/protective-order/clawbacks/{document_id}/certify")
def certify(case_id: uuid.UUID, document_id: uuid.UUID, session: SessionDep,
            svc: ServicesDep, auth: CsrfAuthDep,
            action: Annotated[str, Form(max_length=20)]) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.CLAWBACK_CERTIFY)
    data = CertificationCreate.model_validate({"action": action})
    service.certify(session, ctx, svc, document_id=document_id, data=data)
    return redirect(_page_url(case_id), "certified")


@router.post("/cases/{case_id}/protective-order/public-texts")
def add_public_text(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep,
                    auth: CsrfAuthDep, title: SHORT, citation: SHORT,
                    text: Annotated[str, Form(max_length=2_000_000)],
                    party_id: Annotated[uuid.UUID | None, Form()] = None) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.PUBLIC_TEXT_ADD)
    data = PublicTextCreate.model_validate({"title": title, "citation": citation,
                                            "text": text, "party_id": party_id})
    service.add_public_text(session, ctx, svc, fields=data, text=data.text)
    return redirect(_page_url(case_id), "public_text_added")


@router.post("/cases/{case_id}/protective-order/public-texts/{public_text_id}/remove")
def remove_public_text(case_id: uuid.UUID, public_text_id: uuid.UUID, session: SessionDep,
                       auth: CsrfAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.PUBLIC_TEXT_REMOVE)
    service.remove_public_text(session, ctx, public_text_id=public_text_id)
    return redirect(_page_url(case_id), "public_text_removed")
