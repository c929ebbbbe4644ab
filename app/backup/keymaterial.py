"""The key material of a backup, in its own folder: never in a file with data.

``instance/``: the access-token signing key, the audit log's signing key and (when it is a
file) the HMAC secret, as the data directory holds them. ``cases/<case_id>.key`` (local
key provider): that case's key-encryption keys sealed under the master key
(``crypto.key_backup``). With PKCS#11 the keys never leave the token: the manifest records
only which case holds which key versions, and a restore checks the token still has them.

The master key is never written here (``app.keyfiles.master_key``): keep it in escrow, apart
from every backup. The manifest lists each case's public key fingerprints, so a destruction
certificate can be matched to the keys it destroyed without opening anything.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import Any

from app.backup.manifest import BackupError, write_file
from app.config import Settings
from app.keyfiles import AUDIT_KEY_FILE, JWT_KEY_FILE, SECRET_KEY_FILE, default_master_key_path
from crypto import key_backup
from crypto.errors import KeyProviderError
from crypto.keys import KeyProvider, LocalKeyProvider

INSTANCE = "instance"
CASES = "cases"
_CHECK_LABEL = b"settleroom/backup-hmac-check/v1"


def case_key_file(case_id: str) -> str:
    return f"{CASES}/{case_id}.key"


def hmac_check(secret: bytes) -> str:
    """A public check value of the HMAC secret: tells two secrets apart, reveals neither."""
    return hmac.new(secret, _CHECK_LABEL, hashlib.sha256).hexdigest()[:16]


def export_instance(settings: Settings, folder: Path, hmac_key: bytes) -> dict[str, Any]:
    for name in (JWT_KEY_FILE, AUDIT_KEY_FILE):
        write_file(folder / INSTANCE / name, (settings.data_dir / name).read_bytes())
    secret_file = settings.data_dir / SECRET_KEY_FILE
    from_env = settings.secret_key is not None
    if not from_env:
        write_file(folder / INSTANCE / SECRET_KEY_FILE, secret_file.read_bytes())
    return {"hmac_secret": "environment" if from_env else "file",
            "hmac_check": hmac_check(hmac_key)}


def export_cases(provider: KeyProvider, master_key: bytes | None, folder: Path, *,
                 live: set[str], destroyed: set[str]) -> dict[str, Any]:
    """Key material of the cases live in the dump; tombstones of those destroyed in it.

    A case live in the dump whose keys are gone now was destroyed while the backup ran:
    refused, so that no backup holds a live case without keys.
    """
    if isinstance(provider, LocalKeyProvider):
        assert master_key is not None
        keys, tombstones = provider.export_state()
        cases = {}
        for case_id in sorted(live):
            if case_id not in keys:
                raise BackupError(_gone(case_id, case_id in tombstones))
            write_file(folder / case_key_file(case_id),
                       key_backup.seal_case_keys(master_key, case_id, keys[case_id]))
            cases[case_id] = {"fingerprints": key_backup.fingerprints(case_id, keys[case_id])}
        kept = {c: tombstones[c] for c in sorted(destroyed) if c in tombstones}
        return {"provider": "local", "cases": cases, "destroyed": kept}
    cases = {}
    for case_id in sorted(live):
        if not provider.has_keys(case_id):
            raise BackupError(_gone(case_id, True))
        cases[case_id] = {"versions": provider.versions(case_id)}
    return {"provider": "pkcs11", "cases": cases, "destroyed": {}}


def _gone(case_id: str, destroyed: bool) -> str:
    if destroyed:
        return (f"case {case_id} was destroyed while the backup ran; run the backup again")
    return f"the key store has no keys for live case {case_id}; the instance is damaged"


def target_master_key(settings: Settings) -> bytes:
    """The restoring instance's master key, which must already be in place: a restore never
    creates one (it could not open the backup's case keys)."""
    from app.keyfiles import master_key

    path = settings.master_key_file or default_master_key_path(settings.data_dir)
    if not path.exists():
        raise BackupError("SETTLEROOM_MASTER_KEY_FILE: no master key there; put the backed-up "
                          "instance's master key (kept in escrow, never in a backup) in place")
    return master_key(settings)


def open_cases(folder: Path, manifest: dict[str, Any], master_key: bytes,
               skip: set[str]) -> dict[str, dict[int, bytes]]:
    """Every case key file opened with ``master_key`` (checked against the manifest's
    fingerprints), but those of ``skip``: the cases whose destruction is re-applied."""
    opened = {}
    for case_id, meta in manifest["cases"].items():
        if case_id in skip:
            continue
        try:
            keys = key_backup.open_case_keys(
                master_key, case_id, (folder / case_key_file(case_id)).read_bytes())
        except KeyProviderError as exc:
            raise BackupError(f"case {case_id}: {exc}") from None
        if key_backup.fingerprints(case_id, keys) != meta["fingerprints"]:
            raise BackupError(f"case {case_id}: its keys differ from the manifest's")
        opened[case_id] = keys
    return opened


def check_instance_target(settings: Settings, folder: Path, manifest: dict[str, Any],
                          hmac_key: bytes | None) -> list[tuple[Path, bytes]]:
    """The instance key files to write: refused if the target data directory holds other
    keys (a server started there already made its own) or another HMAC secret."""
    names = [JWT_KEY_FILE, AUDIT_KEY_FILE]
    if manifest["hmac_secret"] == "file":
        names.append(SECRET_KEY_FILE)
    elif settings.secret_key is None:
        raise BackupError("the backed-up instance took its HMAC secret from "
                          "SETTLEROOM_SECRET_KEY: set the same value here")
    writes = []
    for name in names:
        data = (folder / INSTANCE / name).read_bytes()
        target = settings.data_dir / name
        if target.exists():
            if target.read_bytes() != data:
                raise BackupError(f"the data directory already holds another {name}; restore "
                                  "into a fresh data directory")
            continue
        writes.append((target, data))
    if hmac_key is not None and hmac_check(hmac_key) != manifest["hmac_check"]:
        raise BackupError("SETTLEROOM_SECRET_KEY differs from the backed-up instance's")
    if manifest["hmac_secret"] == "file" and hmac_check(
            (folder / INSTANCE / SECRET_KEY_FILE).read_bytes().strip()) != manifest["hmac_check"]:
        raise BackupError("the backup's HMAC secret file does not match its check value")
    return writes


def write_instance(writes: list[tuple[Path, bytes]]) -> None:
    for path, data in writes:
        write_file(path, data)


def scrub(path: Path) -> None:
    """Overwrite a key file with zeros, then remove it (best effort on SSDs and
    copy-on-write file systems, as ``crypto.keys`` says)."""
    try:
        fd = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        return
    try:
        os.pwrite(fd, bytes(os.fstat(fd).st_size), 0)
        os.fsync(fd)
    finally:
        os.close(fd)
    path.unlink()
