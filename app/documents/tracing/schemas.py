from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.audit.schemas import TreeHeadRead


class TraceText(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=1_000_000)


class AuditProof(BaseModel):
    leaf_index: int
    leaf_hash: str
    tree_size: int
    root_hash: str
    inclusion_proof: list[str]
    tree_head: TreeHeadRead


class LayerScoreRead(BaseModel):
    layer: str
    agree: int
    compared: int
    p_value: float


class TraceMatch(BaseModel):
    download_id: uuid.UUID
    document_id: uuid.UUID
    version: int
    case_id: uuid.UUID
    user_id: uuid.UUID
    party_id: uuid.UUID | None
    downloaded_at: datetime
    confidence: float  # union bound on a chance match over every test of this trace
    layers: list[str]  # layers that alone identify this download
    scores: list[LayerScoreRead]
    channels: list[str]  # invisible channels the copy carried
    audit: AuditProof


class TraceError(BaseModel):
    """A detector failure on one compared version: the layer or step and the exception class,
    never a message (it may quote the document)."""

    document_version_id: uuid.UUID
    layer: str  # a watermark layer (footer, metadata, text, canary, geometry, image) or a step
    kind: str  # exception class name


class TraceResult(BaseModel):
    trace_id: uuid.UUID
    verdict: str  # identified | inconclusive | no_watermark (never when errors is non-empty)
    matches: list[TraceMatch]
    found_layers: list[str]
    documents_compared: int
    tests: int
    errors: list[TraceError] = []  # failures of the detector: none means every layer ran
