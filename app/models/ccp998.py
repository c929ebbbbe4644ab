"""California Code Civ. Proc. 998 offers to compromise, one offeror and one offeree each.

Amount, currency and terms are sealed in ``content`` (bound to case, object type, row id,
version 1); the typed name signing an acceptance (998(b)(1)) likewise in ``acceptance``.
Stored ``status`` is open, accepted or revoked; "expired" (deemed withdrawn, 998(b)(2)) is
derived from the clock and ``acceptance_ends_at``.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.models.base import METADATA, TYPE_ANNOTATION_MAP, IdMixin
from app.sealing import SealedColumn, register_sealed

CCP998_OBJECT_TYPE = "ccp998_offer"
CCP998_ACCEPTANCE_OBJECT_TYPE = "ccp998_acceptance"



class Ccp998Base(DeclarativeBase):
    """The registry of this aggregate's mappers (``app.models.base.Base`` says why)."""

    metadata = METADATA
    type_annotation_map = TYPE_ANNOTATION_MAP


class Ccp998Offer(IdMixin, Ccp998Base):
    __tablename__ = "ccp998_offers"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    offeror_party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"))
    offeree_party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    terms_sha256: Mapped[str] = mapped_column(String(64))
    service_method: Mapped[str] = mapped_column(String(30))
    served_at: Mapped[datetime]
    served_on: Mapped[date]
    # The day the offer counts as made (electronic service on a non-court day: the next one).
    made_on: Mapped[date]
    served_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    acceptance_deadline: Mapped[date]
    acceptance_ends_at: Mapped[datetime]
    cut_by_trial: Mapped[bool] = mapped_column(default=False)
    deadline_explanation: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open|accepted|revoked
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)
    accepted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    acceptance: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime]


register_sealed(SealedColumn(
    model=Ccp998Offer, column="content", object_type=CCP998_OBJECT_TYPE,
    case_id=lambda row: row.case_id, object_id=lambda row: row.id, version=lambda row: 1,
))
register_sealed(SealedColumn(
    model=Ccp998Offer, column="acceptance", object_type=CCP998_ACCEPTANCE_OBJECT_TYPE,
    case_id=lambda row: row.case_id, object_id=lambda row: row.id, version=lambda row: 1,
))
