from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from app.kernel.money import check_currency
from app.kernel.schemas import SHA256_HEX, Cents, Day, Instant, Strict

ServiceMethod = Literal["electronic", "mail", "personal", "other"]
CostsMode = Literal["plus_accrued", "included"]
MAX_OFFEREES = 20


class Rule68Create(Strict):
    """``offeree_party_id`` for one offeree, or ``offeree_party_ids`` for a joint offer."""

    offeror_party_id: uuid.UUID
    offeree_party_id: uuid.UUID | None = None
    offeree_party_ids: list[uuid.UUID] | None = Field(default=None, min_length=1,
                                                      max_length=MAX_OFFEREES)
    claim_id: uuid.UUID | None = None
    amount_cents: Cents
    currency: str = "USD"
    costs: CostsMode
    terms: str = Field(min_length=1, max_length=20_000)
    service_method: ServiceMethod = "electronic"
    served_at: Instant | None = None

    _currency = field_validator("currency")(check_currency)

    @model_validator(mode="after")
    def _one_offeree_field(self) -> Rule68Create:
        if (self.offeree_party_id is None) == (self.offeree_party_ids is None):
            raise ValueError("give exactly one of offeree_party_id and offeree_party_ids")
        ids = self.offerees
        if len(set(ids)) != len(ids):
            raise ValueError("offeree_party_ids lists a party twice")
        return self

    @property
    def offerees(self) -> list[uuid.UUID]:
        if self.offeree_party_ids is not None:
            return list(self.offeree_party_ids)
        assert self.offeree_party_id is not None
        return [self.offeree_party_id]


class Rule68Accept(Strict):
    terms_sha256: str | None = Field(default=None, pattern=SHA256_HEX)


class OffereeAcceptance(BaseModel):
    party_id: uuid.UUID
    accepted_at: datetime | None
    accepted_by: uuid.UUID | None


class ServiceNotice(BaseModel):
    """Electronic service through the room, per offeree: whether the notice reached the mail
    server of the offeree's counsel (or of the party acting without one). Service is not
    effective if the sender learns that it did not reach the person (FRCP 5(b)(2)(E))."""

    party_id: uuid.UUID
    status: Literal["pending", "delivered", "failed"]
    delivered_at: datetime | None = None


class Rule68Read(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    offeror_party_id: uuid.UUID
    offeree_party_ids: list[uuid.UUID]
    claim_id: uuid.UUID | None
    amount_cents: int
    currency: str
    costs: CostsMode
    terms: str
    terms_sha256: str
    service_method: ServiceMethod
    served_at: datetime
    served_on: date
    served_by: uuid.UUID
    acceptance_deadline: date
    acceptance_deadline_ends_at: datetime
    deadline_explanation: list[str]
    status: Literal["open", "accepted", "withdrawn"]
    acceptances: list[OffereeAcceptance]
    accepted_at: datetime | None
    created_at: datetime
    # Electronic service only; empty for service by mail, in person or otherwise.
    service_notices: list[ServiceNotice] = []


class CostComparisonRequest(Strict):
    judgment_amount_cents: Cents
    pre_offer_costs_cents: Cents
    judgment_for: Literal["offeree", "offeror"] = "offeree"


class CostComparisonRead(BaseModel):
    offeree_pays_post_offer_costs: bool | None
    applicable: bool
    explanation: list[str]
    judgment_value_cents: int | None = None
    offer_value_cents: int | None = None


class ServiceConsentCreate(Strict):
    party_id: uuid.UUID


class ServiceConsentRead(BaseModel):
    case_id: uuid.UUID
    party_id: uuid.UUID
    consented_by: uuid.UUID
    consented_at: datetime
    rule: str = "FRCP 5(b)(2)(E)"


class LiabilityHearingSet(Strict):
    """A date means liability is determined and the 68(c) hearing is set; null clears it."""

    hearing_date: Day | None


class LiabilityHearingRead(BaseModel):
    case_id: uuid.UUID
    liability_determined: bool
    hearing_date: date | None
