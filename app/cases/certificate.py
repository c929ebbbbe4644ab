"""Destruction certificates: signed statements that a case's keys were destroyed.

The payload names the case, the time, the fingerprint of every destroyed key version and
the signed tree head taken right after the destruction event was logged. ``verify`` is
pure: with the log's public key (``trusted_key_pem``) it needs nothing else.

The key is required. The payload carries the signer's public key too, but a certificate
checked against the key it carries proves only that someone signed it: a forger signs
with a key of their own. The caller gets the log's key from a source it trusts
(``app.trusted_keys``) and names that source.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from crypto import signing

CERTIFICATE_TYPE = "settleroom/case-destruction/v1"


class CertificateError(Exception):
    """The certificate does not verify."""


def make_certificate(key: Ed25519PrivateKey, *, case_id: str, destroyed_at: str,
                     fingerprints: list[str], tree_head: dict[str, Any]) -> dict[str, Any]:
    return signing.sign_document({
        "type": CERTIFICATE_TYPE,
        "case_id": case_id,
        "destroyed_at": destroyed_at,
        "key_fingerprints": sorted(fingerprints),
        "tree_head": tree_head,
        "public_key_pem": signing.public_key_to_pem(key.public_key()).decode(),
    }, key)


def _document(data: bytes) -> dict[str, Any]:
    doc = json.loads(data)
    doc = doc.get("certificate", doc)  # accept the API answer as saved
    if not isinstance(doc, dict):
        raise CertificateError("the certificate is malformed")
    return doc


def signer_key_id(data: bytes) -> str:
    """The key the certificate claims to be signed by (unverified: to pick the trusted key
    to check it with)."""
    try:
        key_id = _document(data)["key_id"]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise CertificateError("the certificate is malformed") from None
    if not isinstance(key_id, str):
        raise CertificateError("the certificate is malformed")
    return key_id


def verify_certificate(data: bytes, trusted_key_pem: bytes) -> dict[str, Any]:
    """The payload, if the log's key ``trusted_key_pem`` signed the certificate and its
    tree head."""
    try:
        doc = _document(data)
        key = signing.load_public_key_pem(trusted_key_pem)
        if doc.get("key_id") != signing.key_id(key):
            raise CertificateError("the certificate is signed by a key other than the "
                                   "trusted one")
        payload = signing.verify_document(doc, key)
        if payload.get("type") != CERTIFICATE_TYPE:
            raise CertificateError("not a destruction certificate")
        head = payload["tree_head"]
        signing.verify_tree_head(signing.TreeHead(
            int(head["tree_size"]), bytes.fromhex(head["root_hash"]),
            int(head["timestamp_ms"]), head["key_id"],
            base64.b64decode(head["signature"], validate=True)), key)
        if not payload["key_fingerprints"]:
            raise CertificateError("the certificate names no destroyed key")
    except CertificateError:
        raise
    except signing.InvalidSignature:
        raise CertificateError("a signature does not verify") from None
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        raise CertificateError("the certificate is malformed") from None
    return dict(payload)
