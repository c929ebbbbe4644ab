import uuid
from datetime import datetime

from pydantic import ConfigDict, Field

from app.kernel.schemas import Schema


class DocumentRead(Schema):
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
    # The folder the document is filed in (None: the room's top level) and its path.
    folder_id: uuid.UUID | None = None
    folder: str | None = None
    # The Bates range of the current version when it was produced, e.g. "SMITH000001" and
    # "SMITH000004"; every copy of that version carries these numbers on its pages.
    bates_first: str | None = None
    bates_last: str | None = None


class DocumentUpdate(Schema):
    """File a document in a folder of its party (``null``: the top level)."""

    model_config = ConfigDict(extra="forbid")

    folder_id: uuid.UUID | None


class FolderWrite(Schema):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(min_length=1, max_length=200)
    party_id: uuid.UUID | None = None  # when the caller speaks for several parties


class FolderRename(Schema):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(min_length=1, max_length=200)


class FolderRead(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    party_id: uuid.UUID
    path: str
    # Documents in it that the caller may see (never the others).
    document_count: int
    created_at: datetime


class ProductionCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    document_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)
    prefix: str = Field(min_length=1, max_length=16)
    party_id: uuid.UUID | None = None  # when the caller speaks for several parties


class ProductionEntry(Schema):
    document_id: uuid.UUID
    version: int
    version_id: uuid.UUID
    filename: str
    designation: str
    page_count: int
    bates_first: str
    bates_last: str


class ProductionRead(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    party_id: uuid.UUID
    prefix: str
    bates_first: str
    bates_last: str
    page_count: int
    created_by: uuid.UUID
    created_at: datetime
    documents: list[ProductionEntry]


class DownloadRead(Schema):
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


class ChannelsUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    channels: list[str] = Field(max_length=10)


class ChannelsRead(Schema):
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
