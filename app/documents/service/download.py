"""Downloading a document: a per-recipient copy and its record.

Every download is a new record with a fresh 32-byte secret code (sealed under the case
key); every watermark layer derives from that code with a keyed function, so two downloads
by the same person are told apart. The visible tag is HMAC(tag key, code), the tag key
being derived from the server HMAC secret, so the tag reveals nothing about the code. The
record names the exact version served and the channels the copy carried, and its audit
event's leaf index is kept for inclusion proofs in trace results.

Memory. A PDF larger than SETTLEROOM_PDF_SPOOL_ABOVE_BYTES is never held whole in memory: it
is decrypted segment by segment into a private spool file (``storage.plaintext_file``),
marked from that file into another (``embed_into``), and the copy is that second file, which
the response streams and closes; both files have no name, so closing them, or the end of the
process however it ends, deletes them. Smaller documents are marked in memory from the
originals cache, as the splice template makes that fast.

Order, for every copy: the copy is made, then its record and audit event are written, and
the request's commit precedes the first byte sent. A spooled copy is made between two
transactions (``between_transactions``): the document is read, and its plaintext decrypted,
under the share lock (a deletion waits, so the blob is still there); the marking then holds
no lock and no snapshot; the record's transaction loads the document again, with its share
lock, and refuses as any download would if it was deleted, hidden or gated meanwhile (the
copy is then discarded unsent).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import uuid
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth import service as auth_service
from app.authz import policy_documents as pol
from app.authz.permissions import PARTY_ROLES, Role
from app.authz.policy import parties_acting_as
from app.authz.policy_ene import evaluator_acts
from app.blobs import BlobStoreUnavailable
from app.cases import service as case_service
from app.context import CaseContext
from app.db import between_transactions
from app.documents import bates, storage
from app.documents import repository as repo
from app.documents.errors import WatermarkFailed
from app.documents.filenames import content_disposition
from app.documents.inspection import PDF
from app.documents.reads import (
    Loaded,
    case_channels,
    display_name,
    load_visible,
    viewer,
)
from app.errors import Invalid
from app.models.documents import (
    CODE_OBJECT_TYPE,
    Document,
    DocumentDownload,
    DocumentVersion,
)
from app.protective_orders import gate as order_gate
from app.refusals import refuse
from app.runtime import Services
from app.sealing import content_mac, seal_bytes
from app.watermark import (
    LEGENDS,
    Issue,
    MarkSpec,
    Prepared,
    authentication_tag,
    embed,
    embed_into,
)

MAX_USER_AGENT = 300


def stamped_numbers(session: Session, version_id: uuid.UUID) -> tuple[str, ...]:
    """The Bates number of each page when the version was produced, else none."""
    produced = repo.production_of_version(session, version_id)
    if produced is None:
        return ()
    item, prod = produced
    return bates.labels(prod.prefix, item.first_number, item.page_count)


def tag_key(svc: Services) -> bytes:
    return hmac.new(svc.hmac_key, b"settleroom/watermark-tag-key/v1", hashlib.sha256).digest()


ACTION = "document.download"


@dataclass(frozen=True)
class Copy:
    """A marked copy: bytes, or an open spool file (a large PDF) read from its start. Its
    holder closes it (``close``) or hands it to a response that does."""

    body: bytes | BinaryIO
    size: int
    media_type: str
    download_id: uuid.UUID
    headers: dict[str, str]
    name: str = ""  # the display name (content: shown only to this reader)

    def close(self) -> None:
        if not isinstance(self.body, bytes):
            self.body.close()


@dataclass(frozen=True)
class _Plan:
    """What one download serves and how it is marked, read in its first transaction."""

    doc: Document
    row: DocumentVersion
    party_id: uuid.UUID | None
    role: str
    code: bytes
    mark: MarkSpec


def _recipient(session: Session, ctx: CaseContext, facts: pol.DocumentFacts
               ) -> tuple[uuid.UUID | None, str, str]:
    """(party id, role, party label) through which the caller receives the document."""
    mine = parties_acting_as(ctx.memberships, PARTY_ROLES)
    reached = mine if facts.audience_all else mine & (facts.audience | {facts.uploader_party_id})
    if facts.ene is not None:
        reached &= facts.ene.party_ids
    if reached:
        party_id = sorted(reached, key=str)[0]
        role = next(m.role for m in sorted(ctx.memberships, key=lambda m: m.role.value)
                    if m.party_id == party_id)
        party = case_service.party_row(session, ctx.case_id, party_id)
        return party_id, role.value, party.name if party else "Party"
    if facts.ene is not None and evaluator_acts(viewer(ctx), facts.ene):
        return None, Role.NEUTRAL.value, "Evaluator"
    raise AssertionError("visible document without a recipient role")


def _marked_copy(svc: Services, version_id: uuid.UUID, original: Prepared, media_type: str,
                 mark: MarkSpec) -> bytes:
    """The marked copy; a fallback taken on the way, or a failure, is counted and logged."""

    def heard(issue: Issue) -> None:
        svc.originals.report(issue, version_id=version_id)

    try:
        return embed(original, media_type, mark, on_issue=heard)
    except Exception as e:  # noqa: BLE001 - no unmarked copy ever leaves; reported below
        heard(Issue.of("embed", e))
        raise WatermarkFailed("The watermarked copy could not be produced.") from None


def _plan(session: Session, ctx: CaseContext, svc: Services, loaded: Loaded) -> _Plan:
    doc = loaded.doc
    row = repo.version_of(session, doc.id, doc.current_version)
    party_id, role, party_name = _recipient(session, ctx, loaded.facts)
    user = auth_service.user_row(session, ctx.user_id)
    code = secrets.token_bytes(32)
    tag = authentication_tag(tag_key(svc), code)
    channels = case_channels(session, ctx.case_id)
    legend = LEGENDS[1] if doc.designation == "ENE" else LEGENDS[0]
    mark = MarkSpec(code, user.name if user else "Recipient", party_name, doc.designation,
                    legend, tag, channels=frozenset(channels),
                    bates=stamped_numbers(session, row.id),
                    position=case_service.legend_position(session, ctx.case_id),
                    order_legend=order_gate.page_legend(session, ctx.case_id, doc.designation))
    return _Plan(doc, row, party_id, role, code, mark)


def _load(session: Session, ctx: CaseContext, document_id: uuid.UUID) -> Loaded:
    # A share lock: a concurrent deletion (which needs no copy to exist) waits for this
    # copy's record, or has committed and this answers 404 (see service/delete.py).
    loaded = load_visible(session, ctx, document_id, ACTION, lock="share")
    order_gate.refuse_unless_open(session, ctx, ACTION, document_id, loaded.facts)
    return loaded


def spooled(svc: Services, row: DocumentVersion) -> bool:
    """Whether a copy of this version is made file to file (see the module docstring)."""
    return (row.media_type == "application/pdf"
            and row.size > svc.settings.pdf_spool_above_bytes)


def _spooled_copy(svc: Services, plan: _Plan, original: BinaryIO) -> BinaryIO:
    """The marked copy in a new spool file, rewound; a failure is reported as in memory."""
    out = storage.spool_file(svc.blob_store, plan.row.case_id)
    try:
        try:
            embed_into(Prepared.of_file(original, plan.row.media_type), plan.row.media_type,
                       plan.mark, out)
        except OSError:  # writing the copy: a full or failing spool disk
            raise BlobStoreUnavailable() from None
        except Exception as e:  # noqa: BLE001 - no unmarked copy ever leaves; reported below
            svc.originals.report(Issue.of("embed", e), version_id=plan.row.id)
            raise WatermarkFailed("The watermarked copy could not be produced.") from None
        out.seek(0)
        return out
    except BaseException:
        out.close()
        raise


def _record(session: Session, ctx: CaseContext, svc: Services, plan: _Plan, *,
            client_address: str | None, user_agent: str | None) -> uuid.UUID:
    row, channels = plan.row, sorted(plan.mark.channels)
    download_id = uuid.uuid4()
    rec = DocumentDownload(
        id=download_id, case_id=ctx.case_id, document_id=plan.doc.id, version_id=row.id,
        user_id=ctx.user_id, party_id=plan.party_id, role=plan.role,
        downloaded_at=svc.now(), client_address=(client_address or "")[:64] or None,
        user_agent=(user_agent or "")[:MAX_USER_AGENT] or None,
        code_sealed=seal_bytes(svc.key_provider, case_id=ctx.case_id,
                               object_type=CODE_OBJECT_TYPE, object_id=download_id,
                               plaintext=plan.code),
        tag=plan.mark.tag, channels=channels, mark_scheme=plan.mark.scheme,
    )
    repo.add(session, rec)
    record(session, ctx, ACTION, "document_download", download_id, {
        "document_id": plan.doc.id, "download_id": download_id, "version": row.version,
        "media_type": row.media_type, "layers": channels,
        "content_mac": content_mac(svc.key_provider, ctx.case_id, row.sha256),
        "designation": plan.doc.designation,
    }, party_id=plan.party_id)
    session.flush()
    return download_id


def _spooled_download(session: Session, ctx: CaseContext, svc: Services, plan: _Plan, *,
                      client_address: str | None, user_agent: str | None
                      ) -> tuple[BinaryIO, uuid.UUID]:
    """The copy made between the document's read and its record (the module docstring)."""
    with storage.plaintext_file(svc.key_provider, svc.blob_store, plan.row) as original:
        between_transactions(session)
        body = _spooled_copy(svc, plan, original)
    document_id = plan.doc.id
    try:
        session.expire_all()  # what changed while the copy was made is read afresh
        _load(session, ctx, document_id)
        download_id = _record(session, ctx, svc, plan, client_address=client_address,
                              user_agent=user_agent)
    except BaseException:
        body.close()
        raise
    return body, download_id


