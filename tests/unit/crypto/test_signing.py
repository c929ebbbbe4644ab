"""Tests for crypto.signing and crypto.canonical: vectors, round trips, tampering."""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.canonical import canonical_json
from crypto.merkle import EMPTY_ROOT, leaf_hash
from crypto.signing import (
    InvalidSignature,
    TreeHead,
    generate_private_key,
    key_id,
    load_private_key_pem,
    load_public_key_pem,
    make_checkpoint,
    note_key_hash,
    note_verifier_key,
    parse_note_verifier_key,
    private_key_to_pem,
    public_key_raw,
    public_key_to_pem,
    sign_document,
    sign_note,
    sign_tree_head,
    tree_head_signing_input,
    verify_checkpoint,
    verify_document,
    verify_note,
    verify_tree_head,
)

EM = "\u2014"

# Example key and note of golang.org/x/mod/sumdb/note (package documentation and
# note_test.go: ExampleSign / ExampleOpen / TestNewVerifier). The private key string
# is "PRIVATE+KEY+<name>+<hash>+base64(0x01 || 32-byte Ed25519 seed)".
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_NOTE = (
    PETER_TEXT + "\n" + EM + " PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

# A published Ed25519 tlog checkpoint: the test data of a Go c2sp.org/spicy-signature
# parser (package `spicy`, spicy_test.go), verified there with golang.org/x/mod/sumdb/note
# under the verifier key below. Note the '+' inside the key's base64.
TESTDATA_VKEY = "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"
TESTDATA_CHECKPOINT = (
    "example.com/log/testdata\n"
    "100270\n"
    "GRV1O0dCqmjjPvYi7CtOT79zb/fPwLNsMFWsynwU8Ac=\n"
    "\n" + EM + " example.com/log/testdata "
    "M9e0lkcvy5bAe7rrC8tCyAP+my+CLzswA91zOpBNWVU7qCojkUOHnfdQzDImoYeYH8G8PJSwOqsx0RkSa261OmKVwwM=\n"
)

ORIGIN = "settleroom.example/audit"


def peter_key() -> Ed25519PrivateKey:
    encoded = PETER_SKEY.split("+", 4)[4]
    raw = base64.b64decode(encoded)
    assert raw[0] == 0x01
    return Ed25519PrivateKey.from_private_bytes(raw[1:])


def byte_flips(data: bytes) -> list[bytes]:
    return [data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :] for i in range(len(data))]


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return generate_private_key()


@pytest.fixture(scope="module")
def other_key() -> Ed25519PrivateKey:
    return generate_private_key()


# --- canonical JSON -------------------------------------------------------------


def test_canonical_json_bytes() -> None:
    obj = {"b": 1, "a": [True, None, "\u00e9", {"z": "", "y": -3}], "\u00e9": "x"}
    assert canonical_json(obj) == (
        '{"a":[true,null,"\u00e9",{"y":-3,"z":""}],"b":1,"\u00e9":"x"}'.encode()
    )
    assert canonical_json({"k": (1, 2)}) == b'{"k":[1,2]}'


@pytest.mark.parametrize(
    "bad",
    [1.5, {"x": float("nan")}, {1: "int key"}, {"s": {1, 2}}, {"b": b"bytes"}, object()],
)
def test_canonical_json_rejects_non_portable_values(bad: Any) -> None:
    with pytest.raises(TypeError):
        canonical_json(bad)


def test_canonical_json_rejects_lone_surrogates_and_deep_nesting() -> None:
    with pytest.raises(ValueError):
        canonical_json({"s": "\ud800"})
    with pytest.raises(ValueError):
        canonical_json({"k": [{"\udfff": 1}]})  # in a key, nested
    deep: Any = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(ValueError):
        canonical_json(deep)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.text(),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(),
            lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
            max_leaves=10,
        ),
    )
)
def test_canonical_json_is_order_independent(obj: dict[str, Any]) -> None:
    reordered = dict(reversed(list(obj.items())))
    assert canonical_json(obj) == canonical_json(reordered)


# --- keys -----------------------------------------------------------------------


def test_private_key_pem_round_trip(key: Ed25519PrivateKey) -> None:
    pem = private_key_to_pem(key)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert key_id(load_private_key_pem(pem)) == key_id(key)
    encrypted = private_key_to_pem(key, password=b"correct horse")
    assert encrypted.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert key_id(load_private_key_pem(encrypted, password=b"correct horse")) == key_id(key)
    with pytest.raises(ValueError):
        load_private_key_pem(encrypted, password=b"wrong")
    with pytest.raises(ValueError):
        load_private_key_pem(encrypted)
    with pytest.raises(ValueError):
        load_private_key_pem(b"not a pem")


