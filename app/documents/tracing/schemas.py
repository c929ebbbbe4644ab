import uuid
from datetime import datetime

from pydantic import ConfigDict, Field

from app.audit.schemas import TreeHeadRead
from app.kernel.schemas import Schema


class TraceText(Schema):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=1_000_000)


class AuditProof(Schema):
    leaf_index: int
    leaf_hash: str
    tree_size: int
    root_hash: str
    inclusion_proof: list[str]
    tree_head: TreeHeadRead


class LayerScoreRead(Schema):
    layer: str
    agree: int
    compared: int
    p_value: float


class TraceMatch(Schema):
    download_id: uuid.UUID
    document_id: uuid.UUID
    version: int
    case_id: uuid.UUID
    user_id: uuid.UUID
    party_id: uuid.UUID | None
    downloaded_at: datetime
    confidence: float  # union bound on a chance match over every test of this trace
    confidence_words: str  # the bound's band in words, printed beside the bound
    filename: str | None  # the document's name when the caller may read the document
    recipient_name: str | None  # the downloader's name as the room knows it
    layers: list[str]  # layers that alone identify this download
    scores: list[LayerScoreRead]
    channels: list[str]  # invisible channels the copy carried
    audit: AuditProof


class TraceError(Schema):
    """A detector failure on one compared version: the layer or step and the exception class,
    never a message (it may quote the document)."""

    document_version_id: uuid.UUID
    layer: str  # a watermark layer (footer, metadata, text, canary, geometry, image) or a step
    kind: str  # exception class name


class AdviceRead(Schema):
    code: str  # evidence_too_short | evidence_too_coarse
    text: str


class NotTraceableRead(Schema):
    """The evidence is a copy of a document the caller may read but may not trace."""

    document_id: uuid.UUID
    case_id: uuid.UUID
    filename: str


class TraceResult(Schema):
    trace_id: uuid.UUID
    verdict: str  # identified | inconclusive | no_watermark (never when errors is non-empty)
    verdict_words: str  # the verdict for a reader; "you may not trace" when not_traceable
    advice: list[AdviceRead] = []  # how to make weak evidence stronger (no recipient named)
    not_traceable: list[NotTraceableRead] = []
    matches: list[TraceMatch]
    found_layers: list[str]
    documents_compared: int
    tests: int
    errors: list[TraceError] = []  # failures of the detector: none means every layer ran
