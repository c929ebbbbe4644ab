"""SQL for closure days of the district courts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.courts import CourtClosure


def closures(session: Session, district: str) -> list[CourtClosure]:
    return list(session.execute(
        select(CourtClosure).where(CourtClosure.district == district)
        .order_by(CourtClosure.day)).scalars())


def find(session: Session, district: str, day: date) -> CourtClosure | None:
    return session.execute(select(CourtClosure).where(
        CourtClosure.district == district, CourtClosure.day == day)).scalar_one_or_none()


def add(session: Session, row: CourtClosure) -> None:
    session.add(row)
    session.flush()
