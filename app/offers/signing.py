"""The server's Ed25519 key that signs accepted settlement terms.

Kept deliberately tiny (load-or-create one PEM file, expose the key id) so that it can
later be unified with the audit log's signing key. The private key never leaves this
module except as the object ``crypto.signing.sign_document`` needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from threading import Lock

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.secrets import ensure_data_dir, write_secret_file
from crypto import signing

KEY_FILE = "signing-ed25519.pem"


@dataclass(frozen=True)
class ServerSigner:
    private_key: Ed25519PrivateKey
    key_id: str

    def sign(self, payload: dict[str, object]) -> dict[str, object]:
        return signing.sign_document(payload, self.private_key)


_cache: dict[Path, ServerSigner] = {}
_lock = Lock()


def server_signer(data_dir: Path) -> ServerSigner:
    """Load ``<data_dir>/signing-ed25519.pem``, creating it (mode 0600) on first use."""
    path = ensure_data_dir(data_dir) / KEY_FILE
    with _lock:
        cached = _cache.get(path)
        if cached is not None:
            return cached
        if not path.exists():
            # write_secret_file never overwrites: a concurrent creator wins, we read its key.
            write_secret_file(path, signing.private_key_to_pem(signing.generate_private_key()))
        key = signing.load_private_key_pem(path.read_bytes())
        signer = ServerSigner(private_key=key, key_id=signing.key_id(key))
        _cache[path] = signer
        return signer
