"""Argon2id password hashing. Cost parameters come from settings (cheap only in tests)."""

from __future__ import annotations

import threading

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.config import Settings

MIN_PASSWORD_LENGTH = 12


class Passwords:
    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        # Verified against when the account does not exist, so both paths cost the same.
        # Hashed on first need (or by ``warm`` in the background right after start-up),
        # not at start-up: one Argon2 hash is most of a restart's time otherwise.
        self._dummy: str | None = None
        self._dummy_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Passwords:
        return cls(
            time_cost=settings.argon2_time_cost,
            memory_kib=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def warm(self) -> None:
        """Compute the timing-equaliser hash now (the server calls this off the request path)."""
        self._dummy_hash()

    def _dummy_hash(self) -> str:
        with self._dummy_lock:
            if self._dummy is None:
                self._dummy = self._hasher.hash("settleroom-timing-equaliser")
            return self._dummy

    def verify(self, stored_hash: str | None, password: str) -> bool:
        try:
            return (self._hasher.verify(stored_hash or self._dummy_hash(), password)
                    and bool(stored_hash))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)
