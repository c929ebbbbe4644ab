"""Protective-order routes. The order's body is JSON ``{text, tiers, entered_on, ...}`` or
multipart (``file`` a PDF, ``tiers`` a JSON list, the other fields as text), read only
after the guard has let the caller in."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Request, Response
from pydantic import BaseModel, ValidationError

from app.authz.permissions import Permission
from app.context import CaseContext
from app.deps import ServicesDep, SessionDep, api_router, case_guard
from app.documents.multipart import FilePart, Form, read_form
from app.errors import Invalid, UnsupportedMediaType
from app.protective_orders import service
from app.protective_orders.drafts import DraftText, RawDraft, read_raw
from app.protective_orders.schemas import (
    AcknowledgmentCreate,
    AcknowledgmentRead,
    CertificationCreate,
    ChallengeCreate,
    ChallengeRead,
    ClawbackCreate,
    ClawbackRead,
    FilingCheckRead,
    ImpasseRecord,
    MotionRecord,
    OrderFields,
    OrderRead,
    OrderText,
    PublicTextCreate,
    PublicTextFields,
    PublicTextRead,
)
from app.runtime import Services, get_services

router = api_router("/cases/{case_id}", tags=["protective orders"])
Reader = Annotated[CaseContext, Depends(case_guard(Permission.ORDER_READ))]
Enterer = Annotated[CaseContext, Depends(case_guard(Permission.ORDER_ENTER))]
Signer = Annotated[CaseContext, Depends(case_guard(Permission.ORDER_ACKNOWLEDGE))]
Challenger = Annotated[CaseContext, Depends(case_guard(Permission.DESIGNATION_CHALLENGE))]
Producer = Annotated[CaseContext, Depends(case_guard(Permission.CLAWBACK))]
Certifier = Annotated[CaseContext, Depends(case_guard(Permission.CLAWBACK_CERTIFY))]
Filer = Annotated[CaseContext, Depends(case_guard(Permission.FILING_CHECK))]
PublicReader = Annotated[CaseContext, Depends(case_guard(Permission.PUBLIC_TEXT_READ))]
PublicAdder = Annotated[CaseContext, Depends(case_guard(Permission.PUBLIC_TEXT_ADD))]
PublicRemover = Annotated[CaseContext, Depends(case_guard(Permission.PUBLIC_TEXT_REMOVE))]


DAY_FIELDS = {"meet_confer_days", "motion_days", "motion_days_after_impasse", "clawback_days"}


@dataclass
class OrderBody:
    fields: OrderFields
    text: str | None = None
    part: FilePart | None = None


def _invalid(exc: ValidationError | ValueError) -> Invalid:
    if isinstance(exc, ValidationError) and exc.errors():
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        return Invalid(f"{where}: {first['msg']}", code="validation_error")
    return Invalid("The body is not valid JSON.", code="validation_error")


def _form_fields(form: Form) -> OrderBody:
    files = form.files_named("file")
    if len(files) != 1 or len(form.files) != 1:
        raise Invalid("Send exactly one file part named file.", code="file_required")
    raw: dict[str, Any] = {k: v for k, v in form.fields.items() if v.strip()}
    try:
        raw["tiers"] = json.loads(raw.get("tiers", "null"))
        for name in DAY_FIELDS & raw.keys():  # form fields are text; the periods are numbers
            raw[name] = int(raw[name]) if raw[name].strip().isdigit() else raw[name]
        return OrderBody(fields=OrderFields.model_validate(raw), part=files[0])
    except (ValidationError, ValueError) as exc:
        raise _invalid(exc) from None


M = TypeVar("M", bound=BaseModel)


@asynccontextmanager
async def _json_or_form(request: Request, case_id: uuid.UUID, svc: Services, model: type[M],
                        hint: str) -> AsyncIterator[M | Form]:
    """The body of a route that takes JSON or a multipart file: the JSON validated as
    ``model``, or the form with its file parts spooled in the case's spool folder, removed
    however the request ends. Anything else is 415 with ``hint``."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        try:
            data = model.model_validate_json(await request.body())
        except (ValidationError, ValueError) as exc:
            raise _invalid(exc) from None
        yield data
        return
    if ctype != "multipart/form-data":
        raise UnsupportedMediaType(hint)
    form = await read_form(request, svc.blob_store.spool_dir(case_id),
                           max_file_bytes=svc.settings.max_upload_bytes)
    try:
        yield form
    finally:
        form.cleanup()


