"""Confidential values at rest: sealed under the case key, with the row's identity bound in.

Every confidential column (amounts, terms, bodies, statements, filenames) stores the blob
of ``crypto.envelope.seal`` for (case id, object type, object id, content version), so a
blob copied to another row, case or version fails to open. Tables with such columns
register them in ``SEALED_COLUMNS`` so that key rotation can rewrap every data key without
re-encrypting content. Tables of values derived from content under a case key (keyed
hashes) register in ``KEYED_TABLES``: destroying the case deletes their rows.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.errors import AppError, Gone
from crypto import envelope
from crypto.errors import InvalidCiphertext, KeyDestroyed, KeyProviderError
from crypto.keys import KeyProvider

logger = logging.getLogger("settleroom.sealing")


class IntegrityFailure(AppError):
    status, code, title = 500, "integrity_failure", "Stored content failed its integrity check"


class CaseDestroyed(Gone):
    code = "case_destroyed"
    title = "Case content destroyed"

    def __init__(self) -> None:
        super().__init__("The keys of this case were destroyed; its content is gone.")


@dataclass(frozen=True)
class SealedColumn:
    """A column holding sealed blobs: how to find each blob's binding in its row."""

    model: Any
    column: str
    object_type: str
    case_id: Callable[[Any], uuid.UUID]
    object_id: Callable[[Any], uuid.UUID | str]
    version: Callable[[Any], int]


SEALED_COLUMNS: list[SealedColumn] = []


def register_sealed(column: SealedColumn) -> None:
    SEALED_COLUMNS.append(column)


# Tables whose rows are derived from content under a key of the case (keyed hashes of its
# text, sealed analyses): useless once the keys are gone, and deleted with them.
KEYED_TABLES: list[Any] = []


def register_keyed(model: Any) -> None:
    """A table with a ``case_id`` column whose rows destruction deletes."""
    KEYED_TABLES.append(model)


def create_case_key(provider: KeyProvider, case_id: uuid.UUID) -> None:
    provider.create_kek(str(case_id))


# The purpose of the per-case key that keys hashes of content in audit details.
CONTENT_MAC_PURPOSE = b"settleroom/audit-content-mac/v1"


def content_mac(provider: KeyProvider, case_id: uuid.UUID, digest: str) -> str:
    """A keyed hash (hex HMAC-SHA256) of a content digest, for records shown to people who
    may not see the content: audit event details, the audit page, exports.

    Threat: a plain SHA-256 of offer terms lets an auditor or room admin confirm guesses
    of an amount (a few hundred tries cover the round figures). The key is derived by the
    key provider from the case's first KEK, so the value is the same for the same content
    throughout the case (an overseer can still see that the accepted terms are the offered
    ones), differs between cases, and can be recomputed by no one once the case is
    destroyed. The parties keep the plain digest they need to accept.
    """
    try:
        key = provider.derive_key(str(case_id), CONTENT_MAC_PURPOSE)
    except KeyDestroyed:
        raise CaseDestroyed() from None
    return hmac.new(key, digest.encode("ascii"), hashlib.sha256).hexdigest()


def seal_bytes(provider: KeyProvider, *, case_id: uuid.UUID, object_type: str,
               object_id: uuid.UUID | str, plaintext: bytes, version: int = 1) -> bytes:
    try:
        return envelope.seal(provider, case_id=str(case_id), object_type=object_type,
                             object_id=str(object_id), content_version=version,
                             plaintext=plaintext)
    except KeyDestroyed:
        raise CaseDestroyed() from None


def open_bytes(provider: KeyProvider, blob: bytes, *, case_id: uuid.UUID, object_type: str,
               object_id: uuid.UUID | str, version: int = 1) -> bytes:
    try:
        return envelope.open_(provider, blob, case_id=str(case_id), object_type=object_type,
                              object_id=str(object_id), content_version=version)
    except KeyDestroyed:
        raise CaseDestroyed() from None
    except InvalidCiphertext:
        if _destroyed(provider, case_id):
            raise CaseDestroyed() from None
        logger.error("integrity failure on a sealed %s", object_type)
        raise IntegrityFailure("Stored content failed its integrity check.") from None


def _destroyed(provider: KeyProvider, case_id: uuid.UUID) -> bool:
    """Whether the key store holds the case's tombstone.

    Destruction overwrites every sealed value of the case with an empty one before the
    keys go, so a reader that gets past its guard meets a value that no longer parses:
    that is content gone (410), not corrupt storage (500). Asked only after a failure.
    """
    try:
        provider.current_version(str(case_id))
    except KeyDestroyed:
        return True
    except KeyProviderError:
        return False
    return False


def seal_json(provider: KeyProvider, value: Any, **binding: Any) -> bytes:
    return seal_bytes(provider, plaintext=json.dumps(value, separators=(",", ":")).encode(),
                      **binding)


def open_json(provider: KeyProvider, blob: bytes, **binding: Any) -> Any:
    return json.loads(open_bytes(provider, blob, **binding))
