"""Audit bundles: a case's events with inclusion proofs, a signed tree head and the public
keys, the whole signed again. ``verify_bundle`` is pure and needs no database.

Tamper evidence: the bundle is canonical JSON and signed as a whole, so changing any byte
either breaks the canonical form, the bundle signature, the tree-head signature, a leaf
hash or an inclusion proof. Pass the log's public key out of band (``trusted_key_pem``) to
rule out a bundle re-signed with another key; without it the key inside the bundle is used.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from crypto import merkle, signing
from crypto.canonical import canonical_json

BUNDLE_FORMAT = "settleroom-audit-bundle/v1"


class BundleError(Exception):
    """The bundle does not verify; the message says which check failed."""


@dataclass(frozen=True)
class BundleReport:
    case_id: str
    events: int
    tree_size: int
    root_hash: str
    key_id: str
    key_pinned: bool


def _public_key(payload: dict[str, Any], key_id: str, trusted: bytes | None) -> Any:
    if trusted is not None:
        key = signing.load_public_key_pem(trusted)
        if signing.key_id(key) != key_id:
            raise BundleError("the bundle is signed by a key other than the trusted one")
        return key
    for entry in payload.get("public_keys", []):
        if entry.get("key_id") == key_id:
            return signing.load_public_key_pem(str(entry["public_key_pem"]).encode())
    raise BundleError("the signing key is not in the bundle")


def _check_head(payload: dict[str, Any], trusted: bytes | None) -> tuple[int, bytes]:
    head = payload["tree_head"]
    key = _public_key(payload, head["key_id"], trusted)
    size, root = int(head["tree_size"]), bytes.fromhex(head["root_hash"])
    signed = signing.TreeHead(size, root, int(head["timestamp_ms"]), head["key_id"],
                              base64.b64decode(head["signature"], validate=True))
    signing.verify_tree_head(signed, key)
    vkey = signing.note_verifier_key(payload["origin"], key)
    origin, cp_size, cp_root = signing.verify_checkpoint(head["checkpoint"], vkey,
                                                         expected_origin=payload["origin"])
    if (cp_size, cp_root) != (size, root):
        raise BundleError("the checkpoint and the tree head disagree")
    return size, root


def _check_events(payload: dict[str, Any], size: int, root: bytes) -> int:
    previous = -1
    for item in payload["events"]:
        index, entry = int(item["leaf_index"]), str(item["entry"]).encode()
        if index <= previous:
            raise BundleError(f"events out of order at leaf {index}")
        previous = index
        fields = json.loads(entry)
        if fields.get("leaf_index") != index or fields.get("case_id") != payload["case_id"]:
            raise BundleError(f"leaf {index}: the entry does not match its position or case")
        proof = [bytes.fromhex(p) for p in item["inclusion_proof"]]
        try:
            merkle.verify_inclusion(merkle.leaf_hash(entry), index, size, proof, root)
        except merkle.ProofError:
            raise BundleError(f"leaf {index}: not included in the signed tree head") from None
    return len(payload["events"])


def verify_bundle(data: bytes, trusted_key_pem: bytes | None = None) -> BundleReport:
    try:
        doc = json.loads(data)
        if canonical_json(doc) != data:
            raise BundleError("the bundle is not in its canonical form (it was modified)")
        payload = doc["payload"]
        if payload.get("format") != BUNDLE_FORMAT:
            raise BundleError("unknown bundle format")
        signing.verify_document(doc, _public_key(payload, doc["key_id"], trusted_key_pem))
        size, root = _check_head(payload, trusted_key_pem)
        count = _check_events(payload, size, root)
    except BundleError:
        raise
    except signing.InvalidSignature:
        raise BundleError("a signature does not verify") from None
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
        raise BundleError("the bundle is malformed") from None
    return BundleReport(case_id=payload["case_id"], events=count, tree_size=size,
                        root_hash=root.hex(), key_id=doc["key_id"],
                        key_pinned=trusted_key_pem is not None)
