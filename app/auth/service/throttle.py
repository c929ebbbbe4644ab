"""Sign-in throttling: per (account, address) pair with growing delays, a ceiling per
account and a limit per address that the owner's usual addresses do not meet.

Threats: an online guesser of one account from one address (the pair's delays double after a
few free failures), a guesser spread over many addresses (the per-account ceiling), a
sprayer trying many accounts from one address (the per-address limit), and an adversary who
knows the victim's e-mail and fails on purpose to lock the owner out before a deadline: the
ceiling and the address limit never apply to an address the owner signed in from recently,
and a pair's delays only slow the pair that failed.

Atomicity: ``admit`` locks the rows before it reads them and counts the attempt as a failure
before its password is verified, in a transaction of its own that commits at once; the
verification runs after, holding no lock. Concurrent attempts therefore each see the ones
before them: twenty simultaneous wrong passwords are twenty counted failures, and only those
the limits admit get as far as Argon2. ``settle`` takes the charge back on success.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.auth import repository as repo
from app.db import commit
from app.errors import RateLimited
from app.models.users import LoginThrottle
from app.refusals import refuse
from app.runtime import Services


@dataclass(frozen=True)
class Attempt:
    """The counter keys an admitted attempt was charged to."""

    pair: str
    account: str
    address: str

    @property
    def keys(self) -> list[str]:
        return [self.pair, self.account, self.address]


def keyed(svc: Services, kind: str, value: str) -> str:
    """A counter's key (the password reset limits' too): ``kind`` and a keyed hash."""
    # Keyed: the table never holds an e-mail or an address, nor a hash one could test
    # guesses against without the service's key.
    digest = hmac.new(svc.hmac_key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest[:48]}"


def attempt_keys(svc: Services, *, account: str, address: str | None) -> Attempt:
    where = address or "unknown"
    return Attempt(pair=keyed(svc, "pair", f"{account}\x00{where}"),
                   account=keyed(svc, "account", account), address=keyed(svc, "address", where))


def pair_delay(svc: Services, failures: int) -> int:
    """Seconds a pair waits after its ``failures``-th failure in a row."""
    s = svc.settings
    if failures < s.login_pair_free_failures:
        return 0
    doublings = min(failures - s.login_pair_free_failures, 32)
    return min(s.login_pair_max_delay_seconds, s.login_pair_first_delay_seconds * 2 ** doublings)


def _roll(row: LoginThrottle, svc: Services, now: datetime, *, pair: bool) -> None:
    """Start a new count: a pair after a quiet day, an account or address every window."""
    s = svc.settings
    if row.blocked_until is not None and row.blocked_until > now:
        return
    if pair:
        stale = now - row.updated_at >= timedelta(seconds=s.login_pair_forget_seconds)
    else:
        stale = now - row.window_started_at >= timedelta(seconds=s.login_failure_window_seconds)
    if stale:
        row.failures, row.window_started_at, row.blocked_until = 0, now, None


def _known(row: LoginThrottle, svc: Services, now: datetime) -> bool:
    days = svc.settings.login_known_address_days
    return row.last_success_at is not None and now - row.last_success_at < timedelta(days=days)


def _refuse(session: Session, kind: str, retry_after: float) -> None:
    seconds = max(1, int(retry_after + 0.999))
    refuse(session, None, "auth.login", "user", None, RateLimited(
        "Too many failed sign-in attempts. Wait and try again.",
        headers={"Retry-After": str(seconds)},
    ), audit_reason=f"rate_limited_{kind}")


def admit(session: Session, svc: Services, attempt: Attempt, now: datetime) -> None:
    """Refuse (429) an attempt the limits do not allow; otherwise count it as failed and
    commit that, before anyone verifies anything. The session must hold no other write."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("admit would commit writes that are not its own")
    s = svc.settings
    rows = repo.lock_throttles(session, attempt.keys, now)
    pair, account, address = rows[attempt.pair], rows[attempt.account], rows[attempt.address]
    _roll(pair, svc, now, pair=True)
    _roll(account, svc, now, pair=False)
    _roll(address, svc, now, pair=False)
    window = timedelta(seconds=s.login_failure_window_seconds)
    if pair.blocked_until is not None and pair.blocked_until > now:
        _refuse(session, "pair", (pair.blocked_until - now).total_seconds())
    if not _known(pair, svc, now):
        if account.failures >= s.login_max_failures_per_account:
            _refuse(session, "account", (account.window_started_at + window - now).total_seconds())
        if address.failures >= s.login_max_failures_per_address:
            _refuse(session, "address", (address.window_started_at + window - now).total_seconds())
    for row in (pair, account, address):
        row.failures += 1
        row.updated_at = now
    delay = pair_delay(svc, pair.failures)
    pair.blocked_until = now + timedelta(seconds=delay) if delay else None
    commit(session)


def settle(session: Session, svc: Services, attempt: Attempt, now: datetime) -> None:
    """A success: the pair starts afresh and becomes known; the charge is taken back from the
    account and the address (their other failures stay counted)."""
    rows = repo.lock_throttles(session, attempt.keys, now)
    pair = rows[attempt.pair]
    pair.failures, pair.blocked_until, pair.last_success_at = 0, None, now
    for key in (attempt.account, attempt.address):
        rows[key].failures = max(0, rows[key].failures - 1)
    for row in rows.values():
        row.updated_at = now
    s = svc.settings
    repo.forget_throttles(
        session, quiet_since=now - timedelta(seconds=max(s.login_pair_forget_seconds,
                                                          s.login_failure_window_seconds)),
        success_since=now - timedelta(days=s.login_known_address_days), now=now)
