"""Witness cosignatures (c2sp.org/tlog-cosignature, Ed25519 ``cosignature/v1``) and the
wire format of the witness protocol's ``add-checkpoint`` request (c2sp.org/tlog-witness).

A cosignature is a signed-note signature line by the witness's key:
``— <name> base64(key hash (4) || u64 timestamp || Ed25519 signature (64))``, where the key
hash is ``SHA-256(name || "\\n" || 0x04 || public key)[:4]`` and the signature covers
``"cosignature/v1\\ntime <timestamp>\\n" || checkpoint text``. The timestamp (POSIX
seconds) is bound into the signed message, so it cannot be changed without the key; the
key hash's 0x04 separates a cosignature from a plain note signature by the same key.

Threat model: checkpoints, cosignatures and request bodies come from the network and may
be forged; verifier key strings are trusted configuration. Every verification failure
raises the one opaque ``signing.InvalidSignature``; a malformed request body raises
``MalformedRequest`` (the witness answers 400); a malformed trusted key ``ValueError``.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature as _BackendInvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from crypto import merkle, signing

COSIGNATURE_V1 = 0x04
MAX_TIMESTAMP = (1 << 63) - 1
MAX_PROOF_LINES = 63
MAX_REQUEST_BYTES = 64 * 1024
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}")
_SIG_PREFIX = "\u2014 "


class MalformedRequest(ValueError):
    """An ``add-checkpoint`` body that does not follow the protocol's grammar."""


def _fail() -> signing.InvalidSignature:
    return signing.InvalidSignature("signature verification failed")


def _b64(text: str) -> bytes:
    """Strict standard base64 (canonical, padded); ``InvalidSignature`` otherwise."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, ValueError):
        raise _fail() from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise _fail()
    return raw


# --- cosigner keys -------------------------------------------------------------------


def cosigner_key_hash(name: str, public_key: signing.AnyEd25519Key) -> bytes:
    """4-byte key ID of an Ed25519 cosigner: SHA-256(name || 0x0A || 0x04 || key)[:4]."""
    signing.note_key_hash(name, public_key)  # the same name rules as any note key
    material = (name.encode("utf-8") + b"\n" + bytes([COSIGNATURE_V1])
                + signing.public_key_raw(public_key))
    return hashlib.sha256(material).digest()[:4]


def cosigner_verifier_key(name: str, public_key: signing.AnyEd25519Key) -> str:
    """The witness's verifier key: ``<name>+<hex key hash>+<base64(0x04 || key)>``."""
    raw = bytes([COSIGNATURE_V1]) + signing.public_key_raw(public_key)
    return (f"{name}+{cosigner_key_hash(name, public_key).hex()}+"
            f"{base64.b64encode(raw).decode('ascii')}")


def parse_cosigner_verifier_key(vkey: str) -> tuple[str, Ed25519PublicKey]:
    """Name and key of a cosigner verifier key; ``ValueError`` if malformed, of another
    signature type, or if its key hash disagrees with the key."""
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3 or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
        raise ValueError("malformed witness verifier key")
    try:
        raw = _b64(parts[2])
    except signing.InvalidSignature:
        raise ValueError("malformed witness verifier key") from None
    if len(raw) != 33 or raw[0] != COSIGNATURE_V1:
        raise ValueError("not an Ed25519 cosignature/v1 verifier key")
    public_key = Ed25519PublicKey.from_public_bytes(raw[1:])
    if cosigner_key_hash(parts[0], public_key).hex() != parts[1]:
        raise ValueError("witness verifier key hash does not match the key")
    return parts[0], public_key


# --- cosignatures --------------------------------------------------------------------


def cosignature_message(text: str, timestamp: int) -> bytes:
    """The exact bytes a cosignature/v1 signature covers."""
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def cosign(text: str, private_key: Ed25519PrivateKey, name: str, timestamp: int) -> str:
    """One signature line (newline-terminated) cosigning checkpoint ``text`` at
    ``timestamp`` (POSIX seconds, 1..2**63-1: the protocol forbids a zero timestamp)."""
    if not 0 < timestamp <= MAX_TIMESTAMP:
        raise ValueError("cosignature timestamps are 1 .. 2**63 - 1")
    if not text.endswith("\n") or len(text[:-1].split("\n")) < 3:
        raise ValueError("a checkpoint text has at least three newline-terminated lines")
    signature = private_key.sign(cosignature_message(text, timestamp))
    blob = cosigner_key_hash(name, private_key) + struct.pack(">Q", timestamp) + signature
    return f"{_SIG_PREFIX}{name} {base64.b64encode(blob).decode('ascii')}\n"


def verify_cosignature(note: str | bytes, verifier_key: str) -> int:
    """Return the timestamp of the cosignature by ``verifier_key`` on this note, else
    ``InvalidSignature``. Lines of other keys are ignored; none or two of ours fail."""
    name, public_key = parse_cosigner_verifier_key(verifier_key)
    key_hash = cosigner_key_hash(name, public_key)
    text, sigs = signing.split_note(note)
    ours = [blob for n, h, blob in sigs if n == name and h == key_hash]
    if len(ours) != 1 or len(ours[0]) != 8 + signing.SIGNATURE_SIZE:
        raise _fail()
    (timestamp,) = struct.unpack(">Q", ours[0][:8])
    if not 0 < timestamp <= MAX_TIMESTAMP:
        raise _fail()
    try:
        public_key.verify(ours[0][8:], cosignature_message(text, timestamp))
    except _BackendInvalidSignature:
        raise _fail() from None
    return int(timestamp)


