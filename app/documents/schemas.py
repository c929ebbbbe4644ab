from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class DocumentRead(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    filename: str
    media_type: str
    size: int
    sha256: str
    designation: str
    audience: str  # "all" or comma-separated party ids, as uploaded
    audience_party_ids: list[uuid.UUID]
    uploader_party_id: uuid.UUID
    ene_session_id: uuid.UUID | None
    version: int
    version_id: uuid.UUID
    created_at: datetime


class DownloadRead(BaseModel):
    id: uuid.UUID
    document_id: uuid.UUID
    version: int
    version_id: uuid.UUID
    user_id: uuid.UUID
    party_id: uuid.UUID | None
    role: str
    downloaded_at: datetime
    client_address: str | None
    user_agent: str | None
    channels: list[str]
    # The download's audit event; None while the event waits to be sequenced (then
    # ``audit_pending`` is true, for at most about a second).
    audit_leaf_index: int | None
    audit_pending: bool = False


class ChannelsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channels: list[str] = Field(max_length=10)


class ChannelsRead(BaseModel):
    case_id: uuid.UUID
    channels: list[str]
    available: list[str]


UPLOAD_FIELDS = {
    "file": {"type": "string", "format": "binary"},
    "designation": {"type": "string", "enum": ["CONFIDENTIAL", "AEO", "ENE"]},
    "audience": {"type": "string", "description": '"all" or comma-separated party ids'},
    "ene_session_id": {"type": "string", "format": "uuid"},
    "party_id": {"type": "string", "format": "uuid",
                 "description": "the uploading party, when the caller acts for several"},
}


def multipart_body(required: list[str], fields: dict[str, dict]) -> dict:
    """OpenAPI for a route that reads its multipart body itself (streamed to disk)."""
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": required, "properties": fields}}}}}
