"""Accounts: creation by the platform admin, the start-up bootstrap, lists, and the lookups
other domains use (they reach accounts only through these functions)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth import repository as repo
from app.auth.schemas import UserRead
from app.auth.service.credentials import check_new_password
from app.context import Actor
from app.errors import Conflict
from app.kernel.passwords import Passwords
from app.models.users import User


def user_row(session: Session, user_id: uuid.UUID) -> User | None:
    return repo.get_user(session, user_id)


def user_rows(session: Session, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, User]:
    """Many users in one query (a page naming members never asks one by one)."""
    return repo.users_by_id(session, user_ids)


def user_by_email(session: Session, email: str) -> User | None:
    return repo.get_user_by_email(session, email)


def create_user(
    session: Session, ctx: Actor, passwords: Passwords, *, email: str, name: str, password: str,
    must_change_password: bool, is_platform_admin: bool = False,
) -> UserRead:
    """``must_change_password``: someone other than the account's owner chose the password
    (the platform admin, an operator at the command line); the owner must replace it before
    the account may do anything else (``app.deps``). Every caller says which it is."""
    email = repo.normalise_email(email)
    check_new_password(password)
    if repo.get_user_by_email(session, email) is not None:
        raise Conflict("An account with this email already exists.", code="email_taken")
    user = repo.add_user(session, User(
        email=email, name=name, password_hash=passwords.hash(password),
        is_platform_admin=is_platform_admin, must_change_password=must_change_password,
    ))
    record(session, ctx, "user.create", "user", user.id,
           {"role": "platform_admin" if is_platform_admin else "user",
            "status": "password_to_replace" if must_change_password else "password_chosen"})
    return UserRead.model_validate(user)


def bootstrap_admin(
    session: Session, passwords: Passwords, *, email: str, name: str, password: str
) -> UserRead | None:
    """Create the platform admin only when no user exists yet. Its password is the
    operator's own (``SETTLEROOM_ADMIN_PASSWORD``, or the generated one only the operator
    can read): it is not flagged for a change."""
    if repo.any_user_exists(session):
        return None
    return create_user(session, None, passwords, email=email, name=name, password=password,
                       must_change_password=False, is_platform_admin=True)


def list_users(session: Session, *, offset: int, limit: int) -> list[UserRead]:
    rows = repo.list_users(session, offset=offset, limit=limit)
    return [UserRead.model_validate(u) for u in rows]