def test_public_key_pem_round_trip(key: Ed25519PrivateKey) -> None:
    pem = public_key_to_pem(key)
    assert pem.startswith(b"-----BEGIN PUBLIC KEY-----")
    loaded = load_public_key_pem(pem)
    assert public_key_raw(loaded) == public_key_raw(key)
    assert key_id(loaded) == key_id(key) == key_id(key.public_key())
    with pytest.raises(ValueError):
        load_public_key_pem(b"garbage")


def test_non_ed25519_keys_are_refused() -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    priv = ec_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    pub = ec_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(ValueError):
        load_private_key_pem(priv)
    with pytest.raises(ValueError):
        load_public_key_pem(pub)


def test_key_ids_are_distinct_hex(key: Ed25519PrivateKey, other_key: Ed25519PrivateKey) -> None:
    assert len(key_id(key)) == 64 and int(key_id(key), 16) >= 0
    assert key_id(key) != key_id(other_key)


# --- tree heads -----------------------------------------------------------------

ROOT = leaf_hash(b"some entry")


def test_tree_head_round_trip(key: Ed25519PrivateKey) -> None:
    head = sign_tree_head(key, 42, ROOT, 1_700_000_000_000)
    assert head.key_id == key_id(key) and len(head.signature) == 64
    verify_tree_head(head, key.public_key())
    message = tree_head_signing_input(42, ROOT, 1_700_000_000_000, head.key_id)
    assert message.startswith(b"settleroom/tree-head/v1\x00")
    assert message[24:40] == (42).to_bytes(8, "big") + (1_700_000_000_000).to_bytes(8, "big")
    empty = sign_tree_head(key, 0, EMPTY_ROOT, 0)
    verify_tree_head(empty, key.public_key())


def test_tree_head_tampering_fails(key: Ed25519PrivateKey, other_key: Ed25519PrivateKey) -> None:
    head = sign_tree_head(key, 42, ROOT, 1_700_000_000_000)
    pub = key.public_key()
    variants = [
        TreeHead(42, ROOT, 1_700_000_000_000, head.key_id, s) for s in byte_flips(head.signature)
    ]
    variants += [
        TreeHead(42, r, 1_700_000_000_000, head.key_id, head.signature) for r in byte_flips(ROOT)
    ]
    variants += [
        TreeHead(43, ROOT, 1_700_000_000_000, head.key_id, head.signature),
        TreeHead(41, ROOT, 1_700_000_000_000, head.key_id, head.signature),
        TreeHead(42, ROOT, 1_700_000_000_001, head.key_id, head.signature),
        TreeHead(42, ROOT, 1_700_000_000_000, key_id(other_key), head.signature),
        TreeHead(42, ROOT, 1_700_000_000_000, head.key_id.upper(), head.signature),
        TreeHead(42, ROOT[:31], 1_700_000_000_000, head.key_id, head.signature),
        TreeHead(-1, ROOT, 1_700_000_000_000, head.key_id, head.signature),
        TreeHead(42, ROOT, 1_700_000_000_000, head.key_id, head.signature[:63]),
        TreeHead(42, ROOT, 1_700_000_000_000, head.key_id, head.signature + b"\x00"),
    ]
    for bad in variants:
        with pytest.raises(InvalidSignature):
            verify_tree_head(bad, pub)
    with pytest.raises(InvalidSignature):
        verify_tree_head(head, other_key.public_key())
    forged = sign_tree_head(other_key, 42, ROOT, 1_700_000_000_000)
    with pytest.raises(InvalidSignature):
        verify_tree_head(TreeHead(42, ROOT, 1_700_000_000_000, head.key_id, forged.signature), pub)


# --- signed notes ---------------------------------------------------------------


def test_sumdb_note_vector_byte_for_byte() -> None:
    k = peter_key()
    assert note_verifier_key("PeterNeumann", k) == PETER_VKEY
    assert note_key_hash("PeterNeumann", k).hex() == "c74f20a3"
    assert sign_note(PETER_TEXT, k, "PeterNeumann") == PETER_NOTE
    assert verify_note(PETER_NOTE, PETER_VKEY) == PETER_TEXT
    assert verify_note(PETER_NOTE.encode(), PETER_VKEY) == PETER_TEXT


def test_verifier_key_manglings_are_refused() -> None:
    name, pub = parse_note_verifier_key(PETER_VKEY)
    assert name == "PeterNeumann" and note_verifier_key(name, pub) == PETER_VKEY
    b = PETER_VKEY
    bad = [
        b[i:j] for i in range(len(b) + 1) for j in range(i + 1, len(b) + 1) if (i, j) != (0, len(b))
    ]
    bad += [b[:i] + chr(ord(b[i]) + 1) + b[i + 1 :] for i in range(len(b))]
    bad += [
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ]
    for vkey in bad:
        with pytest.raises(ValueError):
            parse_note_verifier_key(vkey)


