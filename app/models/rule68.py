"""FRCP 68 offers of judgment, their offerees, certificates of service made outside the
room, consents to electronic service (5(b)(2)(E)) and to other means (5(b)(2)(F)), and the
hearing on the extent of liability with the parties held liable (68(c)).

Amount, currency and terms are sealed in ``content`` (bound to case, object type, row id,
version 1); a certificate of service likewise in ``content`` of its own row. Stored
``status`` is open or accepted; "withdrawn" after the acceptance
window is derived from the clock (68(b): an unaccepted offer is considered withdrawn).
"""

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.models.base import METADATA, TYPE_ANNOTATION_MAP, IdMixin
from app.sealing import SealedColumn, register_sealed

RULE68_OBJECT_TYPE = "rule68_offer"
CERTIFICATE_OBJECT_TYPE = "rule68_certificate"



class Rule68Base(DeclarativeBase):
    """The registry of this aggregate's mappers (``app.models.base.Base`` says why)."""

    metadata = METADATA
    type_annotation_map = TYPE_ANNOTATION_MAP


class Rule68Offer(IdMixin, Rule68Base):
    __tablename__ = "rule68_offers"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    offeror_party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"))
    claim_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("claims.id"), default=None)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    terms_sha256: Mapped[str] = mapped_column(String(64))
    costs: Mapped[str] = mapped_column(String(20))  # plus_accrued | included
    service_method: Mapped[str] = mapped_column(String(20))
    # included | excluded | silent (the offer says nothing about attorney's fees)
    attorney_fees: Mapped[str] = mapped_column(String(10), default="silent")
    # Service recorded with a date before the day it was recorded (shown to both sides).
    backdated: Mapped[bool] = mapped_column(default=False)
    served_at: Mapped[datetime]
    served_on: Mapped[date]
    served_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    acceptance_deadline: Mapped[date]
    acceptance_ends_at: Mapped[datetime]
    deadline_explanation: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | accepted
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]


class Rule68Offeree(Rule68Base):
    """One offeree of an offer; a joint offer is accepted only when every offeree accepts."""

    __tablename__ = "rule68_offerees"

    offer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("rule68_offers.id", ondelete="CASCADE"), primary_key=True
    )
    party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"), primary_key=True)
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)
    accepted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    # Null: accepted through the room. Otherwise the FRCP 5(b)(2) method of an acceptance
    # served outside it; ``accepted_at`` is then when that service was complete (mailing,
    # delivery, leaving with the clerk) and ``acceptance_recorded_at`` when it was recorded.
    acceptance_method: Mapped[str | None] = mapped_column(String(20), default=None)
    acceptance_recorded_at: Mapped[datetime | None] = mapped_column(default=None)
    acceptance_backdated: Mapped[bool] = mapped_column(default=False)


class Rule68Certificate(IdMixin, Rule68Base):
    """A certificate of service of an offer (``party_id`` null) or of an offeree's notice of
    acceptance, for service made outside the room. Who served and on whom, and the typed text
    or the SHA-256 of the signed certificate, are sealed in ``content``."""

    __tablename__ = "rule68_certificates"

    offer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("rule68_offers.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    party_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("parties.id"), default=None)
    kind: Mapped[str] = mapped_column(String(20))  # service | acceptance
    method: Mapped[str] = mapped_column(String(20))
    served_at: Mapped[datetime]
    backdated: Mapped[bool] = mapped_column(default=False)
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]
    content: Mapped[bytes] = mapped_column(LargeBinary)


class ServiceConsent(Rule68Base):
    """A party's written consent to electronic service through the room (FRCP 5(b)(2)(E))."""

    __tablename__ = "service_consents"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"), primary_key=True)
    consented_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    consented_at: Mapped[datetime]


class OtherMeansConsent(Rule68Base):
    """A party's written consent to service by a stated other means (FRCP 5(b)(2)(F))."""

    __tablename__ = "other_means_consents"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"), primary_key=True)
    means: Mapped[str] = mapped_column(String(200))
    consented_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    consented_at: Mapped[datetime]


class LiabilityHearing(Rule68Base):
    """Liability is determined and a hearing on its extent is set (68(c))."""

    __tablename__ = "liability_hearings"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    hearing_date: Mapped[date]
    # The parties held liable and, when not every claim, the claims the determination covers
    # (68(c)). Null on rows from before they were recorded: every party defending a claim.
    liable_party_ids: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    claim_ids: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    set_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime]


register_sealed(SealedColumn(
    model=Rule68Offer, column="content", object_type=RULE68_OBJECT_TYPE,
    case_id=lambda row: row.case_id, object_id=lambda row: row.id, version=lambda row: 1,
))
register_sealed(SealedColumn(
    model=Rule68Certificate, column="content", object_type=CERTIFICATE_OBJECT_TYPE,
    case_id=lambda row: row.case_id, object_id=lambda row: row.id, version=lambda row: 1,
))
