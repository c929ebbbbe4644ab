"""Days a district's clerk's office was closed, recorded by a platform admin with a source."""

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.models.base import METADATA, TYPE_ANNOTATION_MAP, CreatedMixin, IdMixin


class CourtsBase(DeclarativeBase):
    """The registry of this aggregate's mappers (``app.models.base.Base`` says why)."""

    metadata = METADATA
    type_annotation_map = TYPE_ANNOTATION_MAP


class CourtClosure(IdMixin, CreatedMixin, CourtsBase):
    """One closure day of one district: public law, no case content.

    `kind` is `inaccessible` (FRCP 6(a)(3): the clerk's office could not be reached) or
    `declared_holiday` (FRCP 6(a)(6)(B): a day the President or Congress declared that
    the curated calendar lacks).
    """

    __tablename__ = "court_closures"
    __table_args__ = (UniqueConstraint("district", "day"),)

    district: Mapped[str] = mapped_column(String(8), index=True)
    day: Mapped[date]
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(1000))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


class DeadlineOrder(IdMixin, CreatedMixin, CourtsBase):
    """A court order, a stipulation or a Rule 6(b) extension that sets a case's deadline.

    `applies_to` is `rule68:<offer id>` (the offer's time to accept) or a short name of the
    deadline ("Answer to the amended complaint"); `rule` the rule that sets it, when named.
    `new_deadline` or `extra_days` is what the order says; `effective_deadline` the last day
    that results, computed when recorded and shown with `order_date` and `source` (the
    docket entry, e.g. "ECF No. 42"). Names and sources are docket facts, never amounts
    or terms.
    """

    __tablename__ = "deadline_orders"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # court_order | stipulation | extension_6b
    applies_to: Mapped[str] = mapped_column(String(200))
    rule: Mapped[str | None] = mapped_column(String(40), default=None)
    base_deadline: Mapped[date | None] = mapped_column(default=None)
    new_deadline: Mapped[date | None] = mapped_column(default=None)
    extra_days: Mapped[int | None] = mapped_column(default=None)
    effective_deadline: Mapped[date]
    effective_ends_at: Mapped[datetime]
    order_date: Mapped[date]
    source: Mapped[str] = mapped_column(String(200))
    explanation: Mapped[list[str]] = mapped_column(JSON)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
