"""The witness's one use case, ``add_checkpoint``, and what it serves to monitors.

Invariants: a cosignature is returned only after the new checkpoint is durably recorded,
and only for a checkpoint signed by a configured log key that extends the last one
cosigned for that log (``rules``). The witness key never leaves this object.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.keyfiles import private_dirs, write_secret_file
from app.witness import rules
from app.witness.state import WitnessState
from crypto import signing
from crypto import witness as wire

KEY_FILE = "witness-ed25519.pem"
STATE_FILE = "witness.db"


@dataclass
class Witness:
    name: str
    key: Ed25519PrivateKey
    log_keys: Mapping[str, Sequence[str]]  # origin -> the log's note verifier keys
    state: WitnessState
    clock: Callable[[], float] = field(default=time.time)

    @property
    def verifier_key(self) -> str:
        return wire.cosigner_verifier_key(self.name, self.key)

    def add_checkpoint(self, body: bytes) -> str:
        """The cosignature line for a submitted checkpoint, or a ``rules.Refusal``."""
        submission = rules.check_submission(body, self.log_keys)
        checkpoint = submission.checkpoint
        with self.state.exclusive() as tx:
            rules.check_against_latest(submission, tx.latest(checkpoint.origin))
            now = max(1, int(self.clock()))
            line = wire.cosign(checkpoint.text, self.key, self.name, now)
            note = checkpoint.text + "\n" + "".join(f"{s}\n" for s in submission.log_lines)
            tx.record(checkpoint.origin, checkpoint.tree_size, checkpoint.root_hash,
                      note + line, now)
        return line

    def checkpoint(self, origin_hash: str) -> str | None:
        return self.state.note_of(origin_hash)


def load_key(directory: Path) -> Ed25519PrivateKey:
    """The witness's Ed25519 key, created (0600) in its directory on first use."""
    path = private_dirs(directory) / KEY_FILE
    if not path.exists():
        write_secret_file(path, signing.private_key_to_pem(signing.generate_private_key()))
    return signing.load_private_key_pem(path.read_bytes())


def open_witness(directory: Path, name: str, log_verifier_keys: Sequence[str]) -> Witness:
    """A witness over ``directory`` trusting the given log keys (each names its origin);
    ``ValueError`` for a malformed key or name."""
    log_keys: dict[str, list[str]] = {}
    for vkey in log_verifier_keys:
        origin, _ = signing.parse_note_verifier_key(vkey)
        log_keys.setdefault(origin, []).append(vkey)
    key = load_key(directory)
    wire.cosigner_verifier_key(name, key)  # checks the name
    return Witness(name, key, log_keys, WitnessState(directory / STATE_FILE))
