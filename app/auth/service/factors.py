"""Second factors: TOTP codes (never accepted twice) and one-time recovery codes.

Recovery codes carry 50 random bits each; only an HMAC under the service key is stored, so a
database dump alone neither reveals nor lets one test them. Each is spent by the sign-in (or
factor change) that uses it, under the lock of the user's row.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp
from sqlalchemy.orm import Session

from app.auth import repository as repo
from app.models.users import User
from app.runtime import Services

TOTP_STEP_SECONDS = 30
TOTP_VALID_WINDOW = 1  # one step either side, for clock drift
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
_RECOVERY_LENGTH = 10
_TOTP_CODE = re.compile(r"^[0-9]{6}$")


def totp_step(secret: str | None, code: str | None, now: datetime,
              last_step: int | None) -> int | None:
    """The matched time step, or None. A step at or before ``last_step`` is refused."""
    if not code or not secret or not _TOTP_CODE.match(code):
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_STEP_SECONDS)
    current = int(now.timestamp()) // TOTP_STEP_SECONDS
    for step in range(current - TOTP_VALID_WINDOW, current + TOTP_VALID_WINDOW + 1):
        expected = totp.at(step * TOTP_STEP_SECONDS)
        if hmac.compare_digest(expected, code) and step > (last_step if last_step is not None
                                                           else -1):
            return step
    return None


def _normalise_recovery(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def _recovery_hash(svc: Services, user: User, code: str) -> bytes:
    message = b"settleroom-recovery:" + user.id.bytes + _normalise_recovery(code).encode()
    return hmac.new(svc.hmac_key, message, hashlib.sha256).digest()


def new_recovery_codes(session: Session, svc: Services, user: User, now: datetime) -> list[str]:
    """Replace the user's recovery codes; the plain codes are returned once, never stored."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    repo.replace_recovery_codes(session, user.id, [_recovery_hash(svc, user, c) for c in codes],
                                now)
    return codes


def accept_second_factor(session: Session, svc: Services, user: User, code: str | None,
                         now: datetime) -> str | None:
    """Check the enabled factor of ``user`` (row locked by the caller) against ``code``: a
    TOTP code whose step is then spent, or an unused recovery code, then spent. Returns
    which (``"totp"`` or ``"recovery_code"``), or None."""
    if not code:
        return None
    step = totp_step(user.totp_secret, code, now, user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        return "totp"
    if len(_normalise_recovery(code)) != _RECOVERY_LENGTH:
        return None
    row = repo.unused_recovery_code(session, user.id, _recovery_hash(svc, user, code))
    if row is None:
        return None
    row.used_at = now
    return "recovery_code"


def forget_factor(session: Session, user: User) -> None:
    user.totp_secret = None
    user.totp_enabled = False
    user.totp_last_step = None
    user.totp_pending_secret = None
    user.totp_pending_at = None
    repo.delete_recovery_codes(session, user.id)
