import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field, field_validator

from app.ccp998.rules import ServiceMethod
from app.kernel.money import check_currency
from app.kernel.schemas import SHA256_HEX, Cents, Instant, Schema, Strict


class Ccp998Create(Strict):
    """An offer under Code Civ. Proc. 998(b): its terms, and the manner of service. Service
    other than electronic service through the room is made outside it and dated by
    ``served_at`` (default: now)."""

    offeror_party_id: uuid.UUID
    offeree_party_id: uuid.UUID
    amount_cents: Cents
    currency: str = "USD"
    terms: str = Field(min_length=1, max_length=20_000)
    service_method: ServiceMethod = "electronic"
    served_at: Instant | None = None

    _currency = field_validator("currency")(check_currency)


class Ccp998Accept(Strict):
    """The signed statement that the offer is accepted (998(b)): the typed name of the
    signer; ``terms_sha256`` when given must match the offer's."""

    signed_by_name: str = Field(min_length=1, max_length=200)
    terms_sha256: str | None = Field(default=None, pattern=SHA256_HEX)


class Ccp998Read(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    offeror_party_id: uuid.UUID
    offeree_party_id: uuid.UUID
    amount_cents: int
    currency: str
    terms: str
    terms_sha256: str
    acceptance_provision: str
    service_method: ServiceMethod
    served_at: datetime
    served_on: date
    made_on: date
    served_by: uuid.UUID
    acceptance_deadline: date
    acceptance_deadline_ends_at: datetime
    cut_by_trial: bool
    deadline_explanation: list[str]
    status: Literal["open", "accepted", "revoked", "expired"]
    accepted_at: datetime | None
    accepted_by: uuid.UUID | None
    signed_by_name: str | None
    revoked_at: datetime | None
    created_at: datetime
    plain_words: list[str] = []


class Ccp998CostRequest(Strict):
    judgment_for: Literal["plaintiff", "defendant"]
    judgment_amount_cents: Cents = 0
    pre_offer_costs_cents: Cents = 0
    defendant_post_offer_costs_cents: Cents = 0


class Ccp998CostRead(Schema):
    applicable: bool
    more_favorable: bool | None
    consequences: list[str]
    explanation: list[str]
    compared_judgment_cents: int | None = None
    net_to_plaintiff_cents: int | None = None
    net_to_defendant_cents: int | None = None