def cosignature_timestamp(line: str) -> int:
    """The timestamp a cosignature line claims (not verified: for display and parsing)."""
    if not line.startswith(_SIG_PREFIX):
        raise _fail()
    raw = _b64(line[len(_SIG_PREFIX):].rstrip("\n").partition(" ")[2])
    if len(raw) != 4 + 8 + signing.SIGNATURE_SIZE:
        raise _fail()
    return int(struct.unpack(">Q", raw[4:12])[0])


# --- checkpoints -----------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    tree_size: int
    root_hash: bytes
    text: str  # the signed body, extension lines included


def checkpoint_origin(note: str | bytes) -> str:
    """The origin line of a note, unverified: to pick the keys to verify it with."""
    text, _ = signing.split_note(note)
    return text.split("\n", 1)[0]


def parse_checkpoint_text(text: str) -> Checkpoint:
    """Origin, size and root of a checkpoint body (signatures are checked elsewhere)."""
    lines = text[:-1].split("\n") if text.endswith("\n") else []
    if len(lines) < 3 or any(not line for line in lines):
        raise _fail()
    origin, size_line, root_line = lines[:3]
    if not _DECIMAL.fullmatch(size_line) or int(size_line) >= 1 << 64:
        raise _fail()
    root = _b64(root_line)
    if len(root) != merkle.HASH_SIZE:
        raise _fail()
    return Checkpoint(origin, int(size_line), root, text)


def open_checkpoint(note: str | bytes, log_verifier_keys: Sequence[str]) -> Checkpoint:
    """Verify a checkpoint against every trusted key of its log, as a witness must: at
    least one trusted key signed it, and every signature line that names a trusted key
    verifies (a bad one makes the note malformed). Unknown keys' lines are ignored."""
    text, sigs = signing.split_note(note)
    checkpoint = parse_checkpoint_text(text)
    trusted = 0
    for vkey in log_verifier_keys:
        name, public_key = signing.parse_note_verifier_key(vkey)
        key_hash = signing.note_key_hash(name, public_key)
        for n, h, sig in sigs:
            if n != name or h != key_hash:
                continue
            if len(sig) != signing.SIGNATURE_SIZE:
                raise _fail()
            try:
                public_key.verify(sig, text.encode("utf-8"))
            except _BackendInvalidSignature:
                raise _fail() from None
            trusted += 1
    if not trusted:
        raise _fail()
    return checkpoint


def origin_hash(origin: str) -> str:
    """The path segment a witness serves a log's checkpoint under: hex SHA-256 of origin."""
    return hashlib.sha256(origin.encode("utf-8")).hexdigest()


# --- add-checkpoint requests -----------------------------------------------------------


@dataclass(frozen=True)
class AddCheckpoint:
    old_size: int
    proof: tuple[bytes, ...]
    checkpoint: str  # the signed note, as received


def encode_add_checkpoint(old_size: int, proof: Sequence[bytes], checkpoint: str) -> bytes:
    """``old <size>``, one base64 line per proof hash, an empty line, the checkpoint."""
    if old_size < 0 or len(proof) > MAX_PROOF_LINES:
        raise ValueError("old size must be >= 0 and the proof at most 63 hashes")
    lines = [f"old {old_size}"] + [base64.b64encode(h).decode("ascii") for h in proof]
    return ("\n".join(lines) + "\n\n" + checkpoint).encode("utf-8")


def parse_add_checkpoint(body: bytes) -> AddCheckpoint:
    """Parse a request body strictly (``MalformedRequest`` for any deviation)."""
    if len(body) > MAX_REQUEST_BYTES:
        raise MalformedRequest("request too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedRequest("not UTF-8") from None
    head, sep, checkpoint = text.partition("\n\n")
    if not sep or not checkpoint:
        raise MalformedRequest("no empty line before the checkpoint")
    lines = head.split("\n")
    old = lines[0].removeprefix("old ")
    if old == lines[0] or not _DECIMAL.fullmatch(old) or int(old) >= 1 << 64:
        raise MalformedRequest("malformed old size line")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise MalformedRequest("too many proof lines")
    proof = []
    for line in lines[1:]:
        try:
            value = _b64(line)
        except signing.InvalidSignature:
            raise MalformedRequest("malformed proof line") from None
        if len(value) != merkle.HASH_SIZE:
            raise MalformedRequest("a proof line is not a 32-byte hash")
        proof.append(value)
    return AddCheckpoint(int(old), tuple(proof), checkpoint)


def parse_size_body(body: str) -> int:
    """The body of a 409 answer: the witness's latest size, newline-terminated."""
    value = body[:-1] if body.endswith("\n") else ""
    if not _DECIMAL.fullmatch(value):
        raise ValueError("malformed size body")
    return int(value)