def _refuse_unless_exhibit(session: Session, ctx: CaseContext, svc: Services,
                           plan: _Plan) -> None:
    """An exhibit of a paper is a PDF marked in memory (the paper is assembled in memory,
    and a spooled copy would end a transaction the paper has already written in)."""
    if plan.row.media_type != PDF:
        refuse(session, ctx, ACTION, "document", plan.doc.id, Invalid(
            "Only PDF documents can be attached to a paper.", code="attachment_not_pdf"))
    if spooled(svc, plan.row):
        refuse(session, ctx, ACTION, "document", plan.doc.id, Invalid(
            "The document is too large to be attached to a paper; file it separately.",
            code="attachment_too_large"))


def download(session: Session, ctx: CaseContext, svc: Services, *, document_id: uuid.UUID,
             client_address: str | None, user_agent: str | None,
             exhibit: bool = False) -> Copy:
    """The caller's marked copy, recorded. A spooled copy (see the module docstring) ends
    the request's transaction once its document is read: the session must not have
    written anything before (a page commits its sign-in first, ``app.deps``).

    ``exhibit``: the copy is attached to a paper of the room; after the same gate as any
    download, a document that is no PDF (422 ``attachment_not_pdf``) or too large to mark
    in memory (422 ``attachment_too_large``) is refused before any copy is made."""
    plan = _plan(session, ctx, svc, _load(session, ctx, document_id))
    if exhibit:
        _refuse_unless_exhibit(session, ctx, svc, plan)
    row = plan.row
    body: bytes | BinaryIO
    if spooled(svc, row):
        body, download_id = _spooled_download(session, ctx, svc, plan,
                                              client_address=client_address,
                                              user_agent=user_agent)
        size = os.fstat(body.fileno()).st_size
    else:
        original = storage.open_prepared(svc.originals, svc.key_provider, svc.blob_store, row)
        body = _marked_copy(svc, row.id, original, row.media_type, plan.mark)
        size = len(body)
        download_id = _record(session, ctx, svc, plan, client_address=client_address,
                              user_agent=user_agent)
    name = display_name(svc, row)
    headers = {
        "Content-Disposition": content_disposition(name),
        "X-Download-Id": str(download_id), "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store", "Pragma": "no-cache",
    }
    media = row.media_type + ("; charset=utf-8" if row.media_type.startswith("text/") else "")
    return Copy(body, size, media, download_id, headers, name)