def test_every_byte_of_the_note_matters() -> None:
    data = PETER_NOTE.encode()
    for mutated in byte_flips(data) + [data[:i] for i in range(len(data))]:
        with pytest.raises(InvalidSignature):
            verify_note(mutated, PETER_VKEY)


def test_note_signature_rules(key: Ed25519PrivateKey, other_key: Ed25519PrivateKey) -> None:
    vkey = note_verifier_key("log.example", key)
    note = sign_note("hello\n", key, "log.example")
    witness = sign_note("hello\n", other_key, "witness.example")
    witness_line = witness.split("\n\n", 1)[1]
    # Unknown (witness) signatures are ignored, in either order.
    assert verify_note(note + witness_line, vkey) == "hello\n"
    reordered = "hello\n\n" + witness_line + note.split("\n\n", 1)[1]
    assert verify_note(reordered, vkey) == "hello\n"
    bad_notes = [
        witness,  # only an unknown key signed
        note + note.split("\n\n", 1)[1],  # our key twice
        note.replace("\n\n", "\n"),  # no separating blank line
        note[:-1],  # no final newline
        "hel\x01lo\n" + note[5:],  # control character
        note.replace(EM, "-"),  # wrong dash
        note.replace(" log.example ", " log.example  "),
        note + "\n",
        "hello\n\n",
    ]
    for bad in bad_notes:
        with pytest.raises(InvalidSignature):
            verify_note(bad, vkey)
    with pytest.raises(InvalidSignature):
        verify_note(note, note_verifier_key("log.example", other_key))
    with pytest.raises(InvalidSignature):
        verify_note(note, note_verifier_key("other.example", key))
    for bad_name in ("", "has space", "has+plus"):
        with pytest.raises(ValueError):
            sign_note("hello\n", key, bad_name)
    for bad_text in ("no newline", "ctl\x00\n"):
        with pytest.raises(ValueError):
            sign_note(bad_text, key, "log.example")


# --- checkpoints ----------------------------------------------------------------


def test_published_checkpoint_verifies() -> None:
    origin, size, root = verify_checkpoint(
        TESTDATA_CHECKPOINT, TESTDATA_VKEY, expected_origin="example.com/log/testdata"
    )
    assert (origin, size) == ("example.com/log/testdata", 100270)
    assert base64.b64encode(root).decode() == "GRV1O0dCqmjjPvYi7CtOT79zb/fPwLNsMFWsynwU8Ac="
    with pytest.raises(InvalidSignature):
        verify_checkpoint(TESTDATA_CHECKPOINT, TESTDATA_VKEY, expected_origin=ORIGIN)
    for mutated in byte_flips(TESTDATA_CHECKPOINT.encode()):
        with pytest.raises(InvalidSignature):
            verify_checkpoint(mutated, TESTDATA_VKEY)


def test_checkpoint_round_trip_and_format(key: Ed25519PrivateKey) -> None:
    cp = make_checkpoint(ORIGIN, 7, ROOT, key, ORIGIN)
    lines = cp.split("\n")
    assert lines[:4] == [ORIGIN, "7", base64.b64encode(ROOT).decode(), ""]
    assert lines[4].startswith(EM + " " + ORIGIN + " ") and lines[5] == ""
    blob = base64.b64decode(lines[4].split(" ")[2])
    assert blob[:4] == note_key_hash(ORIGIN, key) and len(blob) == 68
    vkey = note_verifier_key(ORIGIN, key)
    assert verify_checkpoint(cp, vkey, expected_origin=ORIGIN) == (ORIGIN, 7, ROOT)
    assert verify_checkpoint(make_checkpoint(ORIGIN, 0, EMPTY_ROOT, key, ORIGIN), vkey) == (
        ORIGIN,
        0,
        EMPTY_ROOT,
    )


def test_checkpoint_tampering_fails(key: Ed25519PrivateKey, other_key: Ed25519PrivateKey) -> None:
    cp = make_checkpoint(ORIGIN, 7, ROOT, key, ORIGIN)
    vkey = note_verifier_key(ORIGIN, key)
    for mutated in byte_flips(cp.encode()):
        with pytest.raises(InvalidSignature):
            verify_checkpoint(mutated, vkey)
    with pytest.raises(InvalidSignature):
        verify_checkpoint(cp, note_verifier_key(ORIGIN, other_key))
    with pytest.raises(InvalidSignature):
        verify_checkpoint(cp, vkey, expected_origin="other.example/log")
    # A different log's checkpoint signed by the same key is rejected by origin.
    foreign = make_checkpoint("other.example/log", 7, ROOT, key, ORIGIN)
    with pytest.raises(InvalidSignature):
        verify_checkpoint(foreign, vkey, expected_origin=ORIGIN)


