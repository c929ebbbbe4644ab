"""All SQL of seats: invitations (the token row locked before it is used) and member rows."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.cases import Member
from app.models.seats import INVITATION_PENDING, Invitation


def add(session: Session, obj: object) -> None:
    session.add(obj)
    session.flush()


def delete(session: Session, obj: object) -> None:
    session.delete(obj)
    session.flush()


def lock_invitation_by_token(session: Session, token_hash: bytes) -> Invitation | None:
    """The invitation a token names, row-locked: two acceptances of one token at once are
    serialised here, and the second sees the first's outcome."""
    return session.execute(
        select(Invitation).where(Invitation.token_hash == token_hash).with_for_update()
    ).scalar_one_or_none()


def invitation_by_token(session: Session, token_hash: bytes) -> Invitation | None:
    return session.execute(
        select(Invitation).where(Invitation.token_hash == token_hash)
    ).scalar_one_or_none()


def get_invitation(session: Session, case_id: uuid.UUID,
                   invitation_id: uuid.UUID) -> Invitation | None:
    row = session.get(Invitation, invitation_id)
    return row if row is not None and row.case_id == case_id else None


def list_invitations(session: Session, case_id: uuid.UUID) -> list[Invitation]:
    return list(session.execute(
        select(Invitation).where(Invitation.case_id == case_id)
        .order_by(Invitation.created_at.desc(), Invitation.id)
    ).scalars())


def invitations_for_email(session: Session, email: str) -> list[Invitation]:
    return list(session.execute(
        select(Invitation).where(Invitation.email == email)
        .order_by(Invitation.created_at.desc(), Invitation.id)
    ).scalars())


def pending_for_email(session: Session, email: str, now: datetime) -> list[Invitation]:
    """Invitations to ``email`` still open to an answer (pending, not expired)."""
    return list(session.execute(
        select(Invitation).where(Invitation.email == email,
                                 Invitation.status == INVITATION_PENDING,
                                 Invitation.expires_at > now)
        .order_by(Invitation.expires_at, Invitation.id)
    ).scalars())


def lock_invitation(session: Session, invitation_id: uuid.UUID) -> Invitation | None:
    return session.execute(
        select(Invitation).where(Invitation.id == invitation_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def find_member(session: Session, case_id: uuid.UUID, user_id: uuid.UUID, role: str,
                party_key: str) -> Member | None:
    return session.execute(select(Member).where(
        Member.case_id == case_id, Member.user_id == user_id, Member.role == role,
        Member.party_key == party_key,
    )).scalar_one_or_none()


def get_member(session: Session, case_id: uuid.UUID, member_id: uuid.UUID) -> Member | None:
    member = session.get(Member, member_id)
    return member if member is not None and member.case_id == case_id else None