async def order_body(request: Request, case_id: Annotated[uuid.UUID, Path()],
                     svc: Annotated[Services, Depends(get_services)],
                     ) -> AsyncIterator[OrderBody]:
    async with _json_or_form(request, case_id, svc, OrderText,
                             "Send JSON {text, tiers, entered_on} or a multipart PDF.") as got:
        yield (_form_fields(got) if isinstance(got, Form)
               else OrderBody(fields=got, text=got.text))


_ORDER_SCHEMA = OrderText.model_json_schema()
_ORDER_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": _ORDER_SCHEMA},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file", "tiers",
                                                                      "entered_on"],
        "properties": {"file": {"type": "string", "format": "binary"},
                       "tiers": {"type": "string", "description": "a JSON list of tiers"},
                       "entered_on": {"type": "string", "format": "date"},
                       "meet_confer_days": {"type": "integer"},
                       "motion_days": {"type": "integer"},
                       "motion_days_after_impasse": {"type": "integer"},
                       "clawback_days": {"type": "integer"}}}}}}}


@router.put("/protective-order", openapi_extra=_ORDER_BODY)
def enter_order(session: SessionDep, ctx: Enterer, svc: ServicesDep,
                body: Annotated[OrderBody, Depends(order_body, scope="function")]) -> OrderRead:
    return service.enter_order(session, ctx, svc, fields=body.fields, text=body.text,
                               part=body.part)


@router.get("/protective-order")
def get_order(session: SessionDep, ctx: Reader) -> OrderRead:
    return service.get_order(session, ctx)


@router.get("/protective-order/content", response_class=Response,
            responses={200: {"content": {"application/pdf": {}, "text/plain": {}}}})
def order_content(session: SessionDep, ctx: Reader, svc: ServicesDep) -> Response:
    found = service.order_content(session, ctx, svc)
    return Response(found.content, media_type=found.media_type, headers=found.headers)


@router.post("/protective-order/acknowledgments", status_code=201)
def acknowledge(data: AcknowledgmentCreate, session: SessionDep, ctx: Signer,
                svc: ServicesDep) -> AcknowledgmentRead:
    return service.acknowledge(session, ctx, svc, data=data)


@router.get("/protective-order/acknowledgments")
def list_acknowledgments(session: SessionDep, ctx: Reader) -> list[AcknowledgmentRead]:
    return service.list_acknowledgments(session, ctx)


@router.get("/protective-order/acknowledgments/{acknowledgment_id}.pdf",
            response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
def acknowledgment_pdf(acknowledgment_id: uuid.UUID, session: SessionDep,
                       ctx: Reader) -> Response:
    pdf = service.acknowledgment_pdf(session, ctx, acknowledgment_id=acknowledgment_id)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="exhibit-a-{acknowledgment_id}.pdf"',
        "Cache-Control": "no-store"})


@router.post("/documents/{doc_id}/challenges", status_code=201)
def challenge(doc_id: uuid.UUID, data: ChallengeCreate, session: SessionDep, ctx: Challenger,
              svc: ServicesDep) -> ChallengeRead:
    return service.challenge_designation(session, ctx, svc, document_id=doc_id, data=data)


@router.get("/documents/{doc_id}/challenges")
def list_challenges(doc_id: uuid.UUID, session: SessionDep, ctx: Reader,
                    svc: ServicesDep) -> list[ChallengeRead]:
    return service.list_challenges(session, ctx, svc, document_id=doc_id)


@router.post("/documents/{doc_id}/challenges/{challenge_id}/impasse")
def record_impasse(doc_id: uuid.UUID, challenge_id: uuid.UUID, data: ImpasseRecord,
                   session: SessionDep, ctx: Challenger, svc: ServicesDep) -> ChallengeRead:
    return service.record_impasse(session, ctx, svc, document_id=doc_id,
                                  challenge_id=challenge_id, data=data)


@router.post("/documents/{doc_id}/challenges/{challenge_id}/motion")
def record_motion(doc_id: uuid.UUID, challenge_id: uuid.UUID, data: MotionRecord,
                  session: SessionDep, ctx: Challenger, svc: ServicesDep) -> ChallengeRead:
    return service.record_motion(session, ctx, svc, document_id=doc_id,
                                 challenge_id=challenge_id, data=data)


