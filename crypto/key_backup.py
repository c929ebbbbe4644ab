"""Case keys in a backup: each case's KEK versions sealed on their own, under the master key.

Format: JSON ``{"format", "case_id", "nonce", "sealed"}`` where ``sealed`` is
AES-256-GCM(master key, nonce, JSON {version: base64 KEK}, aad = domain || case id). The AAD
binds the case id, so a file renamed to another case fails to open.

Why one file per case: a case destroyed after the backup was taken can be made
unrecoverable from that backup by deleting its one file (``settleroom backup-forget``),
without the master key and without touching the other cases. The master key itself is never
written here: whoever holds a backup's key files without the master key holds nothing usable.
"""

from __future__ import annotations

import base64
import binascii
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crypto.errors import KeyProviderError
from crypto.keys import (
    MASTER_KEY_LEN,
    WRAP_NONCE_LEN,
    fingerprint,
    key_check_value,
    key_label,
    validate_case_id,
)

FORMAT = "settleroom-case-key-backup/1"
_AAD = b"settleroom/case-key-backup/v1\0"


def _aesgcm(master_key: bytes) -> AESGCM:
    if not isinstance(master_key, bytes) or len(master_key) != MASTER_KEY_LEN:
        raise KeyProviderError("a case key backup needs the 32-byte master key")
    return AESGCM(master_key)


def fingerprints(case_id: str, keys: dict[int, bytes]) -> list[str]:
    """The public fingerprints of the case's KEK versions (as destruction certificates
    list them), ascending by version."""
    return [fingerprint(key_label(case_id, v), key_check_value(keys[v])) for v in sorted(keys)]


def seal_case_keys(master_key: bytes, case_id: str, keys: dict[int, bytes]) -> bytes:
    aad = _AAD + validate_case_id(case_id).encode("ascii")
    document = json.dumps({str(v): base64.b64encode(k).decode("ascii")
                           for v, k in sorted(keys.items())}).encode("utf-8")
    nonce = os.urandom(WRAP_NONCE_LEN)
    sealed = _aesgcm(master_key).encrypt(nonce, document, aad)
    return json.dumps({"format": FORMAT, "case_id": case_id,
                       "nonce": base64.b64encode(nonce).decode("ascii"),
                       "sealed": base64.b64encode(sealed).decode("ascii")}).encode("utf-8")


def open_case_keys(master_key: bytes, case_id: str, data: bytes) -> dict[int, bytes]:
    """The case's KEK versions; ``KeyProviderError`` for another master key, another case's
    file, or a damaged one (the message names no key)."""
    aad = _AAD + validate_case_id(case_id).encode("ascii")
    try:
        doc = json.loads(data)
        if doc.get("format") != FORMAT or doc.get("case_id") != case_id:
            raise ValueError("format")
        nonce = base64.b64decode(doc["nonce"], validate=True)
        sealed = base64.b64decode(doc["sealed"], validate=True)
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        raise KeyProviderError("a case key file of the backup is corrupt") from None
    try:
        document = _aesgcm(master_key).decrypt(nonce, sealed, aad)
    except (InvalidTag, ValueError):
        raise KeyProviderError("a case key file of the backup cannot be opened with this "
                               "master key (another key, or tampered)") from None
    keys = {int(v): base64.b64decode(k, validate=True)
            for v, k in json.loads(document).items()}
    if not keys or any(len(k) != 32 for k in keys.values()):
        raise KeyProviderError("a case key file of the backup is corrupt")
    return keys
