"""FRE 408 settlement offers and the stored answers of idempotent requests.

Amounts, currencies and terms live only in ``content``: a blob sealed under the case key
and bound to (case, object type, row id, version 1), so a copied blob fails to open.
``terms_sha256`` is a hash of that content and may stay in clear. Stored ``status`` is
the last explicit transition; ``expired`` is derived from the clock at read time.
"""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.models.base import METADATA, TYPE_ANNOTATION_MAP, IdMixin
from app.sealing import SealedColumn, register_sealed

OFFER_OBJECT_TYPE = "settlement_offer"
IDEMPOTENT_OBJECT_TYPE = "idempotent_response"



class OffersBase(DeclarativeBase):
    """The registry of this aggregate's mappers (``app.models.base.Base`` says why)."""

    metadata = METADATA
    type_annotation_map = TYPE_ANNOTATION_MAP


class SettlementOffer(IdMixin, OffersBase):
    __tablename__ = "settlement_offers"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    from_party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"))
    to_party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    terms_sha256: Mapped[str] = mapped_column(String(64))
    designation: Mapped[str] = mapped_column(String(20))  # CONFIDENTIAL | AEO
    share_with_neutral: Mapped[bool] = mapped_column(default=False)
    # open | accepted | rejected | countered | withdrawn; "expired" is derived.
    status: Mapped[str] = mapped_column(String(20), default="open")
    replies_to: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("settlement_offers.id"), default=None
    )
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)
    accepted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    signature: Mapped[str | None] = mapped_column(Text, default=None)
    key_id: Mapped[str | None] = mapped_column(String(64), default=None)


class IdempotentResponse(IdMixin, OffersBase):
    """The first successful answer to a request sent with an ``Idempotency-Key``.

    The body can hold offer content, so it is sealed like the offer itself.
    """

    __tablename__ = "idempotent_responses"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    request_sha256: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


register_sealed(SealedColumn(
    model=SettlementOffer, column="content", object_type=OFFER_OBJECT_TYPE,
    case_id=lambda row: row.case_id, object_id=lambda row: row.id, version=lambda row: 1,
))
register_sealed(SealedColumn(
    model=IdempotentResponse, column="body", object_type=IDEMPOTENT_OBJECT_TYPE,
    case_id=lambda row: row.case_id, object_id=lambda row: row.id, version=lambda row: 1,
))
