"""Login, token refresh and rotation, logout, password change, TOTP.

Threat assumptions: an attacker may guess passwords (rate limits per account and per
client address, the same answer and cost for unknown accounts), steal a refresh token
(single use; reuse revokes the whole family), replay a TOTP code (the accepted time step is
remembered), or keep using an access token after logout (tokens carry the user's token
generation, which logout and password change bump).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime, timedelta

import pyotp
from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth import repository as repo
from app.auth.schemas import TokenPair
from app.context import Principal
from app.db import defer_after_rollback
from app.errors import RateLimited, Unauthenticated
from app.kernel.tokens import hash_refresh_token, new_refresh_token
from app.models.base import utcnow
from app.models.users import RefreshToken, User
from app.refusals import refuse
from app.runtime import Services

TOTP_STEP_SECONDS = 30
TOTP_VALID_WINDOW = 1  # one step either side, for clock drift


class InvalidCredentials(Unauthenticated):
    code = "invalid_credentials"
    title = "Invalid credentials"


def _limit_key(svc: Services, kind: str, value: str) -> str:
    digest = hmac.new(svc.hmac_key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest[:48]}"


def _check_rate_limit(session: Session, svc: Services, keys: dict[str, str], now: datetime) -> None:
    since = now - timedelta(seconds=svc.settings.login_failure_window_seconds)
    limits = {
        "account": svc.settings.login_max_failures_per_account,
        "address": svc.settings.login_max_failures_per_address,
    }
    for kind, key in keys.items():
        if repo.count_failures(session, key, since) >= limits[kind]:
            refuse(session, None, "auth.login", "user", None, RateLimited(
                "Too many failed sign-in attempts. Wait and try again.",
                headers={"Retry-After": str(svc.settings.login_failure_window_seconds)},
            ), audit_reason=f"rate_limited_{kind}")


def _fail_login(session: Session, keys: list[str], user: User | None, reason: str) -> None:
    now = utcnow()

    def write(s: Session) -> None:
        repo.add_failures(s, keys, now)

    defer_after_rollback(session, write)
    actor = None if user is None else Principal(user.id, user.email, user.name, False)
    refuse(session, actor, "auth.login", "user", user.id if user else None,
           InvalidCredentials("The email, password or second-factor code is not correct."),
           audit_reason=reason)


def totp_step_accepted(user: User, code: str | None, now: datetime) -> int | None:
    """The matched time step, or None. A step at or before the last accepted one is refused."""
    if not code or not user.totp_secret:
        return None
    totp = pyotp.TOTP(user.totp_secret, interval=TOTP_STEP_SECONDS)
    current = int(now.timestamp()) // TOTP_STEP_SECONDS
    for step in range(current - TOTP_VALID_WINDOW, current + TOTP_VALID_WINDOW + 1):
        expected = totp.at(step * TOTP_STEP_SECONDS)
        if hmac.compare_digest(expected, code) and step > (user.totp_last_step or -1):
            return step
    return None


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
    return TokenPair(access_token=access, refresh_token=token, expires_in=expires_in)


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
    """Every sign-in check (rate limits, password, TOTP); the caller issues the credential
    (a token pair for the API, a cookie session for the browser)."""
    now = utcnow()
    keys = {
        "account": _limit_key(svc, "account", repo.normalise_email(email)),
        "address": _limit_key(svc, "address", client_address or "unknown"),
    }
    _check_rate_limit(session, svc, keys, now)
    user = repo.get_user_by_email(session, email)
    ok = svc.passwords.verify(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        _fail_login(session, list(keys.values()), user, "invalid_credentials")
    assert user is not None
    if user.totp_enabled:
        step = totp_step_accepted(user, otp, now)
        if step is None:
            _fail_login(session, list(keys.values()), user, "invalid_second_factor")
        user.totp_last_step = step
    if svc.passwords.needs_rehash(user.password_hash):
        user.password_hash = svc.passwords.hash(password)
    repo.clear_failures(session, keys["account"])
    record(session, _principal(user), "auth.login", "user", user.id)
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
    """Revoke every refresh token and, through the generation, every access token."""
    user = repo.get_user_for_update(session, ctx.user_id)
    assert user is not None
    user.token_generation += 1
    repo.revoke_user_tokens(session, user.id, utcnow())
    record(session, ctx, "auth.logout", "user", user.id)


# --- lookups for other domains ------------------------------------------------------


