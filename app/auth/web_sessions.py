"""Browser sessions and CSRF tokens.

Threat assumptions: the cookie may be read from a database dump (only its SHA-256 is
stored), replayed after sign-out (a revoked row never comes back), left open on a shared
machine (idle and absolute time-outs), or ridden by another site (SameSite=Strict, and a
per-session synchronizer token on every form), or outlive a sign-out everywhere, a password
change or a change of second factor made anywhere (each row carries the user's token
generation, checked on every page as the API checks it in every access token). The API keeps
its bearer tokens; a cookie never authenticates an API call.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timedelta

from fastapi import Response
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.config import Settings
from app.models.web import WebSession

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
# last_seen_at is written at most this often: a page view need not always write.
TOUCH_INTERVAL = timedelta(seconds=60)
SIGNIN_COOKIE_SECONDS = 1800


def _secure(settings: Settings) -> bool:
    return settings.env != "dev"


def cookie_name(settings: Settings) -> str:
    # __Host- pins the cookie to this origin, path / and Secure: only usable over HTTPS.
    return "__Host-settleroom" if _secure(settings) else "settleroom_session"


def signin_cookie_name(settings: Settings) -> str:
    return "__Host-settleroom_signin" if _secure(settings) else "settleroom_signin"


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def create(session: Session, user_id: uuid.UUID, generation: int,
           now: datetime) -> tuple[str, WebSession]:
    """A session of the user's current token generation (a later bump ends it)."""
    token = secrets.token_urlsafe(32)
    row = WebSession(id_hash=_hash(token), user_id=user_id, created_at=now, last_seen_at=now,
                     csrf_secret=secrets.token_bytes(32), generation=generation)
    session.add(row)
    session.flush()
    return token, row


def is_expired(row: WebSession, now: datetime) -> bool:
    return (row.revoked_at is not None or now - row.last_seen_at >= IDLE_TIMEOUT
            or now - row.created_at >= ABSOLUTE_TIMEOUT)


def resolve(session: Session, token: str | None, now: datetime, *,
            touch: bool = True) -> WebSession | None:
    """The live session of the cookie, its idle clock advanced; None if absent or timed out.

    ``touch=False`` reads without advancing the idle clock: a page that polls by itself
    (the ENE page's change feed) is no sign that someone is at the machine, and must not
    keep an unattended session alive past the idle time-out."""
    if not token or len(token) > 200:
        return None
    row = session.get(WebSession, _hash(token))
    if row is None or is_expired(row, now):
        return None
    if touch and now - row.last_seen_at >= TOUCH_INTERVAL:
        row.last_seen_at = now
    return row


def csrf_token(row: WebSession) -> str:
    return hmac.new(row.csrf_secret, b"settleroom-csrf:" + row.id_hash, hashlib.sha256).hexdigest()


def csrf_ok(row: WebSession, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(csrf_token(row), str(submitted))


def revoke(session: Session, row: WebSession, now: datetime) -> None:
    row.revoked_at = now


def keep(row: WebSession, generation: int) -> None:
    """After every session of the account was ended, this one (the browser that made the
    change) goes on under the new generation."""
    row.revoked_at = None
    row.generation = generation


def revoke_all(session: Session, user_id: uuid.UUID, now: datetime) -> int:
    result = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def live_sessions(session: Session, user_id: uuid.UUID, now: datetime) -> list[WebSession]:
    rows = session.execute(
        select(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
        .order_by(WebSession.created_at)
    ).scalars()
    return [r for r in rows if not is_expired(r, now)]


def set_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(cookie_name(settings), token, httponly=True, samesite="strict",
                        secure=_secure(settings), path="/",
                        max_age=int(ABSOLUTE_TIMEOUT.total_seconds()))


def clear_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(cookie_name(settings), path="/", httponly=True, samesite="strict",
                           secure=_secure(settings))


def new_signin_token() -> str:
    return secrets.token_urlsafe(24)


def set_signin_cookie(response: Response, settings: Settings, token: str) -> None:
    """Double-submit token of the sign-in form (no session exists yet to bind it to)."""
    response.set_cookie(signin_cookie_name(settings), token, httponly=True, samesite="strict",
                        secure=_secure(settings), path="/", max_age=SIGNIN_COOKIE_SECONDS)


def signin_csrf_ok(cookie: str | None, submitted: str | None) -> bool:
    return bool(cookie) and bool(submitted) and hmac.compare_digest(str(cookie), str(submitted))
