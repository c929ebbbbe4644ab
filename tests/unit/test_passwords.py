"""The sign-in timing equaliser: an unknown account costs one Argon2id verification with
the parameters of a real hash, without any hash computed to make it."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters
from argon2.exceptions import VerifyMismatchError

from app.kernel.passwords import Passwords


def test_the_equaliser_has_a_real_hashs_parameters_and_matches_no_password():
    passwords = Passwords(time_cost=2, memory_kib=64, parallelism=1)
    real = passwords.hash("correct horse battery staple")
    assert extract_parameters(passwords._dummy) == extract_parameters(real)
    # A well-formed hash: verifying computes Argon2 and then mismatches (a malformed one
    # would be refused before any computation, and cost nothing).
    with pytest.raises(VerifyMismatchError):
        passwords._hasher.verify(passwords._dummy, "correct horse battery staple")
    assert passwords.verify(None, "correct horse battery staple") is False
    assert passwords.verify(real, "correct horse battery staple") is True
    assert Passwords(time_cost=2, memory_kib=64, parallelism=1)._dummy != passwords._dummy
