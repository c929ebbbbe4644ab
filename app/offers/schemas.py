from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from app.auth.schemas import Strict

Designation = Literal["CONFIDENTIAL", "AEO"]
OfferStatus = Literal["open", "accepted", "rejected", "countered", "withdrawn", "expired"]
MAX_CENTS = 10**15  # a quadrillion cents: far above any settlement, well inside BIGINT
SHA256_HEX = r"^[0-9a-f]{64}$"


def check_currency(value: str) -> str:
    if len(value) != 3 or not value.isascii() or not value.isupper() or not value.isalpha():
        raise ValueError("currency must be an ISO 4217 code such as USD")
    return value


class OfferCreate(Strict):
    from_party_id: uuid.UUID
    to_party_id: uuid.UUID
    amount_cents: int = Field(ge=0, le=MAX_CENTS)
    currency: str = "USD"
    terms: str = Field(min_length=1, max_length=20_000)
    expires_at: AwareDatetime | None = None
    replies_to: uuid.UUID | None = None
    share_with_neutral: bool = False
    designation: Designation = "CONFIDENTIAL"

    _currency = field_validator("currency")(check_currency)


class OfferAccept(Strict):
    terms_sha256: str = Field(pattern=SHA256_HEX)


class Acceptance(BaseModel):
    accepted_at: datetime
    accepted_by: uuid.UUID
    signature: str
    key_id: str
    algorithm: str = "Ed25519"
    signed_payload: dict[str, Any]


class OfferRead(BaseModel):
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
