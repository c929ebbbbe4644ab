"""crypto.witness: cosignature/v1 lines and the add-checkpoint wire format.

Vectors: the cosignature example of c2sp.org/tlog-cosignature (its timestamp is the one of
the spec's example signed message), and a published cosignature/v1 verifier key and
cosignature of transparency-dev/formats (note_cosigv1_test.go). No published vector pairs
a cosigner private key with its output, so signing is checked by round trips, by the
exact signed message, and by flipping every byte.
"""

from __future__ import annotations

import base64
import hashlib
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from crypto import merkle, signing
from crypto import witness as wire
from crypto.signing import InvalidSignature

EM = "\u2014"
SPEC_COSIGNATURE = (
    f"{EM} witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9d"
    "lrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA=="
)
SPEC_TIME = 1679315147  # "time 1679315147" in the spec's signed-message example
FORMATS_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
FORMATS_COSIGNATURE = (
    f"{EM} x ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEH"
    "WWOworDcFiEBYJXORmnFBOBA=="
)
FORMATS_TIME = 1727964367
ORIGIN = "settleroom.example/audit"
NAME = "witness.example/w1"


@pytest.fixture(scope="module")
def log_key() -> Ed25519PrivateKey:
    return signing.generate_private_key()


@pytest.fixture(scope="module")
def witness_key() -> Ed25519PrivateKey:
    return signing.generate_private_key()


def checkpoint(log_key: Ed25519PrivateKey, size: int = 5, root: bytes = b"\x07" * 32) -> str:
    return signing.make_checkpoint(ORIGIN, size, root, log_key, ORIGIN)


def body_of(note: str) -> str:
    return signing.split_note(note)[0]


def test_published_vectors_parse():
    assert wire.cosignature_timestamp(SPEC_COSIGNATURE) == SPEC_TIME
    assert wire.cosignature_timestamp(FORMATS_COSIGNATURE) == FORMATS_TIME
    name, public = wire.parse_cosigner_verifier_key(FORMATS_VKEY)
    assert name == "remora.n621.de"
    assert wire.cosigner_verifier_key(name, public) == FORMATS_VKEY
    assert wire.cosigner_key_hash(name, public).hex() == "da77ade7"


def test_a_note_verifier_key_is_not_a_cosigner_key(log_key):
    """0x01 (note) and 0x04 (cosignature) keys differ in type byte and in key hash."""
    vkey = signing.note_verifier_key(ORIGIN, log_key)
    with pytest.raises(ValueError):
        wire.parse_cosigner_verifier_key(vkey)
    assert (wire.cosigner_key_hash(ORIGIN, log_key)
            != signing.note_key_hash(ORIGIN, log_key))


def test_cosignature_layout_and_signed_message(log_key, witness_key):
    note = checkpoint(log_key)
    line = wire.cosign(body_of(note), witness_key, NAME, SPEC_TIME)
    assert line.startswith(f"{EM} {NAME} ") and line.endswith("\n")
    raw = base64.b64decode(line.split(" ")[2])
    assert raw[:4] == hashlib.sha256(
        NAME.encode() + b"\n\x04" + signing.public_key_raw(witness_key)).digest()[:4]
    assert struct.unpack(">Q", raw[4:12])[0] == SPEC_TIME
    message = f"cosignature/v1\ntime {SPEC_TIME}\n{body_of(note)}".encode()
    witness_key.public_key().verify(raw[12:], message)  # raises if not over that message
    vkey = wire.cosigner_verifier_key(NAME, witness_key)
    assert wire.verify_cosignature(note + line, vkey) == SPEC_TIME


def test_every_byte_of_a_cosigned_note_matters(log_key, witness_key):
    note = checkpoint(log_key)
    signed = (note + wire.cosign(body_of(note), witness_key, NAME, 1_800_000_000)).encode()
    vkey = wire.cosigner_verifier_key(NAME, witness_key)
    cut = signed.index(f"{EM} {NAME}".encode())
    for i in [*range(len(body_of(note))), *range(cut, len(signed) - 1)]:
        flipped = signed[:i] + bytes([signed[i] ^ 0x01]) + signed[i + 1:]
        with pytest.raises((InvalidSignature, ValueError)):
            wire.verify_cosignature(flipped, vkey)


