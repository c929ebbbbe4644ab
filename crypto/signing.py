"""Ed25519 signatures for the audit log: tree heads, C2SP checkpoints, documents.

Three signed formats, each over its own domain-separated bytes so that a
signature made for one can never be replayed as another:

* ``TreeHead``: ``b"settleroom/tree-head/v1\\0" || u64 size || u64 timestamp_ms ||
  root (32) || key_id (64 ASCII hex)``, all integers big-endian.
* C2SP signed notes (c2sp.org/signed-note) and tlog checkpoints
  (c2sp.org/tlog-checkpoint), byte-compatible with golang.org/x/mod/sumdb/note so
  that standard witnesses and verifiers check settleroom heads without our code.
* Documents: ``b"settleroom/document/v1\\0" || canonical_json({"algorithm",
  "key_id", "payload"})``, binding the key id and algorithm into the signature.

Threat model: everything verified here (heads, notes, documents) may come from an
attacker; the public key / verifier key string is trusted configuration. Every
verification failure, whatever its cause (bad encoding, wrong key, wrong origin,
tampered byte), raises the one opaque ``InvalidSignature``. Malformed *trusted*
inputs (a bad verifier key string, a non-Ed25519 PEM) raise ``ValueError``.
Private keys never appear in exceptions or return values other than the PEM export.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature as _BackendInvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from crypto.canonical import canonical_json

ALGORITHM = "Ed25519"
SIGNATURE_SIZE = 64
_TREE_HEAD_DOMAIN = b"settleroom/tree-head/v1\x00"
_DOCUMENT_DOMAIN = b"settleroom/document/v1\x00"
_NOTE_ED25519 = 0x01
_NOTE_SIG_PREFIX = "\u2014 "  # em dash, space
_MAX_NOTE_SIGNATURES = 100
_MAX_NOTE_SIZE = 1 << 20
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}")
_KEY_ID = re.compile(r"[0-9a-f]{64}")

AnyEd25519Key = Ed25519PrivateKey | Ed25519PublicKey


class InvalidSignature(Exception):  # noqa: N818 - mirrors cryptography's name
    """A signature, tree head, note, checkpoint or document failed verification.

    Deliberately opaque: the message never says which check failed.
    """


def _fail() -> InvalidSignature:
    return InvalidSignature("signature verification failed")


# --- keys --------------------------------------------------------------------


def generate_private_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 signing key from the OS CSPRNG."""
    return Ed25519PrivateKey.generate()


