"""Accounts, refresh-token families, recovery codes and sign-in throttles."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.models.base import METADATA, TYPE_ANNOTATION_MAP, CreatedMixin, IdMixin


class UsersBase(DeclarativeBase):
    """The registry of this aggregate's mappers (``app.models.base.Base`` says why)."""

    metadata = METADATA
    type_annotation_map = TYPE_ANNOTATION_MAP


class User(IdMixin, CreatedMixin, UsersBase):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Set when someone else chose the password (the platform admin creating the account):
    # until its owner replaces it, the account may do nothing but change it.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Bumped whenever every session must end (logout everywhere, a password change, a
    # second factor set, replaced or removed): access tokens and browser sessions carry it
    # and die with it.
    token_generation: Mapped[int] = mapped_column(default=0)
    totp_secret: Mapped[str | None] = mapped_column(String(64), default=None)
    totp_enabled: Mapped[bool] = mapped_column(default=False)
    # The last accepted TOTP time step: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(default=None)
    # A factor being set up (or replacing the enabled one): active only once confirmed.
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64), default=None)
    totp_pending_at: Mapped[datetime | None] = mapped_column(default=None)


class RefreshToken(IdMixin, CreatedMixin, UsersBase):
    """Opaque, single-use, rotated; only a hash is stored. Reuse revokes the family."""

    __tablename__ = "refresh_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    family_id: Mapped[uuid.UUID] = mapped_column(index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class RecoveryCode(IdMixin, CreatedMixin, UsersBase):
    """A one-time code that stands in for the second factor; only its keyed hash is stored."""

    __tablename__ = "recovery_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class PasswordReset(IdMixin, CreatedMixin, UsersBase):
    """A request to reset a password by e-mail link. Only the token's hash is stored; the
    token is derived by the mail worker at delivery and exists afterwards only in the mail.

    ``user_id`` is None for a request naming an address without an account: the request
    writes the same rows either way, so its answer and its work tell nothing of the address
    (such a row has no link anywhere and can never be redeemed). ``generation`` is the
    account's token generation when the link was asked for: any later password change,
    reset or sign-out everywhere ends the link, as it ends every session."""

    __tablename__ = "password_resets"

    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, default=None)
    generation: Mapped[int] = mapped_column(default=0)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class LoginThrottle(UsersBase):
    """Sign-in attempt counters, one row per key: a keyed hash of an account name, of a
    client address, or of the pair of both. A row is locked before it is checked, and an
    attempt is counted as a failure before its password is verified (``app.auth.throttle``).
    """

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime]
    blocked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_success_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(index=True)
