import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StrictInt, field_validator

from app.kernel.schemas import SHA256_HEX, Day, Schema, Strict
from app.protective_orders.rules import (
    DEFAULT_CLAWBACK_DAYS,
    MODEL_MEET_CONFER_DAYS,
    MODEL_MOTION_DAYS,
    MODEL_MOTION_DAYS_AFTER_IMPASSE,
)

Category = Literal["outside_counsel", "in_house_counsel", "parties", "experts"]
Days = Annotated[StrictInt, Field(ge=1, le=365)]
MAX_ORDER_TEXT = 200_000


class TierIn(Strict):
    """One tier as the order states it, and the room designation it maps to."""

    name: str = Field(min_length=1, max_length=200)
    designation: Literal["CONFIDENTIAL", "AEO"]
    audience: list[Category] = Field(min_length=1, max_length=4)


class OrderFields(Strict):
    """What an order records besides its text or PDF. The periods default to the N.D. Cal.
    model stipulated protective order (sections 6.2 and 6.3); the clawback period to the
    room's default (FRCP 26(b)(5)(B) says "promptly" and the model order names no number):
    set each from the order entered in the case."""

    tiers: list[TierIn] = Field(min_length=1, max_length=2)
    entered_on: Day
    meet_confer_days: Days = MODEL_MEET_CONFER_DAYS
    motion_days: Days = MODEL_MOTION_DAYS
    motion_days_after_impasse: Days = MODEL_MOTION_DAYS_AFTER_IMPASSE
    clawback_days: Days = DEFAULT_CLAWBACK_DAYS

    @field_validator("tiers")
    @classmethod
    def _one_tier_per_designation(cls, tiers: list[TierIn]) -> list[TierIn]:
        if len({t.designation for t in tiers}) != len(tiers):
            raise ValueError("each designation is mapped by one tier at most")
        return tiers


class OrderText(OrderFields):
    text: str = Field(min_length=1, max_length=MAX_ORDER_TEXT)


class TierRead(Schema):
    name: str
    designation: str
    audience: list[str]
    # The receiving-side room roles the tier reaches (the policy's reading of ``audience``).
    room_roles: list[str]


class OrderRead(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    sha256: str
    media_type: str
    size: int
    tiers: list[TierRead]
    entered_on: date
    meet_confer_days: int
    motion_days: int
    motion_days_after_impasse: int
    clawback_days: int
    recorded_at: datetime
    acknowledged: bool  # by the caller, for this order


class AcknowledgmentCreate(Strict):
    typed_name: str = Field(min_length=2, max_length=200)
    order_sha256: str = Field(pattern=SHA256_HEX)

    @field_validator("typed_name")
    @classmethod
    def _a_name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not any(c.isalpha() for c in value):
            raise ValueError("type your full name")
        return value


class AcknowledgmentRead(Schema):
    id: uuid.UUID
    order_id: uuid.UUID
    order_sha256: str
    user_id: uuid.UUID
    typed_name: str
    acknowledged_at: datetime
    current: bool  # for the order now in force


class ChallengeCreate(Strict):
    reason: str = Field(min_length=1, max_length=10_000)
    party_id: uuid.UUID | None = None


class MotionRecord(Strict):
    filed_on: Day


class ImpasseRecord(Strict):
    agreed_on: Day


class DeadlineLine(Schema):
    deadline: date
    ends_at: datetime
    explanation: list[str]


class ChallengeRead(Schema):
    id: uuid.UUID
    document_id: uuid.UUID
    designation: str
    challenger_party_id: uuid.UUID
    designating_party_id: uuid.UUID
    reason: str
    noticed_at: datetime
    meet_confer: DeadlineLine
    motion: DeadlineLine
    impasse_on: date | None
    motion_filed_on: date | None
    may_be_treated_as_withdrawn: bool


class ClawbackCreate(Strict):
    basis: str = Field(min_length=1, max_length=10_000)


class CertificationCreate(Strict):
    action: Literal["sequestered", "destroyed"]


class RecipientRead(Schema):
    user_id: uuid.UUID
    party_id: uuid.UUID | None
    certified: bool
    action: str | None
    certified_at: datetime | None
    late: bool  # past the deadline without a certification, or certified after it


class ClawbackRead(Schema):
    id: uuid.UUID
    document_id: uuid.UUID
    producing_party_id: uuid.UUID
    basis: str | None  # only for members who may see the document
    noticed_at: datetime
    certify_days: int
    certify: DeadlineLine
    recipients: list[RecipientRead]


class FilingFindingRead(Schema):
    """One run of the draft that matches material the caller may see: ids, a page and a
    count, never a word of either text."""

    document_id: uuid.UUID  # the source's id: a document, offer, ENE statement or message
    source: Literal["document", "offer", "ene_statement", "ene_message"]
    designation: str
    designating_party_id: uuid.UUID | None
    evidence_page: int  # 1-based page of the draft where the run starts
    matched_words: int  # draft words the run spans
    rule: str  # the sealing rule of the case's district, or why it is never filed
    never_file: bool  # offer terms and ENE content: not to be filed, sealed or not


class FilingCheckRead(Schema):
    check_id: uuid.UUID
    verdict: Literal["clean", "protected_material_found"]
    findings: list[FilingFindingRead]
    checked_documents: int  # sources compared: documents' versions, offers, ENE items
    rule: str  # the case's sealing rule, also when the draft is clean


Label = Annotated[str, Field(min_length=1, max_length=300, pattern=r"\S")]
MAX_PUBLIC_TEXT = 2_000_000


class PublicTextFields(Strict):
    """What names a public text: a title and its citation (\"ECF No. 12\", \"Smith v. Jones,
    123 F.3d 456\"); ``party_id`` only for a member who speaks for several parties."""

    title: Label
    citation: Label
    party_id: uuid.UUID | None = None


class PublicTextCreate(PublicTextFields):
    text: str = Field(min_length=1, max_length=MAX_PUBLIC_TEXT)


class PublicTextRead(Schema):
    id: uuid.UUID
    party_id: uuid.UUID
    title: str
    citation: str
    sha256: str  # of the uploaded file, or of the JSON text (UTF-8)
    kind: str  # text | pdf | docx | images
    words: int
    added_by: uuid.UUID
    created_at: datetime
