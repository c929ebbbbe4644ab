"""Exceptions raised by the ``crypto`` package.

Invariant: no exception raised here ever carries plaintext, key material, wrapped keys
or ciphertext in its message or attributes. Callers may therefore log them freely.
Every integrity or authentication failure is reported as the single opaque
``InvalidCiphertext`` (as Fernet's ``InvalidToken``): an attacker who tampers with a
blob learns nothing about *which* check failed.
"""

from __future__ import annotations

__all__ = ["InvalidCiphertext", "KeyDestroyed", "KeyProviderError"]


class InvalidCiphertext(Exception):  # noqa: N818 - the name is part of the contract
    """A blob, header, segment or wrapped key failed authentication or parsing.

    Raised for tampering, truncation, reordering, a blob moved to another case, object
    or version, and for a header naming a key version that does not exist.
    """


class KeyDestroyed(Exception):  # noqa: N818 - the name is part of the contract
    """The case's key-encryption keys were destroyed (crypto-shredded).

    Content sealed under them is permanently unreadable; callers map this to 410 Gone.
    """


class KeyProviderError(Exception):
    """The key store is unreachable, misconfigured or was asked for something impossible.

    Examples: the key file has unsafe permissions, the token is missing, a case already
    has keys, or an operation names a case that was never created.
    """
