"""Argon2id password hashing. Cost parameters come from settings (cheap only in tests)."""

from __future__ import annotations

import base64
import os

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.low_level import ARGON2_VERSION

from app.config import Settings

MIN_PASSWORD_LENGTH = 12


class Passwords:
    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        self._dummy = _equaliser(self._hasher)

    @classmethod
    def from_settings(cls, settings: Settings) -> Passwords:
        return cls(
            time_cost=settings.argon2_time_cost,
            memory_kib=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        try:
            return (self._hasher.verify(stored_hash or self._dummy, password)
                    and bool(stored_hash))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii").rstrip("=")


def _equaliser(hasher: PasswordHasher) -> str:
    """What a sign-in for an account that does not exist is verified against, so both paths
    cost one Argon2id computation with the same parameters (the cost of verifying depends on
    the parameters written in the encoded hash, never on its digest). An encoded hash with
    this hasher's parameters, a random salt and a random digest: no password hashes to it
    (a match is a 2**-256 chance, and ``verify`` refuses a missing hash anyway), and it is
    written, not computed, so no Argon2 hash is paid for it at start-up or on first use."""
    return (f"$argon2id$v={ARGON2_VERSION}$m={hasher.memory_cost},t={hasher.time_cost},"
            f"p={hasher.parallelism}${_b64(os.urandom(hasher.salt_len))}"
            f"${_b64(os.urandom(hasher.hash_len))}")
