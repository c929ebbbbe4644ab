"""Audit bundles: a case's events with inclusion proofs, a signed tree head and the public
keys, the whole signed again. ``verify_bundle`` is pure and needs no database.

Completeness: an entry of format 2 numbers its case's events (``case_seq``: 1, 2, 3... in
leaf order). The bundle's events must carry every number from the first to the last, so an
event left out of the bundle, or deleted from the log before a later event of the case was
logged, shows as a gap. Events of format 1 (logged before the counter) carry no number:
they must all come first, and the first numbered event must be numbered one more than
them, so their count is proven but not which they are. A bundle of format 1 events only
proves inclusion, not completeness (``BundleReport.numbered`` is 0).

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

from app.audit.entry import Entry, EntryError, first_case_seq, parse_entry
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
    numbered: int  # events proven complete: the case's events 1..numbered, none missing


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


class _Completeness:
    """The case's numbers must run 1, 2, 3... over the bundle's events (see the module)."""

    def __init__(self) -> None:
        self.uncounted = 0
        self.last: int | None = None

    def check(self, index: int, parsed: Entry) -> None:
        if parsed.case_seq is None:
            if self.last is not None:
                raise BundleError(f"leaf {index}: an event without a case number after "
                                  "numbered ones")
            self.uncounted += 1
            return
        due = first_case_seq(self.uncounted) if self.last is None else self.last + 1
        if parsed.case_seq > due:
            missing = (f"event {due}" if parsed.case_seq == due + 1
                       else f"events {due} to {parsed.case_seq - 1}")
            raise BundleError(f"leaf {index}: {missing} of the case missing from the bundle "
                              "(the case's events are numbered without gaps)")
        if parsed.case_seq < due:
            raise BundleError(f"leaf {index}: case number {parsed.case_seq} repeated or out "
                              "of order")
        self.last = parsed.case_seq


def _check_events(payload: dict[str, Any], size: int, root: bytes) -> tuple[int, int]:
    previous = -1
    completeness = _Completeness()
    for item in payload["events"]:
        index, entry = int(item["leaf_index"]), str(item["entry"]).encode()
        if index <= previous:
            raise BundleError(f"events out of order at leaf {index}")
        previous = index
        try:
            parsed = parse_entry(entry)
        except EntryError as exc:
            raise BundleError(f"leaf {index}: {exc}") from None
        if parsed.leaf_index != index or str(parsed.case_id) != payload["case_id"]:
            raise BundleError(f"leaf {index}: the entry does not match its position or case")
        proof = [bytes.fromhex(p) for p in item["inclusion_proof"]]
        try:
            merkle.verify_inclusion(merkle.leaf_hash(entry), index, size, proof, root)
        except merkle.ProofError:
            raise BundleError(f"leaf {index}: not included in the signed tree head") from None
        completeness.check(index, parsed)
    return len(payload["events"]), completeness.last or 0


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
        count, numbered = _check_events(payload, size, root)
    except BundleError:
        raise
    except signing.InvalidSignature:
        raise BundleError("a signature does not verify") from None
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
        raise BundleError("the bundle is malformed") from None
    return BundleReport(case_id=payload["case_id"], events=count, tree_size=size,
                        root_hash=root.hex(), key_id=doc["key_id"],
                        key_pinned=trusted_key_pem is not None, numbered=numbered)
