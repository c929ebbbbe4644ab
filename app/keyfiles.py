"""Files in the data directory: secrets created on first start, and the directory's modes.

Every file under the data directory is mode 0600 and every directory 0700 (the database
and its -wal/-shm files, secrets, ciphertext blobs, spool files): code that creates one
says so explicitly (``private_dirs``, ``os.open(..., 0o600)``), and ``tighten_data_dir``
at start-up fixes what an older version or another tool left readable by others.

In production the HMAC secret comes from the environment (checked at start-up); the
signing keys are files because they must survive restarts and be backed up with the data.
The one exception is the master key of the local key store (``master_key``): it must NOT
be in the data directory or its backups, or destroying a case's keys would not make an
older copy of the data directory unreadable.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import stat
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.config import ConfigurationError, Settings
from crypto import signing
from crypto.keys import MASTER_KEY_LEN

JWT_KEY_FILE = "jwt-es256.pem"
AUDIT_KEY_FILE = "audit-ed25519.pem"
SECRET_KEY_FILE = "secret.key"
MASTER_KEY_SUFFIX = ".master-key"


def ensure_data_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def private_dirs(folder: Path) -> Path:
    """``mkdir -p`` where every directory created is 0700 (``Path.mkdir(parents=True,
    mode=...)`` gives the intermediate ones the umask's mode)."""
    missing = []
    for path in (folder, *folder.parents):
        if path.exists():
            break
        missing.append(path)
    for path in reversed(missing):
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            pass  # a concurrent request made it; its creator used the same mode
        os.chmod(path, 0o700)  # mkdir's mode is masked by the umask
    return folder


def tighten_data_dir(root: Path) -> list[Path]:
    """Make every file under ``root`` 0600 and every directory 0700; return what changed.

    Run at start-up, after the key provider checked its own file (a key file found
    readable by others must be refused, not silently tightened). Symbolic links are left
    alone: following one could change the modes of files outside the data directory.
    """
    changed = []
    for path in (root, *root.rglob("*")):
        try:
            st = path.lstat()
        except FileNotFoundError:
            continue  # a temp file removed while we walked
        if stat.S_ISLNK(st.st_mode):
            continue
        want = 0o700 if stat.S_ISDIR(st.st_mode) else 0o600
        if stat.S_IMODE(st.st_mode) != want:
            os.chmod(path, want)
            changed.append(path)
    return changed


def write_secret_file(path: Path, data: bytes) -> None:
    """Create ``path`` with mode 0600 atomically; an existing file is never overwritten."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # fails if another process created it first
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def _read_or_create(path: Path, make: bytes) -> bytes:
    if not path.exists():
        write_secret_file(path, make)
    return path.read_bytes()


def hmac_secret(settings: Settings) -> bytes:
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path = ensure_data_dir(settings.data_dir) / SECRET_KEY_FILE
    return _read_or_create(path, secrets.token_urlsafe(48).encode()).strip()


def jwt_private_key(settings: Settings) -> ec.EllipticCurvePrivateKey:
    path = ensure_data_dir(settings.data_dir) / JWT_KEY_FILE
    if not path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        write_secret_file(path, pem)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, ec.EllipticCurvePrivateKey):
        raise RuntimeError(f"{JWT_KEY_FILE} is not an EC private key")
    return loaded


def audit_signing_key(settings: Settings) -> Ed25519PrivateKey:
    """The Ed25519 key that signs tree heads and certificates (created on first use)."""
    path = ensure_data_dir(settings.data_dir) / AUDIT_KEY_FILE
    if not path.exists():
        write_secret_file(path, signing.private_key_to_pem(signing.generate_private_key()))
    return signing.load_private_key_pem(path.read_bytes())


def default_master_key_path(data_dir: Path) -> Path:
    """Where the embedded default keeps the master key: beside the data directory (same
    parent, ``<name>.master-key``), so that copying or backing up the directory leaves it
    out. Production names its own file (``SETTLEROOM_MASTER_KEY_FILE``)."""
    resolved = data_dir.resolve()
    return resolved.with_name(resolved.name + MASTER_KEY_SUFFIX)


def master_key(settings: Settings) -> bytes:
    """The 32-byte master key of the local key store, created (0600, base64) on first start.

    Refused: a file inside the data directory (a backup of the data would carry it), a
    file readable by group or others (it must be presumed leaked), and a file that is not
    the base64 of 32 bytes. Messages name the variable, never the key.
    """
    path = (settings.master_key_file or default_master_key_path(settings.data_dir))
    resolved = path.resolve()
    if resolved.is_relative_to(settings.data_dir.resolve()):
        raise ConfigurationError(
            "SETTLEROOM_MASTER_KEY_FILE must be outside the data directory")
    store = settings.key_store_file
    if store is not None and resolved.is_relative_to(store.resolve().parent):
        raise ConfigurationError(  # a copy of the key store's folder would carry both
            "SETTLEROOM_MASTER_KEY_FILE must be outside the key store file's directory")
    if not resolved.exists():
        private_dirs(resolved.parent)
        write_secret_file(resolved, base64.b64encode(secrets.token_bytes(MASTER_KEY_LEN))
                          + b"\n")
    if stat.S_IMODE(resolved.stat().st_mode) & 0o077:
        raise ConfigurationError(
            "SETTLEROOM_MASTER_KEY_FILE is readable by group or others; refusing it")
    try:
        key = base64.b64decode(resolved.read_bytes().strip(), validate=True)
    except (ValueError, binascii.Error):
        key = b""
    if len(key) != MASTER_KEY_LEN:
        raise ConfigurationError(
            "SETTLEROOM_MASTER_KEY_FILE must hold the base64 of 32 random bytes")
    return key