@pytest.mark.parametrize(
    "body",
    [
        ORIGIN + "\n07\n" + base64.b64encode(ROOT).decode() + "\n",  # leading zero
        ORIGIN + "\n-7\n" + base64.b64encode(ROOT).decode() + "\n",
        ORIGIN + "\n\u0667\n" + base64.b64encode(ROOT).decode() + "\n",  # non-ASCII digit
        ORIGIN + "\n18446744073709551616\n" + base64.b64encode(ROOT).decode() + "\n",
        ORIGIN + "\n7\n" + base64.b64encode(ROOT[:31]).decode() + "\n",
        ORIGIN + "\n7\n" + base64.b64encode(ROOT).decode().rstrip("=") + "\n",
        ORIGIN + "\n7\n",
        "\n7\n" + base64.b64encode(ROOT).decode() + "\n",
        ORIGIN + "\n7\n" + base64.b64encode(ROOT).decode() + "\n\next\n",
    ],
)
def test_malformed_checkpoint_bodies_fail_even_when_signed(
    key: Ed25519PrivateKey, body: str
) -> None:
    note = sign_note(body, key, ORIGIN)
    with pytest.raises(InvalidSignature):
        verify_checkpoint(note, note_verifier_key(ORIGIN, key))


def test_checkpoint_extension_lines_are_allowed(key: Ed25519PrivateKey) -> None:
    body = ORIGIN + "\n7\n" + base64.b64encode(ROOT).decode() + "\nextension\n"
    note = sign_note(body, key, ORIGIN)
    assert verify_checkpoint(note, note_verifier_key(ORIGIN, key)) == (ORIGIN, 7, ROOT)


def test_make_checkpoint_rejects_bad_arguments(key: Ed25519PrivateKey) -> None:
    for origin, size, root in (
        ("", 1, ROOT),
        ("a\nb", 1, ROOT),
        (ORIGIN, -1, ROOT),
        (ORIGIN, 1, b"x"),
    ):
        with pytest.raises(ValueError):
            make_checkpoint(origin, size, root, key, ORIGIN)


# --- documents ------------------------------------------------------------------

DOC = {
    "type": "destruction-certificate",
    "case_id": "7d1f4b0e-1c2a-4c59-9d0e-5b7a1e2f3c4d",
    "amount_cents": 1_250_000,
    "parties": ["Smith", "Jones \u00e9"],
    "nested": {"ok": True, "none": None},
}


def test_document_round_trip(key: Ed25519PrivateKey) -> None:
    signed = sign_document(DOC, key)
    assert set(signed) == {"payload", "signature", "key_id", "algorithm"}
    assert signed["algorithm"] == "Ed25519" and signed["key_id"] == key_id(key)
    assert verify_document(signed, key.public_key()) == DOC
    # The signed payload is detached from the caller's object.
    source = copy.deepcopy(DOC)
    detached = sign_document(source, key)
    source["amount_cents"] = 1
    assert verify_document(detached, key.public_key())["amount_cents"] == 1_250_000
    assert sign_document({"t": (1, 2)}, key)["payload"] == {"t": [1, 2]}


def test_document_tampering_fails(key: Ed25519PrivateKey, other_key: Ed25519PrivateKey) -> None:
    signed = sign_document(DOC, key)
    pub = key.public_key()
    sig = base64.b64decode(signed["signature"])
    variants: list[Any] = [
        {**signed, "signature": base64.b64encode(s).decode()} for s in byte_flips(sig)
    ]
    variants += [
        {**signed, "payload": {**DOC, "amount_cents": 1_250_001}},
        {**signed, "payload": {**DOC, "extra": 1}},
        {**signed, "payload": {k: v for k, v in DOC.items() if k != "nested"}},
        {**signed, "payload": [DOC]},
        {**signed, "algorithm": "ed25519"},
        {**signed, "key_id": key_id(other_key)},
        {**signed, "signature": signed["signature"].rstrip("=")},
        {**signed, "signature": " " + signed["signature"]},
        {**signed, "signature": sig.hex()},
        {**signed, "signature": None},
        {**signed, "unsigned_note": "trust me"},
        {k: v for k, v in signed.items() if k != "algorithm"},
        {**signed, "payload": {**DOC, "amount_cents": 1.0}},
        "not a mapping",
    ]
    for bad in variants:
        with pytest.raises(InvalidSignature):
            verify_document(bad, pub)
    with pytest.raises(InvalidSignature):
        verify_document(signed, other_key.public_key())
    forged = sign_document(DOC, other_key)
    with pytest.raises(InvalidSignature):
        verify_document({**forged, "key_id": key_id(key)}, pub)


def test_sign_document_refuses_non_canonical_values(key: Ed25519PrivateKey) -> None:
    with pytest.raises(TypeError):
        sign_document({"amount": 12.5}, key)