@router.post("/documents/{doc_id}/clawback", status_code=201)
def claw_back(doc_id: uuid.UUID, data: ClawbackCreate, session: SessionDep, ctx: Producer,
              svc: ServicesDep) -> ClawbackRead:
    return service.claw_back(session, ctx, svc, document_id=doc_id, data=data)


@router.get("/documents/{doc_id}/clawback")
def get_clawback(doc_id: uuid.UUID, session: SessionDep, ctx: Reader,
                 svc: ServicesDep) -> ClawbackRead:
    return service.get_clawback(session, ctx, svc, document_id=doc_id)


@router.post("/documents/{doc_id}/clawback/certifications", status_code=201)
def certify(doc_id: uuid.UUID, data: CertificationCreate, session: SessionDep,
            ctx: Certifier, svc: ServicesDep) -> ClawbackRead:
    return service.certify(session, ctx, svc, document_id=doc_id, data=data)


async def raw_draft(request: Request, case_id: Annotated[uuid.UUID, Path()],
                    svc: Annotated[Services, Depends(get_services)],
                    ) -> AsyncIterator[RawDraft]:
    raw = await read_raw(request, svc.blob_store.spool_dir(case_id),
                         svc.settings.max_upload_bytes)
    try:
        yield raw
    finally:
        raw.cleanup()


_DRAFT_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": DraftText.model_json_schema()},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "array", "items": {"type": "string", "format": "binary"},
                 "description": "one PDF, DOCX or text file, or one or more page images"}}}},
}}}


@router.post("/filing-checks", openapi_extra=_DRAFT_BODY)
def check_filing(session: SessionDep, ctx: Filer, svc: ServicesDep,
                 raw: Annotated[RawDraft, Depends(raw_draft, scope="function")]
                 ) -> FilingCheckRead:
    return service.check_filing(session, ctx, svc, raw=raw)


@dataclass
class PublicTextBody:
    fields: PublicTextFields
    text: str | None = None
    form: Form | None = None


def _public_fields(form: Form) -> PublicTextFields:
    raw = {k: v for k, v in form.fields.items() if v.strip()}
    try:
        return PublicTextFields.model_validate(raw)
    except ValidationError as exc:
        raise _invalid(exc) from None


async def public_text_body(request: Request, case_id: Annotated[uuid.UUID, Path()],
                           svc: Annotated[Services, Depends(get_services)],
                           ) -> AsyncIterator[PublicTextBody]:
    """JSON ``{title, citation, text}``, or multipart ``file`` (PDF, DOCX, text) with the
    ``title`` and ``citation`` fields; read only after the guard let the caller in."""
    async with _json_or_form(request, case_id, svc, PublicTextCreate,
                             "Send JSON {title, citation, text} or a multipart file.") as got:
        yield (PublicTextBody(fields=_public_fields(got), form=got) if isinstance(got, Form)
               else PublicTextBody(fields=got, text=got.text))


_PUBLIC_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": PublicTextCreate.model_json_schema()},
    "multipart/form-data": {"schema": {"type": "object",
                                       "required": ["file", "title", "citation"],
        "properties": {"file": {"type": "string", "format": "binary",
                                "description": "one PDF, DOCX or UTF-8 text file"},
                       "title": {"type": "string"}, "citation": {"type": "string"},
                       "party_id": {"type": "string", "format": "uuid"}}}}}}}


@router.post("/public-texts", status_code=201, openapi_extra=_PUBLIC_BODY)
def add_public_text(session: SessionDep, ctx: PublicAdder, svc: ServicesDep,
                    body: Annotated[PublicTextBody, Depends(public_text_body, scope="function")]
                    ) -> PublicTextRead:
    return service.add_public_text(session, ctx, svc, fields=body.fields, text=body.text,
                                   form=body.form)


@router.get("/public-texts")
def list_public_texts(session: SessionDep, ctx: PublicReader,
                      svc: ServicesDep) -> list[PublicTextRead]:
    return service.list_public_texts(session, ctx, svc)


@router.delete("/public-texts/{public_text_id}", status_code=204, response_class=Response)
def remove_public_text(public_text_id: uuid.UUID, session: SessionDep,
                       ctx: PublicRemover) -> Response:
    service.remove_public_text(session, ctx, public_text_id=public_text_id)
    return Response(status_code=204)
