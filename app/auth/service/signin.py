"""Login, token refresh and rotation, logout.

Threat assumptions: an attacker may guess passwords (``throttle``: per account and address
pair with growing delays, a ceiling per account, a limit per address, each checked under a
row lock and charged before the password is verified; the same answer and cost for unknown
accounts), steal a refresh token (single use; reuse revokes the whole family), replay a TOTP
code or a recovery code (the accepted time step is remembered and a recovery code is spent,
both under the lock of the user's row, so concurrent sign-ins with one code see each other),
or keep using an access token or a browser session after logout (both carry the user's token
generation, which logout bumps: ``sessions.end_every_session``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth import repository as repo
from app.auth.schemas import TokenPair
from app.auth.service import throttle
from app.auth.service.factors import accept_second_factor
from app.auth.service.sessions import end_every_session
from app.context import Principal
from app.db import begin, defer_after_rollback
from app.errors import Unauthenticated
from app.kernel.tokens import hash_refresh_token, new_refresh_token
from app.models.base import utcnow
from app.models.users import RefreshToken, User
from app.refusals import refuse
from app.runtime import Services


class InvalidCredentials(Unauthenticated):
    code = "invalid_credentials"
    title = "Invalid credentials"


def _fail_login(session: Session, user: User | None, reason: str) -> None:
    """The attempt was already counted as failed (``throttle.admit``): audit and answer."""
    actor = None if user is None else Principal(user.id, user.email, user.name, False)
    refuse(session, actor, "auth.login", "user", user.id if user else None,
           InvalidCredentials("The email, password or second-factor code is not correct."),
           audit_reason=reason)


def issue_pair(
    session: Session, svc: Services, user: User, now: datetime, family_id: uuid.UUID | None = None
) -> TokenPair:
    access, expires_in = svc.access_tokens.issue(user.id, user.token_generation, now)
    token, token_hash = new_refresh_token()
    repo.add_refresh_token(
        session,
        RefreshToken(
            user_id=user.id, family_id=family_id or uuid.uuid4(), token_hash=token_hash,
            expires_at=now + timedelta(days=svc.settings.refresh_token_days), created_at=now,
        ),
    )
    return TokenPair(access_token=access, refresh_token=token, expires_in=expires_in,
                     password_change_required=user.must_change_password)


def login(
    session: Session, svc: Services, *, email: str, password: str, otp: str | None,
    client_address: str | None,
) -> TokenPair:
    user = authenticate(session, svc, email=email, password=password, otp=otp,
                        client_address=client_address)
    return issue_pair(session, svc, user, utcnow())


def authenticate(
    session: Session, svc: Services, *, email: str, password: str, otp: str | None,
    client_address: str | None,
) -> User:
    """Every sign-in check (throttle, password, second factor); the caller issues the
    credential (a token pair for the API, a cookie session for the browser).

    Three steps: the throttle admits and charges the attempt and commits; the password is
    verified holding no transaction; then, with the user's row locked, the second factor is
    checked and spent and the charge is taken back. The session must hold no write of its
    own when this is called (the first step commits)."""
    now = svc.now()
    attempt = throttle.attempt_keys(svc, account=repo.normalise_email(email),
                                    address=client_address)
    found = repo.get_user_by_email(session, email)
    stored_hash = found.password_hash if found else None
    user_id = found.id if found else None
    throttle.admit(session, svc, attempt, now)  # commits: Argon2 runs holding no lock
    ok = svc.passwords.verify(stored_hash, password)
    begin(session, write=True)
    user = repo.get_user_for_update(session, user_id) if user_id else None
    if not ok or user is None or not user.is_active or user.password_hash != stored_hash:
        _fail_login(session, user, "invalid_credentials")
    assert user is not None
    method = accept_second_factor(session, svc, user, otp, now) if user.totp_enabled else None
    if user.totp_enabled and method is None:
        _fail_login(session, user, "invalid_second_factor")
    if svc.passwords.needs_rehash(user.password_hash):
        user.password_hash = svc.passwords.hash(password)
    throttle.settle(session, svc, attempt, now)
    # Which factor signed in: a spent recovery code is worth noticing in the log.
    record(session, _principal(user), "auth.login", "user", user.id,
           {"method": method} if method else None)
    return user


def refresh(session: Session, svc: Services, *, refresh_token: str) -> TokenPair:
    now = utcnow()
    row = repo.get_refresh_token_for_update(session, hash_refresh_token(refresh_token))
    if row is None:
        raise Unauthenticated("The refresh token is not valid.", code="invalid_refresh_token")
    if row.used_at is not None or row.revoked_at is not None:
        family_id, user_id = row.family_id, row.user_id

        def revoke(s: Session) -> None:
            repo.revoke_family(s, family_id, utcnow())

        defer_after_rollback(session, revoke)
        refuse(session, None, "auth.refresh", "user", user_id,
               Unauthenticated("The refresh token is not valid.", code="invalid_refresh_token"),
               details={"family_id": family_id}, audit_reason="refresh_token_reused")
    user = repo.get_user(session, row.user_id)
    if row.expires_at <= now or user is None or not user.is_active:
        raise Unauthenticated("The refresh token is not valid.", code="invalid_refresh_token")
    row.used_at = now
    pair = issue_pair(session, svc, user, now, family_id=row.family_id)
    record(session, _principal(user), "auth.refresh", "user", user.id,
           {"family_id": row.family_id})
    return pair


def _principal(user: User) -> Principal:
    return Principal(user.id, user.email, user.name, user.is_platform_admin)


def logout(session: Session, ctx: Principal) -> None:
    """Sign out everywhere: every token and every browser session of the account ends."""
    user = repo.get_user_for_update(session, ctx.user_id)
    assert user is not None
    end_every_session(session, user, utcnow())
    record(session, ctx, "auth.logout", "user", user.id)


# --- lookups for other domains ------------------------------------------------------


