"""A case's protective order, its Exhibit A acknowledgments, designation challenges and
clawbacks (FRE 502).

Invariants:
- The order's text or PDF is sealed under the case key (``content_sealed``); its SHA-256 is
  what a reader acknowledges. A replaced order keeps its row (``replaced_at``): earlier
  acknowledgments stay on record and name the order they bound their signer to.
- A challenge's reason and a clawback's basis may describe the document: both are sealed.
- Deadlines are stored as computed when the event happened (the last day and the instant
  it ends in the court's time zone), so a later change of the order's numbers never moves
  a running period.
- One clawback per document; one acknowledgment per (order, user); one certification per
  (clawback, user).
"""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.models.base import METADATA, TYPE_ANNOTATION_MAP, CreatedMixin, IdMixin
from app.sealing import SealedColumn, register_sealed

ORDER_CONTENT_OBJECT_TYPE = "protective_order.content"
CHALLENGE_REASON_OBJECT_TYPE = "designation_challenge.reason"
CLAWBACK_BASIS_OBJECT_TYPE = "clawback.basis"
PUBLIC_TEXT_OBJECT_TYPE = "public_text.text"
PUBLIC_TEXT_LABEL_OBJECT_TYPE = "public_text.label"



class ProtectiveOrdersBase(DeclarativeBase):
    """The registry of this aggregate's mappers (``app.models.base.Base`` says why)."""

    metadata = METADATA
    type_annotation_map = TYPE_ANNOTATION_MAP


class ProtectiveOrder(IdMixin, CreatedMixin, ProtectiveOrdersBase):
    __tablename__ = "protective_orders"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(50))  # application/pdf | text/plain
    size: Mapped[int]
    content_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    entered_on: Mapped[date]
    # [{name, designation, audience: [category..]}], as the order states them.
    tiers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    meet_confer_days: Mapped[int]
    motion_days: Mapped[int]
    motion_days_after_impasse: Mapped[int]
    clawback_days: Mapped[int]
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    replaced_at: Mapped[datetime | None] = mapped_column(default=None)


class OrderAcknowledgment(IdMixin, ProtectiveOrdersBase):
    """Exhibit A: one user's signed agreement to be bound by one order."""

    __tablename__ = "order_acknowledgments"
    __table_args__ = (UniqueConstraint("order_id", "user_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protective_orders.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    typed_name: Mapped[str] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime]


class DesignationChallenge(IdMixin, ProtectiveOrdersBase):
    __tablename__ = "designation_challenges"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("protective_orders.id"))
    challenger_party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"))
    designating_party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"))
    designation: Mapped[str] = mapped_column(String(20))
    challenged_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    reason_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    noticed_at: Mapped[datetime]
    meet_confer_due: Mapped[date]
    meet_confer_ends_at: Mapped[datetime]
    motion_due: Mapped[date]
    motion_ends_at: Mapped[datetime]
    impasse_on: Mapped[date | None] = mapped_column(default=None)
    motion_filed_on: Mapped[date | None] = mapped_column(default=None)
    motion_recorded_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id"), default=None
    )


class Clawback(IdMixin, ProtectiveOrdersBase):
    __tablename__ = "clawbacks"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), unique=True
    )
    order_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("protective_orders.id"), default=None
    )
    producing_party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"))
    clawed_back_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    basis_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    noticed_at: Mapped[datetime]
    certify_days: Mapped[int]
    certify_due: Mapped[date]
    certify_ends_at: Mapped[datetime]
    # The members who held a copy when notice was given: [{user_id, party_id}].
    recipients: Mapped[list[Any]] = mapped_column(JSON, default=list)


class ClawbackCertification(IdMixin, ProtectiveOrdersBase):
    __tablename__ = "clawback_certifications"
    __table_args__ = (UniqueConstraint("clawback_id", "user_id"),)

    clawback_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("clawbacks.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    party_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("parties.id"), default=None)
    action: Mapped[str] = mapped_column(String(20))  # sequestered | destroyed
    certified_at: Mapped[datetime]
    late: Mapped[bool] = mapped_column(default=False)


class PublicText(IdMixin, CreatedMixin, ProtectiveOrdersBase):
    """Text a party registered as public (an opinion, a rule, its own public filing): its
    windows never count in that party's own filing and paper checks. The text (as read
    from the file) and its label (``{title, citation}``) are sealed under the case key;
    ``sha256`` is the uploaded file's (or the JSON text's), so anyone can tell which
    document it was without the room keeping the file."""

    __tablename__ = "public_texts"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"))
    added_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))  # text | pdf | docx | images
    words: Mapped[int]
    label_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    text_sealed: Mapped[bytes] = mapped_column(LargeBinary)


register_sealed(SealedColumn(
    model=PublicText, column="text_sealed", object_type=PUBLIC_TEXT_OBJECT_TYPE,
    case_id=lambda row: row.case_id, object_id=lambda row: row.id, version=lambda row: 1,
))
register_sealed(SealedColumn(
    model=PublicText, column="label_sealed", object_type=PUBLIC_TEXT_LABEL_OBJECT_TYPE,
    case_id=lambda row: row.case_id, object_id=lambda row: row.id, version=lambda row: 1,
))
register_sealed(SealedColumn(
    model=ProtectiveOrder, column="content_sealed", object_type=ORDER_CONTENT_OBJECT_TYPE,
    case_id=lambda row: row.case_id, object_id=lambda row: row.id, version=lambda row: 1,
))
register_sealed(SealedColumn(
    model=DesignationChallenge, column="reason_sealed",
    object_type=CHALLENGE_REASON_OBJECT_TYPE,
    case_id=lambda row: row.case_id, object_id=lambda row: row.id, version=lambda row: 1,
))
register_sealed(SealedColumn(
    model=Clawback, column="basis_sealed", object_type=CLAWBACK_BASIS_OBJECT_TYPE,
    case_id=lambda row: row.case_id, object_id=lambda row: row.id, version=lambda row: 1,
))
