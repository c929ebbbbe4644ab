import uuid
from datetime import date, datetime
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from app.kernel.money import check_currency
from app.kernel.schemas import SHA256_HEX, Cents, Day, Instant, Schema, Strict

ServiceMethod = Literal["electronic", "mail", "personal", "clerk", "other"]
# Service made outside the room: mail 5(b)(2)(C), hand delivery (A)-(B), leaving with the
# clerk (D), other means consented to in writing (F).
OutsideMethod = Literal["mail", "personal", "clerk", "other"]
CostsMode = Literal["plus_accrued", "included"]
AttorneyFees = Literal["included", "excluded", "silent"]
MAX_OFFEREES = 20


class CertificateOfService(Strict):
    """Who served, on whom (names and the address or place of service); the method and the
    time are the request's. Either the typed certificate or the SHA-256 of the signed one
    (a PDF or text file the party keeps and files), or both."""

    served_by_name: str = Field(min_length=1, max_length=200)
    served_on: str = Field(min_length=1, max_length=1000)
    text: str | None = Field(default=None, min_length=1, max_length=20_000)
    document_sha256: str | None = Field(default=None, pattern=SHA256_HEX)

    @model_validator(mode="after")
    def _text_or_hash(self) -> Self:
        if self.text is None and self.document_sha256 is None:
            raise ValueError("give the certificate's text or its document_sha256")
        return self


class OffereeAmount(Schema):
    party_id: uuid.UUID
    amount_cents: Cents


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
    attorney_fees: AttorneyFees = "silent"
    # A joint offer's amount per offeree (apportionment); they add up to amount_cents.
    offeree_amounts: list[OffereeAmount] | None = Field(default=None, min_length=1,
                                                       max_length=MAX_OFFEREES)
    certificate: CertificateOfService | None = None

    _currency = field_validator("currency")(check_currency)

    @model_validator(mode="after")
    def _one_offeree_field(self) -> Self:
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


class AcceptanceRecord(Strict):
    """A notice of acceptance served outside the room, recorded with its certificate.
    ``party_id`` names the offeree when the caller speaks for more than one."""

    party_id: uuid.UUID | None = None
    service_method: OutsideMethod
    served_at: Instant
    certificate: CertificateOfService
    terms_sha256: str | None = Field(default=None, pattern=SHA256_HEX)


class OffereeAcceptance(Schema):
    party_id: uuid.UUID
    accepted_at: datetime | None
    accepted_by: uuid.UUID | None
    # Null when accepted through the room; else how the notice was served outside it, when
    # that was recorded, and whether it was dated before the day it was recorded.
    method: OutsideMethod | None = None
    recorded_at: datetime | None = None
    backdated: bool = False


class CertificateRead(Schema):
    kind: Literal["service", "acceptance"]
    party_id: uuid.UUID | None
    method: OutsideMethod
    rule: str
    served_at: datetime
    backdated: bool
    recorded_at: datetime
    recorded_by: uuid.UUID
    served_by_name: str
    served_on: str
    text: str | None
    document_sha256: str | None


class Rule68Warning(Schema):
    code: str
    text: str


class ServiceNotice(Schema):
    """Electronic service through the room, per offeree: whether the notice reached the mail
    server of the offeree's counsel (or of the party acting without one). Service is not
    effective if the sender learns that it did not reach the person (FRCP 5(b)(2)(E))."""

    party_id: uuid.UUID
    status: Literal["pending", "delivered", "failed"]
    delivered_at: datetime | None = None


class Rule68Read(Schema):
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
    attorney_fees: AttorneyFees = "silent"
    offeree_amounts: list[OffereeAmount] | None = None
    backdated: bool = False
    certificates: list[CertificateRead] = []
    warnings: list[Rule68Warning] = []
    plain_words: list[str] = []


class CostComparisonRequest(Strict):
    judgment_amount_cents: Cents
    pre_offer_costs_cents: Cents
    judgment_for: Literal["offeree", "offeror"] = "offeree"
    # Marek v. Chesny: attorney's fees count only where the statute defines them as costs;
    # interest accrued up to the offer is part of what the offeree obtained.
    pre_offer_fees_cents: Cents = 0
    pre_offer_interest_cents: Cents = 0
    fees_are_costs: bool = False
    # An apportioned joint offer is compared offeree by offeree.
    offeree_party_id: uuid.UUID | None = None


class CostComparisonRead(Schema):
    offeree_pays_post_offer_costs: bool | None
    applicable: bool
    explanation: list[str]
    judgment_value_cents: int | None = None
    offer_value_cents: int | None = None


class ServiceConsentCreate(Strict):
    """``electronic``: service through the room (5(b)(2)(E)); ``other``: service by the
    ``means`` stated (5(b)(2)(F)), e.g. "e-mail to the firm's docketing address"."""

    party_id: uuid.UUID
    kind: Literal["electronic", "other"] = "electronic"
    means: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _means_for_other(self) -> Self:
        if (self.kind == "other") != (self.means is not None):
            raise ValueError("means is given exactly for kind 'other'")
        return self


class ServiceConsentRead(Schema):
    case_id: uuid.UUID
    party_id: uuid.UUID
    consented_by: uuid.UUID
    consented_at: datetime
    rule: str = "FRCP 5(b)(2)(E)"
    kind: Literal["electronic", "other"] = "electronic"
    means: str | None = None


class LiabilityHearingSet(Strict):
    """A date means liability is determined and the 68(c) hearing is set; null clears it."""

    hearing_date: Day | None
    # The parties held liable (default: every party defending a claim) and the claims the
    # determination covers (default: all). 68(c) lifts the trial-date limit only for them.
    liable_party_ids: list[uuid.UUID] | None = Field(default=None, min_length=1,
                                                     max_length=MAX_OFFEREES)
    claim_ids: list[uuid.UUID] | None = Field(default=None, max_length=200)


class LiabilityHearingRead(Schema):
    case_id: uuid.UUID
    liability_determined: bool
    hearing_date: date | None
    liable_party_ids: list[uuid.UUID] = []
    claim_ids: list[uuid.UUID] = []