def private_key_to_pem(key: Ed25519PrivateKey, password: bytes | None = None) -> bytes:
    """PKCS#8 PEM, encrypted with the best available scheme when ``password`` is given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def load_private_key_pem(data: bytes, password: bytes | None = None) -> Ed25519PrivateKey:
    """Load a PKCS#8 PEM private key; ``ValueError`` unless it is Ed25519."""
    try:
        key = serialization.load_pem_private_key(data, password=password)
    except (TypeError, ValueError) as exc:
        raise ValueError("not a loadable PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def public_key_to_pem(key: AnyEd25519Key) -> bytes:
    """SubjectPublicKeyInfo PEM of the (public half of the) key."""
    pub = _public(key)
    return pub.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_key_pem(data: bytes) -> Ed25519PublicKey:
    """Load a SubjectPublicKeyInfo PEM; ``ValueError`` unless it is Ed25519."""
    try:
        key = serialization.load_pem_public_key(data)
    except (TypeError, ValueError) as exc:
        raise ValueError("not a loadable PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def public_key_raw(key: AnyEd25519Key) -> bytes:
    """The 32-byte RFC 8032 encoding of the public key."""
    return _public(key).public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: AnyEd25519Key) -> str:
    """Lowercase hex SHA-256 of the DER SubjectPublicKeyInfo (as RFC 6962's LogID)."""
    der = _public(key).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def _public(key: AnyEd25519Key) -> Ed25519PublicKey:
    return key.public_key() if isinstance(key, Ed25519PrivateKey) else key


def _verify_raw(public_key: Ed25519PublicKey, signature: bytes, message: bytes) -> None:
    if not isinstance(signature, bytes) or len(signature) != SIGNATURE_SIZE:
        raise _fail()
    try:
        public_key.verify(signature, message)
    except _BackendInvalidSignature:
        raise _fail() from None


def _b64decode(text: str) -> bytes:
    """Strict standard base64: alphabet, padding and canonical form all enforced."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise _fail() from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise _fail()
    return raw


# --- tree heads --------------------------------------------------------------


@dataclass(frozen=True)
class TreeHead:
    """A signed statement "the log had ``tree_size`` leaves with this root at this time"."""

    tree_size: int
    root_hash: bytes
    timestamp_ms: int
    key_id: str
    signature: bytes


def tree_head_signing_input(
    tree_size: int, root_hash: bytes, timestamp_ms: int, signer_key_id: str
) -> bytes:
    """The exact bytes a tree head signature covers (``ValueError`` if out of range)."""
    if not (0 <= tree_size < 1 << 64 and 0 <= timestamp_ms < 1 << 64):
        raise ValueError("tree size and timestamp must fit in uint64")
    if len(root_hash) != 32 or not _KEY_ID.fullmatch(signer_key_id):
        raise ValueError("root must be 32 bytes and key id 64 lowercase hex digits")
    packed = struct.pack(">QQ", tree_size, timestamp_ms)
    return _TREE_HEAD_DOMAIN + packed + root_hash + signer_key_id.encode("ascii")


def sign_tree_head(
    private_key: Ed25519PrivateKey, tree_size: int, root_hash: bytes, timestamp_ms: int
) -> TreeHead:
    """Sign a tree head; the clock reading is a parameter (pure code)."""
    kid = key_id(private_key)
    message = tree_head_signing_input(tree_size, root_hash, timestamp_ms, kid)
    return TreeHead(tree_size, root_hash, timestamp_ms, kid, private_key.sign(message))


def verify_tree_head(head: TreeHead, public_key: Ed25519PublicKey) -> None:
    """Raise ``InvalidSignature`` unless ``public_key`` signed exactly this head."""
    if head.key_id != key_id(public_key):
        raise _fail()
    try:
        message = tree_head_signing_input(
            head.tree_size, head.root_hash, head.timestamp_ms, head.key_id
        )
    except (TypeError, ValueError):
        raise _fail() from None
    _verify_raw(public_key, head.signature, message)


# --- C2SP signed notes ---------------------------------------------------------


def _check_key_name(name: str) -> None:
    if not name or any(c.isspace() or c == "+" or ord(c) < 0x20 for c in name):
        raise ValueError("note key names must be non-empty, without spaces or '+'")


def note_key_hash(name: str, public_key: AnyEd25519Key) -> bytes:
    """4-byte key ID: SHA-256(name || 0x0A || 0x01 || raw public key)[:4]."""
    _check_key_name(name)
    material = name.encode("utf-8") + b"\n" + bytes([_NOTE_ED25519]) + public_key_raw(public_key)
    return hashlib.sha256(material).digest()[:4]


def note_verifier_key(name: str, public_key: AnyEd25519Key) -> str:
    """``<name>+<hex key hash>+<base64(0x01 || pubkey)>`` as used by sumdb/note."""
    encoded = base64.b64encode(bytes([_NOTE_ED25519]) + public_key_raw(public_key)).decode()
    return f"{name}+{note_key_hash(name, public_key).hex()}+{encoded}"


def parse_note_verifier_key(vkey: str) -> tuple[str, Ed25519PublicKey]:
    """Parse a verifier key string; ``ValueError`` if malformed or its hash disagrees."""
    parts = vkey.split("+", 2)
    if len(parts) != 3 or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
        raise ValueError("malformed note verifier key")
    name = parts[0]
    _check_key_name(name)
    try:
        raw = _b64decode(parts[2])
    except InvalidSignature:
        raise ValueError("malformed note verifier key") from None
    if len(raw) != 33 or raw[0] != _NOTE_ED25519:
        raise ValueError("not an Ed25519 note verifier key")
    public_key = Ed25519PublicKey.from_public_bytes(raw[1:])
    if note_key_hash(name, public_key).hex() != parts[1]:
        raise ValueError("note verifier key hash does not match the key")
    return name, public_key


def sign_note(text: str, private_key: Ed25519PrivateKey, name: str) -> str:
    """Sign ``text`` (must end in a newline) as a one-signature C2SP signed note."""
    _check_key_name(name)
    if not text.endswith("\n") or _has_forbidden_chars(text):
        raise ValueError("note text must end with a newline and hold no control characters")
    signature = private_key.sign(text.encode("utf-8"))
    blob = base64.b64encode(note_key_hash(name, private_key) + signature).decode("ascii")
    return f"{text}\n{_NOTE_SIG_PREFIX}{name} {blob}\n"


def _has_forbidden_chars(text: str) -> bool:
    return any((ord(c) < 0x20 and c != "\n") or 0xD800 <= ord(c) <= 0xDFFF for c in text)


def _split_note(data: str | bytes) -> tuple[str, list[tuple[str, bytes, bytes]]]:
    """Split a note into text and (name, key hash, signature) lines, strictly."""
    if len(data) > _MAX_NOTE_SIZE:
        raise _fail()
    try:
        note = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise _fail() from None
    if _has_forbidden_chars(note) or not note.endswith("\n"):
        raise _fail()
    cut = note.rfind("\n\n")
    if cut < 0:
        raise _fail()
    text, lines = note[: cut + 1], note[cut + 2 : -1].split("\n")
    if len(lines) > _MAX_NOTE_SIGNATURES:
        raise _fail()
    sigs: list[tuple[str, bytes, bytes]] = []
    for line in lines:
        if not line.startswith(_NOTE_SIG_PREFIX):
            raise _fail()
        name, _, blob = line[len(_NOTE_SIG_PREFIX) :].partition(" ")
        raw = _b64decode(blob)
        try:
            _check_key_name(name)
        except ValueError:
            raise _fail() from None
        if len(raw) < 5:
            raise _fail()
        sigs.append((name, raw[:4], raw[4:]))
    return text, sigs


def split_note(data: str | bytes) -> tuple[str, list[tuple[str, bytes, bytes]]]:
    """The note text and its signature lines as ``(name, key hash, signature)``; any
    malformation raises ``InvalidSignature`` (for cosignature and witness code)."""
    return _split_note(data)


def verify_note(note: str | bytes, verifier_key: str) -> str:
    """Return the note text if the verifier key signed it, else ``InvalidSignature``.

    Per the spec, signatures from other keys (witness cosignatures) are ignored,
    a signature from our key that fails rejects the note, and so do two
    signatures from our key or none at all.
    """
    name, public_key = parse_note_verifier_key(verifier_key)
    key_hash = note_key_hash(name, public_key)
    text, sigs = _split_note(note)
    ours = [sig for n, h, sig in sigs if n == name and h == key_hash]
    if len(ours) != 1:
        raise _fail()
    _verify_raw(public_key, ours[0], text.encode("utf-8"))
    return text


# --- C2SP tlog checkpoints -------------------------------------------------------


def checkpoint_body(origin: str, tree_size: int, root_hash: bytes) -> str:
    """The three mandatory checkpoint lines, each newline-terminated."""
    if not origin or "\n" in origin or _has_forbidden_chars(origin):
        raise ValueError("origin must be a non-empty single line")
    if not 0 <= tree_size < 1 << 64 or len(root_hash) != 32:
        raise ValueError("tree size must fit in uint64 and root must be 32 bytes")
    return f"{origin}\n{tree_size}\n{base64.b64encode(root_hash).decode('ascii')}\n"


def make_checkpoint(
    origin: str, tree_size: int, root_hash: bytes, private_key: Ed25519PrivateKey, name: str
) -> str:
    """A signed C2SP checkpoint; ``name`` should equal ``origin`` per the spec."""
    return sign_note(checkpoint_body(origin, tree_size, root_hash), private_key, name)


def verify_checkpoint(
    note: str | bytes, verifier_key: str, *, expected_origin: str | None = None
) -> tuple[str, int, bytes]:
    """Verify a checkpoint note and return ``(origin, tree_size, root_hash)``.

    Extension lines are allowed (and ignored) as the spec requires; with
    ``expected_origin`` a checkpoint of any other log is rejected.
    """
    text = verify_note(note, verifier_key)
    lines = text[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines):
        raise _fail()
    origin, size_line, root_line = lines[:3]
    if expected_origin is not None and origin != expected_origin:
        raise _fail()
    if not _DECIMAL.fullmatch(size_line) or int(size_line) >= 1 << 64:
        raise _fail()
    root = _b64decode(root_line)
    if len(root) != 32:
        raise _fail()
    return origin, int(size_line), root


# --- documents -----------------------------------------------------------------


def _document_signing_input(payload: Any, signer_key_id: str) -> bytes:
    envelope = {"algorithm": ALGORITHM, "key_id": signer_key_id, "payload": payload}
    return _DOCUMENT_DOMAIN + canonical_json(envelope)


def sign_document(obj: Mapping[str, Any], private_key: Ed25519PrivateKey) -> dict[str, Any]:
    """Sign a JSON object; returns ``{payload, signature (b64), key_id, algorithm}``.

    The returned payload is the canonical round trip of ``obj`` (tuples become
    lists), i.e. exactly what was signed, detached from the caller's object.
    ``TypeError``/``ValueError`` if ``obj`` has no canonical JSON form.
    """
    payload = json.loads(canonical_json(dict(obj)))
    kid = key_id(private_key)
    signature = private_key.sign(_document_signing_input(payload, kid))
    return {
        "payload": payload,
        "signature": base64.b64encode(signature).decode("ascii"),
        "key_id": kid,
        "algorithm": ALGORITHM,
    }


def verify_document(doc: Mapping[str, Any], public_key: Ed25519PublicKey) -> dict[str, Any]:
    """Return a copy of the payload if ``public_key`` signed ``doc``, else ``InvalidSignature``.

    Extra top-level fields are rejected: nothing unsigned may ride along.
    """
    if not isinstance(doc, Mapping) or set(doc) != {"payload", "signature", "key_id", "algorithm"}:
        raise _fail()
    payload, signature = doc["payload"], doc["signature"]
    if doc["algorithm"] != ALGORITHM or doc["key_id"] != key_id(public_key):
        raise _fail()
    if not isinstance(payload, dict) or not isinstance(signature, str):
        raise _fail()
    try:
        message = _document_signing_input(payload, doc["key_id"])
    except (TypeError, ValueError):
        raise _fail() from None
    _verify_raw(public_key, _b64decode(signature), message)
    result: dict[str, Any] = json.loads(canonical_json(payload))
    return result
