"""SQL for accounts, refresh tokens and login failures."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.models.users import LoginFailure, RefreshToken, User


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user(session: Session, user_id: uuid.UUID) -> User | None:
    return session.get(User, user_id)


def users_by_id(session: Session, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, User]:
    if not user_ids:
        return {}
    rows = session.execute(select(User).where(User.id.in_(list(user_ids)))).scalars()
    return {user.id: user for user in rows}


def get_user_for_update(session: Session, user_id: uuid.UUID) -> User | None:
    return session.execute(
        select(User).where(User.id == user_id).with_for_update()
    ).scalar_one_or_none()


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.execute(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def any_user_exists(session: Session) -> bool:
    return session.execute(select(User.id).limit(1)).first() is not None


def add_user(session: Session, user: User) -> User:
    session.add(user)
    session.flush()
    return user


def list_users(session: Session, *, offset: int, limit: int) -> list[User]:
    return list(
        session.execute(select(User).order_by(User.created_at, User.id).offset(offset).limit(limit))
        .scalars()
    )


def count_failures(session: Session, key: str, since: datetime) -> int:
    return int(
        session.execute(
            select(func.count()).select_from(LoginFailure).where(
                LoginFailure.key == key, LoginFailure.created_at >= since
            )
        ).scalar_one()
    )


def add_failures(session: Session, keys: list[str], now: datetime) -> None:
    session.add_all([LoginFailure(key=k, created_at=now) for k in keys])
    session.flush()


def clear_failures(session: Session, key: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.key == key))


def add_refresh_token(session: Session, token: RefreshToken) -> None:
    session.add(token)
    session.flush()


def get_refresh_token_for_update(session: Session, token_hash: bytes) -> RefreshToken | None:
    return session.execute(
        select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
    ).scalar_one_or_none()


def revoke_family(session: Session, family_id: uuid.UUID, now: datetime) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_user_tokens(session: Session, user_id: uuid.UUID, now: datetime) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
