"""Downloading a document: a per-recipient copy and its record.

Every download is a new record with a fresh 32-byte secret code (sealed under the case
key); every watermark layer derives from that code with a keyed function, so two downloads
by the same person are told apart. The visible tag is HMAC(tag key, code), the tag key
being derived from the server HMAC secret, so the tag reveals nothing about the code. The
record names the exact version served and the channels the copy carried, and its audit
event's leaf index is kept for inclusion proofs in trace results.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth import service as auth_service
from app.authz import policy_documents as pol
from app.authz.permissions import PARTY_ROLES, Role
from app.authz.policy import parties_acting_as
from app.authz.policy_ene import evaluator_acts
from app.cases import service as case_service
from app.context import CaseContext
from app.documents import bates, storage
from app.documents import repository as repo
from app.documents.errors import WatermarkFailed
from app.documents.filenames import content_disposition
from app.documents.reads import (
    case_channels,
    display_name,
    load_visible,
    viewer,
)
from app.models.documents import (
    CODE_OBJECT_TYPE,
    DocumentDownload,
)
from app.protective_orders import gate as order_gate
from app.runtime import Services
from app.sealing import content_mac, seal_bytes
from app.watermark import LEGENDS, Issue, MarkSpec, Prepared, authentication_tag, embed

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


@dataclass(frozen=True)
class Copy:
    content: bytes
    media_type: str
    download_id: uuid.UUID
    headers: dict[str, str]
    name: str = ""  # the display name (content: shown only to this reader)


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


def download(session: Session, ctx: CaseContext, svc: Services, *, document_id: uuid.UUID,
             client_address: str | None, user_agent: str | None) -> Copy:
    # A share lock: a concurrent deletion (which needs no copy to exist) waits for this
    # copy's record, or has committed and this answers 404 (see service/delete.py).
    loaded = load_visible(session, ctx, document_id, "document.download", lock="share")
    order_gate.refuse_unless_open(session, ctx, "document.download", document_id, loaded.facts)
    doc = loaded.doc
    row = repo.version_of(session, doc.id, doc.current_version)
    original = storage.open_prepared(svc.originals, svc.key_provider, svc.blob_store, row)
    party_id, role, party_name = _recipient(session, ctx, loaded.facts)
    user = auth_service.user_row(session, ctx.user_id)
    code = secrets.token_bytes(32)
    tag = authentication_tag(tag_key(svc), code)
    channels = case_channels(session, ctx.case_id)
    legend = LEGENDS[1] if doc.designation == "ENE" else LEGENDS[0]
    mark = MarkSpec(code, user.name if user else "Recipient", party_name, doc.designation,
                    legend, tag, channels=frozenset(channels),
                    bates=stamped_numbers(session, row.id))
    content = _marked_copy(svc, row.id, original, row.media_type, mark)
    download_id = uuid.uuid4()
    rec = DocumentDownload(
        id=download_id, case_id=ctx.case_id, document_id=doc.id, version_id=row.id,
        user_id=ctx.user_id, party_id=party_id, role=role, downloaded_at=svc.now(),
        client_address=(client_address or "")[:64] or None,
        user_agent=(user_agent or "")[:MAX_USER_AGENT] or None,
        code_sealed=seal_bytes(svc.key_provider, case_id=ctx.case_id,
                               object_type=CODE_OBJECT_TYPE, object_id=download_id,
                               plaintext=code),
        tag=tag, channels=sorted(channels),
    )
    repo.add(session, rec)
    record(session, ctx, "document.download", "document_download", download_id, {
        "document_id": doc.id, "download_id": download_id, "version": row.version,
        "media_type": row.media_type, "layers": sorted(channels),
        "content_mac": content_mac(svc.key_provider, ctx.case_id, row.sha256),
        "designation": doc.designation,
    }, party_id=party_id)
    session.flush()
    name = display_name(svc, row)
    headers = {
        "Content-Disposition": content_disposition(name),
        "X-Download-Id": str(download_id), "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store", "Pragma": "no-cache",
    }
    media = row.media_type + ("; charset=utf-8" if row.media_type.startswith("text/") else "")
    return Copy(content, media, download_id, headers, name)
