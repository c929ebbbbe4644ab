"""Password reset by e-mail link.

Threats: an account oracle (learning whether an address has an account from the answer,
its timing or its side effects visible to the asker); flooding a mailbox or the outbox; a
guessed, replayed, expired or forwarded link; a link read from the database; a link still
working after the owner changed the password or signed out everywhere; a reset that leaves
an attacker's sessions alive.

Invariants:
- the request's answer is always ``202 {status: "requested"}`` and its work is the same for
  any address: one lookup by address, one ``password_resets`` row, one mail through the
  outbox. An address with an account gets the reset link; one without gets a mail saying
  that no account uses it (only the mailbox's owner learns that), and its row has no
  account and no link, so it can never be redeemed;
- limits, counted per hour in the sign-in throttle's table under keyed hashes: per client
  address (past it, 429, audited) and per e-mail address asked for (past it, the same 202
  and nothing is sent, so the limit tells nothing either);
- the token is derived by the mail worker at delivery (``capability_token``) and only its
  hash is stored; it works once, for an hour, for the account it was asked for, and only
  while the account's token generation is the one it was asked under: a password change,
  another reset or a sign-out everywhere ends it;
- a reset replaces the password (the usual rules), clears a pending forced change (the
  owner chose this one), ends every session and token of the account and keeps the second
  factor; it is audited with ids only, never the address.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth import repository as repo
from app.auth.service import throttle
from app.auth.service.credentials import check_new_password
from app.auth.service.sessions import end_every_session
from app.context import Principal
from app.errors import Conflict, Gone, NotFound, RateLimited
from app.kernel.tokens import CAPABILITY_TOKEN_LENGTH, capability_token, hash_capability_token
from app.models.users import LoginThrottle, PasswordReset, User
from app.notifications import service as notifications
from app.refusals import refuse
from app.runtime import Services

RESET_LIFETIME = timedelta(hours=1)
LIMIT_WINDOW = timedelta(hours=1)
TOKEN_PURPOSE = "password_reset"
LINK = "/password-reset/{token}"
NO_ACCOUNT_LINK = "/signin"
ACTION_REQUEST = "auth.password_reset_request"
ACTION_RESET = "auth.password_reset"


def _count(row: LoginThrottle, now: datetime) -> None:
    """A fixed window per key: ``failures`` counts the requests of the current hour."""
    if now - row.window_started_at >= LIMIT_WINDOW:
        row.failures, row.window_started_at, row.blocked_until = 0, now, None
    row.updated_at = now


def _admit(session: Session, svc: Services, *, email: str, client_address: str | None,
           now: datetime) -> bool:
    """Count the request; 429 past the client's limit, False past the address's."""
    s = svc.settings
    by_email = throttle.keyed(svc, "reset-email", email)
    by_client = throttle.keyed(svc, "reset-client", client_address or "unknown")
    rows = repo.lock_throttles(session, [by_email, by_client], now)
    for row in rows.values():
        _count(row, now)
    client, asked = rows[by_client], rows[by_email]
    if client.failures >= s.password_reset_max_per_client:
        retry = (client.window_started_at + LIMIT_WINDOW - now).total_seconds()
        refuse(session, None, ACTION_REQUEST, "user", None, RateLimited(
            "Too many password reset requests from here. Wait and try again.",
            headers={"Retry-After": str(max(1, int(retry + 0.999)))}),
            audit_reason="rate_limited_client")
    client.failures += 1
    if asked.failures >= s.password_reset_max_per_email:
        return False
    asked.failures += 1
    return True


def request_reset(session: Session, svc: Services, *, email: str,
                  client_address: str | None) -> None:
    """Answered the same way whatever happens here (but the client's 429)."""
    now = svc.now()
    email = repo.normalise_email(email)
    if not _admit(session, svc, email=email, client_address=client_address, now=now):
        record(session, None, ACTION_REQUEST, "user", None, {"status": "limited"})
        return
    user = repo.get_user_by_email(session, email)
    account = user if user is not None and user.is_active else None
    reset_id, nonce = uuid.uuid4(), secrets.token_bytes(32)
    # Computed for every request, so a request for an unknown address costs the same.
    token = capability_token(svc.hmac_key, TOKEN_PURPOSE, reset_id, nonce)
    expires_at = now + RESET_LIFETIME
    repo.add_password_reset(session, PasswordReset(
        id=reset_id, user_id=account.id if account else None,
        generation=account.token_generation if account else 0,
        token_hash=hash_capability_token(token), created_at=now, expires_at=expires_at))
    if account is not None:
        notifications.mail_address(
            session, to=email, kind="password_reset", case_id=None,
            object_type="password_reset", object_id=reset_id, link=LINK, now=now,
            due_at=expires_at, token_purpose=TOKEN_PURPOSE, token_nonce=nonce)
    else:
        notifications.mail_address(
            session, to=email, kind="password_reset.no_account", case_id=None,
            object_type="password_reset", object_id=reset_id, link=NO_ACCOUNT_LINK, now=now)
    record(session, None, ACTION_REQUEST, "user", account.id if account else None,
           {"status": "sent"})


def _usable(session: Session, svc: Services, token: str, *, lock: bool) -> PasswordReset:
    """The reset a link names, if it may still be used; refusals audited, with ids only."""
    row = None
    if len(token) == CAPABILITY_TOKEN_LENGTH:
        row = repo.password_reset_by_hash(session, hash_capability_token(token), lock=lock)
    if row is None or row.user_id is None:
        refuse(session, None, ACTION_RESET, "password_reset", None, NotFound(
            "This password reset link is not valid. Ask for a new one.",
            code="reset_link_invalid"))
    if row.used_at is not None:
        refuse(session, None, ACTION_RESET, "password_reset", row.id, Conflict(
            "This password reset link was already used. Ask for a new one if you need to.",
            code="reset_link_used"))
    if row.expires_at <= svc.now():
        refuse(session, None, ACTION_RESET, "password_reset", row.id, Gone(
            "This password reset link expired (links work for one hour). Ask for a new one.",
            code="reset_link_expired"))
    return row


def check_reset_link(session: Session, svc: Services, *, token: str) -> None:
    """Whether a link may still be used (the form is shown only then)."""
    row = _usable(session, svc, token, lock=False)
    user = repo.get_user(session, row.user_id)  # type: ignore[arg-type]
    _check_account(session, row, user)


def _check_account(session: Session, row: PasswordReset, user: User | None) -> User:
    if user is None or not user.is_active or user.token_generation != row.generation:
        refuse(session, None, ACTION_RESET, "password_reset", row.id, Gone(
            "This password reset link no longer works: the account's password or sessions "
            "changed since it was sent. Ask for a new one.", code="reset_link_expired"),
            audit_reason="reset_link_superseded")
    return user


def reset_password(session: Session, svc: Services, *, token: str, password: str) -> None:
    row = _usable(session, svc, token, lock=True)
    user = _check_account(session, row, repo.get_user_for_update(session, row.user_id))  # type: ignore[arg-type]
    check_new_password(password)
    now = svc.now()
    user.password_hash = svc.passwords.hash(password)
    user.must_change_password = False
    row.used_at = now
    end_every_session(session, user, now)
    record(session, Principal(user.id, user.email, user.name, user.is_platform_admin),
           ACTION_RESET, "user", user.id)
