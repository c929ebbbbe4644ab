"""Days a district's clerk's office was closed, recorded by a platform admin with a source."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedMixin, IdMixin


class CourtClosure(IdMixin, CreatedMixin, Base):
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
