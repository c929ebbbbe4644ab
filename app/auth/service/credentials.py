"""Use cases: change one's password; set up, replace or remove the second factor.

Threat: a stolen access token (or an unattended browser) must not be enough to take the
account over. Every change of credential asks for the password again, and for the current
second factor when one is enabled (a TOTP code or a recovery code); these checks go through
the sign-in throttle, so a stolen token is no faster a password oracle than the sign-in
form. A change ends every session of the account (``sessions.end_every_session``): tokens
and browser sessions opened with the old credentials die with it.
"""

from __future__ import annotations

from datetime import timedelta

import pyotp
from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth import common_passwords
from app.auth import repository as repo
from app.auth.schemas import RecoveryCodes, TotpSetup
from app.auth.service import throttle
from app.auth.service.factors import (
    accept_second_factor,
    forget_factor,
    new_recovery_codes,
    totp_step,
)
from app.auth.service.sessions import end_every_session
from app.context import Principal
from app.db import begin
from app.errors import Conflict, Invalid
from app.models.users import User
from app.refusals import refuse
from app.runtime import Services

# A factor set up but not confirmed within this time must be set up again.
TOTP_PENDING_TIMEOUT = timedelta(minutes=10)


class PasswordTooCommon(Invalid):
    code = "password_too_common"


def check_new_password(password: str) -> None:
    """Refuse a password from the shipped list of common and breached passwords."""
    if common_passwords.is_common(password):
        raise PasswordTooCommon(
            "This password is too common: it is on a list of passwords that attackers try "
            "first. Choose another one, for example several unrelated words.")


def reauthenticate(
    session: Session, ctx: Principal, svc: Services, *, action: str, password: str,
    code: str | None,
) -> User:
    """The caller proves the password again, and the current second factor when one is set;
    returns the user's row, locked. Counted by the sign-in throttle like a sign-in."""
    now = svc.now()
    user = repo.get_user(session, ctx.user_id)
    assert user is not None
    attempt = throttle.attempt_keys(svc, account=user.email, address=ctx.client_address)
    stored_hash = user.password_hash
    throttle.admit(session, svc, attempt, now)  # commits: Argon2 runs holding no lock
    ok = svc.passwords.verify(stored_hash, password)
    begin(session, write=True)
    user = repo.get_user_for_update(session, ctx.user_id)
    assert user is not None
    if not ok or user.password_hash != stored_hash:
        refuse(session, ctx, action, "user", user.id,
               Invalid("The current password is not correct.", code="wrong_password"))
    if user.totp_enabled and accept_second_factor(session, svc, user, code, now) is None:
        refuse(session, ctx, action, "user", user.id, Invalid(
            "Type the current code of your second factor, or one of your recovery codes.",
            code="invalid_second_factor"), audit_reason="invalid_second_factor")
    throttle.settle(session, svc, attempt, now)
    return user


def change_password(
    session: Session, ctx: Principal, svc: Services, *, current_password: str, new_password: str,
    code: str | None = None,
) -> User:
    """Also the first sign-in's forced change: a password someone else chose (the platform
    admin) must be replaced by a different one, or whoever chose it still knows it."""
    check_new_password(new_password)
    user = reauthenticate(session, ctx, svc, action="auth.password_change",
                          password=current_password, code=code)
    first = user.must_change_password
    if first and svc.passwords.verify(user.password_hash, new_password):
        refuse(session, ctx, "auth.password_change", "user", user.id, Invalid(
            "Choose a password of your own: the new password must differ from the one you "
            "were given.", code="password_unchanged"))
    user.password_hash = svc.passwords.hash(new_password)
    user.must_change_password = False
    end_every_session(session, user, svc.now())
    record(session, ctx, "auth.password_change", "user", user.id,
           {"status": "first_password"} if first else None)
    return user


def begin_totp(
    session: Session, ctx: Principal, svc: Services, *, password: str, code: str | None,
) -> TotpSetup:
    """Start setting up a factor (or replacing the enabled one, which stays in force until
    the new one is confirmed)."""
    user = reauthenticate(session, ctx, svc, action="auth.totp_begin", password=password,
                          code=code)
    user.totp_pending_secret = pyotp.random_base32()
    user.totp_pending_at = svc.now()
    record(session, ctx, "auth.totp_begin", "user", user.id,
           {"status": "replace" if user.totp_enabled else "new"})
    uri = pyotp.TOTP(user.totp_pending_secret).provisioning_uri(name=user.email,
                                                                issuer_name="settleroom")
    return TotpSetup(secret=user.totp_pending_secret, otpauth_uri=uri)


def confirm_totp(session: Session, ctx: Principal, svc: Services, *, code: str) -> RecoveryCodes:
    """The new factor's first code makes it the account's factor; fresh recovery codes are
    returned (this once: only their hashes are kept) and every session ends."""
    now = svc.now()
    user = repo.get_user_for_update(session, ctx.user_id)
    assert user is not None
    pending_at = user.totp_pending_at
    if (not user.totp_pending_secret or pending_at is None
            or now - pending_at > TOTP_PENDING_TIMEOUT):
        raise Conflict("Start the second-factor set-up first (it expires after ten minutes).",
                       code="totp_not_pending")
    step = totp_step(user.totp_pending_secret, code, now, None)
    if step is None:
        refuse(session, ctx, "auth.totp_confirm", "user", user.id,
               Invalid("The code does not match.", code="invalid_second_factor"),
               audit_reason="invalid_code")
    replaced = user.totp_enabled
    user.totp_secret, user.totp_enabled, user.totp_last_step = user.totp_pending_secret, True, step
    user.totp_pending_secret = user.totp_pending_at = None
    codes = new_recovery_codes(session, svc, user, now)
    end_every_session(session, user, now)
    record(session, ctx, "auth.totp_confirm", "user", user.id,
           {"status": "replaced" if replaced else "enabled"})
    return RecoveryCodes(recovery_codes=codes)


def remove_totp(
    session: Session, ctx: Principal, svc: Services, *, password: str, code: str | None,
) -> User:
    user = reauthenticate(session, ctx, svc, action="auth.totp_remove", password=password,
                          code=code)
    if not user.totp_enabled:
        raise Conflict("No second factor is enabled.", code="totp_not_enabled")
    forget_factor(session, user)
    end_every_session(session, user, svc.now())
    record(session, ctx, "auth.totp_remove", "user", user.id)
    return user


def recovery_codes_left(session: Session, ctx: Principal) -> int:
    return repo.count_unused_recovery_codes(session, ctx.user_id)
