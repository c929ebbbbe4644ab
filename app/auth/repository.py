"""SQL for accounts, refresh tokens, recovery codes, sign-in throttles and password resets."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from app.db import dialect_insert
from app.models.users import LoginThrottle, PasswordReset, RecoveryCode, RefreshToken, User


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
    """The row locked, and its attributes read again: a copy loaded earlier in the session
    (before the lock was taken) must not decide anything."""
    return session.execute(
        select(User).where(User.id == user_id).with_for_update()
        .execution_options(populate_existing=True)
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


def lock_throttles(
    session: Session, keys: list[str], now: datetime
) -> dict[str, LoginThrottle]:
    """The throttle rows of ``keys``, created if absent, locked in key order (two attempts
    lock the rows they share in the same order: no deadlock). SQLite has no row locks; its
    writing transactions hold the database's write lock from BEGIN IMMEDIATE."""
    ordered = sorted(set(keys))
    for _ in range(3):  # a row swept between the insert and the lock is inserted again
        session.execute(dialect_insert(session)(LoginThrottle).values([
            {"key": k, "failures": 0, "window_started_at": now, "updated_at": now}
            for k in ordered
        ]).on_conflict_do_nothing(index_elements=["key"]))
        rows = session.execute(
            select(LoginThrottle).where(LoginThrottle.key.in_(ordered))
            .order_by(LoginThrottle.key).with_for_update()
            .execution_options(populate_existing=True)
        ).scalars()
        found = {row.key: row for row in rows}
        if len(found) == len(ordered):
            return found
    raise RuntimeError("throttle rows vanished three times in a row")


def forget_throttles(session: Session, *, quiet_since: datetime, success_since: datetime,
                     now: datetime) -> None:
    """Drop rows that hold nothing any more: no failure since ``quiet_since``, no block in
    force, no success recent enough to make an address known."""
    session.execute(delete(LoginThrottle).where(
        LoginThrottle.updated_at < quiet_since,
        or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until <= now),
        or_(LoginThrottle.last_success_at.is_(None),
            LoginThrottle.last_success_at < success_since),
    ))


def replace_recovery_codes(session: Session, user_id: uuid.UUID, hashes: list[bytes],
                           now: datetime) -> None:
    delete_recovery_codes(session, user_id)
    session.add_all([RecoveryCode(user_id=user_id, code_hash=h, created_at=now) for h in hashes])
    session.flush()


def delete_recovery_codes(session: Session, user_id: uuid.UUID) -> None:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))


def unused_recovery_code(session: Session, user_id: uuid.UUID,
                         code_hash: bytes) -> RecoveryCode | None:
    return session.execute(
        select(RecoveryCode).where(RecoveryCode.user_id == user_id,
                                   RecoveryCode.code_hash == code_hash,
                                   RecoveryCode.used_at.is_(None))
    ).scalar_one_or_none()


def count_unused_recovery_codes(session: Session, user_id: uuid.UUID) -> int:
    return len(session.execute(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user_id,
                                      RecoveryCode.used_at.is_(None))
    ).all())


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


def add_password_reset(session: Session, row: PasswordReset) -> None:
    session.add(row)
    session.flush()


def password_reset_by_hash(session: Session, token_hash: bytes, *,
                           lock: bool) -> PasswordReset | None:
    """Locked when it is to be used: of two uses of one link at once, the second waits and
    then finds it used."""
    stmt = select(PasswordReset).where(PasswordReset.token_hash == token_hash)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.execute(stmt).scalar_one_or_none()
