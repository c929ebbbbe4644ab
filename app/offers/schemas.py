import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator

from app.kernel.money import check_currency
from app.kernel.schemas import SHA256_HEX, Cents, Instant, Schema, Strict

Designation = Literal["CONFIDENTIAL", "AEO"]
OfferStatus = Literal["open", "accepted", "rejected", "countered", "withdrawn", "expired"]



class OfferCreate(Strict):
    from_party_id: uuid.UUID
    to_party_id: uuid.UUID
    amount_cents: Cents
    currency: str = "USD"
    terms: str = Field(min_length=1, max_length=20_000)
    expires_at: Instant | None = None
    replies_to: uuid.UUID | None = None
    share_with_neutral: bool = False
    designation: Designation = "CONFIDENTIAL"

    _currency = field_validator("currency")(check_currency)


class OfferAccept(Strict):
    terms_sha256: str = Field(pattern=SHA256_HEX)


class Acceptance(Schema):
    accepted_at: datetime
    accepted_by: uuid.UUID
    signature: str
    key_id: str
    algorithm: str = "Ed25519"
    signed_payload: dict[str, Any]


class OfferRead(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    from_party_id: uuid.UUID
    to_party_id: uuid.UUID
    amount_cents: int
    currency: str
    terms: str
    terms_sha256: str
    status: OfferStatus
    designation: Designation
    share_with_neutral: bool
    addressed_to: Literal["counsel", "pro_se"]
    created_at: datetime
    expires_at: datetime | None
    replies_to: uuid.UUID | None
    closed_at: datetime | None = None
    acceptance: Acceptance | None = None
