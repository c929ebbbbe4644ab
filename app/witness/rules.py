"""What a witness may cosign (c2sp.org/tlog-witness ``add-checkpoint``): pure decisions.

The order of the checks, and the status of each refusal, are the protocol's: a malformed
body 400, an unknown origin 404, no valid signature by a trusted log key 403, an old size
above the checkpoint's 400, an old size other than the size last cosigned 409 (with that
size), and a tree that does not extend the one last cosigned 422. Passing them means
the new checkpoint is consistent with everything the witness cosigned for that log, so
the log cannot roll back or fork without a witness refusing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crypto import merkle, signing
from crypto import witness as wire


class Refusal(Exception):  # noqa: N818 - a protocol answer, not a failure of the witness
    def __init__(self, status: int, code: str, size: int | None = None) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.size = size  # with 409: the size the witness last cosigned


@dataclass(frozen=True)
class Submission:
    request: wire.AddCheckpoint
    checkpoint: wire.Checkpoint
    log_lines: tuple[str, ...]  # the trusted log keys' signature lines, as received


def _trusted_lines(note: str, vkeys: Sequence[str]) -> tuple[str, ...]:
    ids = set()
    for vkey in vkeys:
        name, key = signing.parse_note_verifier_key(vkey)
        ids.add((name, signing.note_key_hash(name, key)))
    text, sigs = signing.split_note(note)
    lines = note[len(text) + 1:-1].split("\n")  # in the order split_note parsed them
    kept = [line for line, (name, key_hash, _) in zip(lines, sigs, strict=True)
            if (name, key_hash) in ids]
    return tuple(kept)


def check_submission(body: bytes, log_keys: Mapping[str, Sequence[str]]) -> Submission:
    """The stateless checks: grammar, origin, the log's signature, old size <= size."""
    try:
        request = wire.parse_add_checkpoint(body)
        origin = wire.checkpoint_origin(request.checkpoint)
    except (wire.MalformedRequest, signing.InvalidSignature):
        raise Refusal(400, "malformed_request") from None
    vkeys = log_keys.get(origin)
    if not vkeys:
        raise Refusal(404, "unknown_log")
    try:
        checkpoint = wire.open_checkpoint(request.checkpoint, vkeys)
    except signing.InvalidSignature:
        raise Refusal(403, "bad_log_signature") from None
    if request.old_size > checkpoint.tree_size:
        raise Refusal(400, "old_size_too_large")
    return Submission(request, checkpoint, _trusted_lines(request.checkpoint, vkeys))


def check_against_latest(submission: Submission, latest: tuple[int, bytes] | None) -> None:
    """The stateful checks against the last cosigned (size, root) of the log (None: never
    cosigned). Run under the state's lock, with the write that follows."""
    request, checkpoint = submission.request, submission.checkpoint
    latest_size = latest[0] if latest is not None else 0
    if request.old_size != latest_size:
        raise Refusal(409, "old_size_mismatch", size=latest_size)
    if checkpoint.tree_size == 0 and checkpoint.root_hash != merkle.EMPTY_ROOT:
        raise Refusal(422, "bad_empty_root")
    if latest is None or request.old_size == 0:
        if request.proof:
            raise Refusal(422, "unexpected_proof")
        return
    try:
        merkle.verify_consistency(latest[0], checkpoint.tree_size, latest[1],
                                  checkpoint.root_hash, request.proof)
    except merkle.ProofError:
        raise Refusal(422, "inconsistent") from None
