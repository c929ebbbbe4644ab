"""The witness's decisions (``app.witness.rules``) and its state (``app.witness.service``),
driven by in-memory trees: each refusal of c2sp.org/tlog-witness with its status, and
no rollback or fork ever cosigned."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app.witness.rules import Refusal
from app.witness.service import open_witness
from crypto import merkle, signing
from crypto import witness as wire

ORIGIN = "settleroom.example/audit"
LOG_KEY = signing.generate_private_key()
LOG_VKEY = signing.note_verifier_key(ORIGIN, LOG_KEY)
LEAVES = [merkle.leaf_hash(b"entry %d" % i) for i in range(40)]
FORK = [*LEAVES[:5], *(merkle.leaf_hash(b"forged %d" % i) for i in range(5, 40))]


def note(size: int, leaves: list[bytes] = LEAVES, key=LOG_KEY, origin: str = ORIGIN) -> str:
    return signing.make_checkpoint(origin, size, merkle.root_from_leaf_hashes(leaves[:size]),
                                   key, origin)


def request(old: int, size: int, leaves: list[bytes] = LEAVES, **kw: object) -> bytes:
    proof = merkle.consistency_proof(leaves[:size], old) if 0 < old < size else []
    return wire.encode_add_checkpoint(old, proof, note(size, leaves, **kw))  # type: ignore[arg-type]


@pytest.fixture
def witness(tmp_path: Path):
    w = open_witness(tmp_path / "witness", "witness.example/w1", [LOG_VKEY])
    w.clock = lambda: 1_800_000_000.0
    return w


def refusal(witness, body: bytes) -> Refusal:
    with pytest.raises(Refusal) as caught:
        witness.add_checkpoint(body)
    return caught.value


def test_cosigns_a_growing_log_and_serves_the_latest(witness):
    for old, size in [(0, 3), (3, 3), (3, 8), (8, 21)]:
        line = witness.add_checkpoint(request(old, size))
        assert wire.verify_cosignature(note(size) + line, witness.verifier_key) == 1_800_000_000
    served = witness.checkpoint(wire.origin_hash(ORIGIN))
    assert served is not None and served.startswith(note(21).split("\n\n")[0])
    assert wire.verify_cosignature(served, witness.verifier_key)
    assert wire.open_checkpoint(served, [LOG_VKEY]).tree_size == 21
    assert witness.checkpoint(wire.origin_hash("other.example/log")) is None


def test_refusals_carry_the_protocol_status(witness):
    witness.add_checkpoint(request(0, 10))
    stranger = signing.generate_private_key()
    cases = [
        (b"old 1\n", 400, "malformed_request"),
        (request(0, 5, origin="other.example/log"), 404, "unknown_log"),
        (request(10, 12, key=stranger), 403, "bad_log_signature"),
        (wire.encode_add_checkpoint(12, [], note(11)), 400, "old_size_too_large"),
        (request(0, 12), 409, "old_size_mismatch"),
        (request(4, 12), 409, "old_size_mismatch"),
        (request(10, 12, FORK), 422, "inconsistent"),
        (wire.encode_add_checkpoint(10, [], note(10, FORK)), 422, "inconsistent"),
    ]
    for body, status, code in cases:
        got = refusal(witness, body)
        assert (got.status, got.code) == (status, code), code
    assert refusal(witness, request(0, 12)).size == 10  # the 409 names what it holds


def test_a_rollback_is_refused_with_the_size_the_witness_holds(witness):
    """The log, truncated to 6 entries, cannot get a cosignature: it must claim the old
    size the witness holds (20), which is above its own size (400), or any other (409)."""
    witness.add_checkpoint(request(0, 20))
    assert refusal(witness, wire.encode_add_checkpoint(20, [], note(6))).status == 400
    got = refusal(witness, request(0, 6))
    assert (got.status, got.size) == (409, 20)
    got = refusal(witness, request(5, 6))
    assert (got.status, got.size) == (409, 20)


def test_a_rewritten_history_is_refused_even_with_a_valid_signature(witness):
    witness.add_checkpoint(request(0, 12))
    forged = merkle.consistency_proof(FORK[:30], 12)  # a proof within the forged tree
    got = refusal(witness, wire.encode_add_checkpoint(12, forged, note(30, FORK)))
    assert (got.status, got.code) == (422, "inconsistent")
    assert refusal(witness, wire.encode_add_checkpoint(12, [], note(30))).status == 422


def test_the_empty_tree_and_proofs_from_zero(witness):
    empty = signing.make_checkpoint(ORIGIN, 0, b"\x01" * 32, LOG_KEY, ORIGIN)
    assert refusal(witness, wire.encode_add_checkpoint(0, [], empty)).status == 422
    junk = wire.encode_add_checkpoint(0, [b"\x02" * 32], note(5))
    assert refusal(witness, junk).code == "unexpected_proof"
    witness.add_checkpoint(request(0, 0))


def test_the_state_survives_a_restart(witness, tmp_path):
    witness.add_checkpoint(request(0, 15))
    again = open_witness(tmp_path / "witness", "witness.example/w1", [LOG_VKEY])
    assert again.verifier_key == witness.verifier_key  # the same key file
    assert refusal(again, request(0, 16)).size == 15


def test_concurrent_submissions_from_one_old_size_get_one_cosignature(witness):
    """The check of the old size and the write are one transaction: of many requests made
    against the same old size, exactly one is cosigned and the others get 409."""
    witness.add_checkpoint(request(0, 4))
    results: list[object] = []
    start = threading.Barrier(8)

    def submit(size: int) -> None:
        start.wait()
        try:
            results.append(witness.add_checkpoint(request(4, size)))
        except Refusal as exc:
            results.append(exc.status)

    threads = [threading.Thread(target=submit, args=(10 + i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(r for r in results if isinstance(r, int)) == [409] * 7
    assert sum(isinstance(r, str) for r in results) == 1