def test_cosignature_refusals(log_key, witness_key):
    note = checkpoint(log_key)
    line = wire.cosign(body_of(note), witness_key, NAME, 1_800_000_000)
    vkey = wire.cosigner_verifier_key(NAME, witness_key)
    other = wire.cosigner_verifier_key(NAME, signing.generate_private_key())
    for bad, key in [
        (note, vkey),  # no cosignature at all
        (note + line + line, vkey),  # two by the same key
        (note + line, other),  # another witness's key
        (checkpoint(log_key, size=6) + line, vkey),  # a line moved to another checkpoint
    ]:
        with pytest.raises(InvalidSignature):
            wire.verify_cosignature(bad, key)
    plain = signing.sign_note(body_of(note), witness_key, NAME)  # a 0x01 signature
    with pytest.raises(InvalidSignature):
        wire.verify_cosignature(plain, vkey)
    with pytest.raises(ValueError):
        wire.cosign(body_of(note), witness_key, NAME, 0)  # the protocol forbids time 0
    with pytest.raises(ValueError):
        wire.cosign("only\none line\n", witness_key, NAME, 1)


def test_open_checkpoint_follows_the_witness_rules(log_key):
    note = checkpoint(log_key, size=9)
    vkey = signing.note_verifier_key(ORIGIN, log_key)
    stranger = signing.generate_private_key()
    extra = signing.sign_note(body_of(note), stranger, "someone.else").split("\n\n", 1)[1]
    opened = wire.open_checkpoint(note + extra, [vkey])  # unknown keys' lines are ignored
    assert (opened.origin, opened.tree_size) == (ORIGIN, 9)
    with pytest.raises(InvalidSignature):  # no line by a trusted key
        wire.open_checkpoint(note, [signing.note_verifier_key(ORIGIN, stranger)])
    second = signing.generate_private_key()
    forged = signing.sign_note(body_of(note), second, ORIGIN).split("\n\n", 1)[1]
    tampered = forged[:-3] + ("A" if forged[-3] != "A" else "B") + forged[-2:]
    with pytest.raises(InvalidSignature):  # a trusted key's line that fails poisons the note
        wire.open_checkpoint(note + tampered, [vkey, signing.note_verifier_key(ORIGIN, second)])


def test_add_checkpoint_round_trip(log_key):
    note = checkpoint(log_key)
    proof = [bytes([i]) * 32 for i in range(3)]
    body = wire.encode_add_checkpoint(4, proof, note)
    assert body.decode().startswith("old 4\n" + base64.b64encode(proof[0]).decode() + "\n")
    parsed = wire.parse_add_checkpoint(body)
    assert (parsed.old_size, list(parsed.proof), parsed.checkpoint) == (4, proof, note)
    assert wire.parse_add_checkpoint(wire.encode_add_checkpoint(0, [], note)).proof == ()


@pytest.mark.parametrize("head", [
    "old 01",  # leading zero
    "old -1",
    "old  4",
    "older 4",
    "4",
    "old 4\nnot base64!",
    "old 4\n" + base64.b64encode(b"short").decode(),
    "old 4\n" + "\n".join([base64.b64encode(b"\x01" * 32).decode()] * 64),  # > 63 lines
    "old 4\n" + base64.b64encode(b"\x01" * 32).decode().rstrip("="),  # unpadded
])
def test_malformed_requests_are_refused(head, log_key):
    with pytest.raises(wire.MalformedRequest):
        wire.parse_add_checkpoint((head + "\n\n" + checkpoint(log_key)).encode())


def test_a_request_without_a_checkpoint_is_refused():
    for body in (b"old 0\n", b"old 0\n\n", b"\xff\xfe", b"x" * (wire.MAX_REQUEST_BYTES + 1)):
        with pytest.raises(wire.MalformedRequest):
            wire.parse_add_checkpoint(body)


def test_size_answers_and_origin_hashes():
    assert wire.parse_size_body("12\n") == 12
    for bad in ("12", "012\n", "-1\n", "\n"):
        with pytest.raises(ValueError):
            wire.parse_size_body(bad)
    assert wire.origin_hash(ORIGIN) == hashlib.sha256(ORIGIN.encode()).hexdigest()
    assert merkle.EMPTY_ROOT == hashlib.sha256(b"").digest()
