"""Case rooms, their parties, claims and memberships."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.models.base import METADATA, TYPE_ANNOTATION_MAP, CreatedMixin, IdMixin


class CasesBase(DeclarativeBase):
    """The registry of this aggregate's mappers (``app.models.base.Base`` says why)."""

    metadata = METADATA
    type_annotation_map = TYPE_ANNOTATION_MAP


class Case(IdMixin, CreatedMixin, CasesBase):
    __tablename__ = "cases"

    caption: Mapped[str] = mapped_column(String(500))
    court: Mapped[str] = mapped_column(String(200))
    court_state: Mapped[str] = mapped_column(String(2))
    docket_number: Mapped[str] = mapped_column(String(100))
    trial_date: Mapped[date | None] = mapped_column(default=None)
    court_timezone: Mapped[str] = mapped_column(String(64))
    # CM/ECF court id of the district ("cand"); None for a case created before districts.
    district: Mapped[str | None] = mapped_column(String(8), default=None)
    division: Mapped[str | None] = mapped_column(String(40), default=None)
    # "federal" (a district court, FRCP) or "ca_superior" (a California superior court, CCP;
    # then `county` names it and `district` is None).
    court_system: Mapped[str] = mapped_column(String(12), default="federal",
                                              server_default="federal")
    county: Mapped[str | None] = mapped_column(String(40), default=None)
    # Where downloaded copies carry their visible legend: "footer" | "header" | "diagonal"
    # (app.watermark.LEGEND_POSITIONS); set by the room admin.
    legend_position: Mapped[str] = mapped_column(String(10), default="footer",
                                                 server_default="footer")
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    destroyed_at: Mapped[datetime | None] = mapped_column(default=None)


class Party(IdMixin, CreatedMixin, CasesBase):
    __tablename__ = "parties"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    side: Mapped[str] = mapped_column(String(20))  # plaintiff | defendant | third_party
    represented: Mapped[bool] = mapped_column(default=True)


class Claim(IdMixin, CreatedMixin, CasesBase):
    __tablename__ = "claims"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    claimant_party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"))
    description: Mapped[str] = mapped_column(String(2000))


class ClaimDefendant(CasesBase):
    __tablename__ = "claim_defendants"

    claim_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True
    )
    party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"), primary_key=True)


class Member(IdMixin, CreatedMixin, CasesBase):
    """One role of one user in one case; a user may hold several."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("case_id", "user_id", "role", "party_key"),)

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    party_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("parties.id"), default=None)
    # party_id or "-" so that the unique constraint also holds for party-less roles.
    party_key: Mapped[str] = mapped_column(String(36))
    # A client seat only: whether the client reads its party's offers (settlement and
    # Rule 68) in the room directly. The party's own counsel (or the party pro se) decides
    # (ABA Model Rule 4.2 leaves it to the client's lawyer); true keeps the behaviour of
    # seats given before the choice existed. Other roles ignore it.
    reads_offers: Mapped[bool] = mapped_column(default=True, server_default=true())


class CaseDestruction(CasesBase):
    """The signed certificate issued when a case's keys were destroyed."""

    __tablename__ = "case_destructions"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    destroyed_at: Mapped[datetime]
    certificate: Mapped[dict[str, Any]] = mapped_column(JSON)


class KeyRotation(IdMixin, CasesBase):
    """A KEK rotation of one case: the target version survives a crash, so a re-run resumes."""

    __tablename__ = "key_rotations"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    target_version: Mapped[int]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
