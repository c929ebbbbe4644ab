"""Use cases: change one's password, enable a second factor (TOTP).

A password change or a new factor bumps the user's token generation, which ends every
session and every access token already issued."""

from __future__ import annotations

import pyotp
from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth import repository as repo
from app.auth.schemas import TotpSetup
from app.auth.service.signin import totp_step_accepted
from app.context import Principal
from app.errors import Conflict, Invalid
from app.models.base import utcnow
from app.refusals import refuse
from app.runtime import Services


def change_password(
    session: Session, ctx: Principal, svc: Services, *, current_password: str, new_password: str
) -> None:
    user = repo.get_user_for_update(session, ctx.user_id)
    assert user is not None
    if not svc.passwords.verify(user.password_hash, current_password):
        refuse(session, ctx, "auth.password_change", "user", user.id,
               Invalid("The current password is not correct.", code="wrong_password"))
    user.password_hash = svc.passwords.hash(new_password)
    user.token_generation += 1
    repo.revoke_user_tokens(session, user.id, utcnow())
    record(session, ctx, "auth.password_change", "user", user.id)


def begin_totp(session: Session, ctx: Principal) -> TotpSetup:
    user = repo.get_user_for_update(session, ctx.user_id)
    assert user is not None
    if user.totp_enabled:
        raise Conflict("A second factor is already enabled.", code="totp_already_enabled")
    user.totp_secret = pyotp.random_base32()
    record(session, ctx, "auth.totp_begin", "user", user.id)
    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name="settleroom")
    return TotpSetup(secret=user.totp_secret, otpauth_uri=uri)


def confirm_totp(session: Session, ctx: Principal, *, code: str) -> None:
    user = repo.get_user_for_update(session, ctx.user_id)
    assert user is not None
    if user.totp_enabled or not user.totp_secret:
        raise Conflict("Start the second-factor set-up first.", code="totp_not_pending")
    step = totp_step_accepted(user, code, utcnow())
    if step is None:
        refuse(session, ctx, "auth.totp_confirm", "user", user.id,
               Invalid("The code does not match.", code="invalid_second_factor"),
               audit_reason="invalid_code")
    user.totp_enabled = True
    user.totp_last_step = step
    record(session, ctx, "auth.totp_confirm", "user", user.id)
