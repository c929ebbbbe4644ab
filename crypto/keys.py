"""Key-encryption keys (KEKs) per case, behind one ``KeyProvider`` protocol.

Model: every case has one or more KEK versions (1, 2, ...); the highest is *current*.
A KEK only ever wraps 256-bit data-encryption keys (DEKs, see ``crypto.envelope``); it
never touches content. Rotation adds a version and keeps the old ones so that blobs not
yet rewrapped still open. Destruction (crypto-shredding) removes every version of a case
and leaves a tombstone, so later unwraps raise ``KeyDestroyed`` rather than a generic
error, and records the destroyed keys' fingerprints for the destruction certificate.

Wrapping contract (identical for every provider, so wrapped DEKs are 60 bytes):
``wrapped = nonce(12) || AES-256-GCM(KEK, nonce, DEK, aad=wrap_aad(case_id, version))``.
The AAD binds the case id and KEK version, so a wrapped DEK copied to another case or
relabelled with another version fails with ``InvalidCiphertext``.

Fingerprints: ``sha256(b"settleroom-kek-fingerprint/v1\\0" || label || b"\\0" || kcv)`` in
hex, where ``label = "settleroom:{case_id}:v{version}"`` and ``kcv`` is the standard AES
key-check value (first 3 bytes of AES-ECB(KEK, 0^128), as PKCS#11 ``CKA_CHECK_VALUE``).
The KCV is public by design (24 bits cannot help recover a 256-bit key), so fingerprints
identify the exact key that was destroyed without revealing it.

Threat assumptions: the local provider keeps its key file encrypted under a master key
that is not stored in the data directory (AES-256-GCM, see ``LocalKeyProvider``), so a copy
of the data directory, or of a backup of it, taken before a case was destroyed does not
decrypt that case without the master key too. Beyond that it relies on file permissions
(0600 file, 0700 directory) and best-effort scrubbing of superseded files; on SSDs and
copy-on-write filesystems overwritten blocks may survive, so whoever holds both an old copy
of the key file and the master key can still open a destroyed case. Deployments that need
assured destruction use ``Pkcs11KeyProvider``, where keys are generated in and never leave
the token. Python cannot zeroise ``bytes``: key material may linger in process memory until
collected.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import hashlib
import json
import os
import re
import stat
import struct
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crypto.errors import InvalidCiphertext, KeyDestroyed, KeyProviderError

__all__ = [
    "DEK_LEN",
    "WRAPPED_DEK_LEN",
    "KeyProvider",
    "derived_key",
    "MASTER_KEY_LEN",
    "LocalKeyProvider",
    "fingerprint",
    "key_check_value",
    "key_label",
    "validate_case_id",
    "wrap_aad",
]

DEK_LEN = 32
WRAP_NONCE_LEN = 12
WRAPPED_DEK_LEN = WRAP_NONCE_LEN + DEK_LEN + 16
_CASE_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,128}")
_WRAP_DOMAIN = b"settleroom/kek-wrap/v1\0"
_DERIVE_DOMAIN = b"settleroom/case-derived-key/v1\0"
DERIVE_FROM_VERSION = 1
_FP_DOMAIN = b"settleroom-kek-fingerprint/v1\0"


class KeyProvider(Protocol):
    """What ``crypto.envelope`` and the services need from a key store.

    Errors: ``KeyDestroyed`` once a case was destroyed (for every operation except
    ``destroy_case``, which is idempotent, and ``has_keys``); ``KeyProviderError`` for a
    case never created or an unreachable store; ``InvalidCiphertext`` from ``unwrap`` for
    a tampered wrapped key or a version that does not exist.
    """

    def create_kek(self, case_id: str) -> int:
        """Create version 1 for a new case; ``KeyProviderError`` if it already has keys."""
        ...

    def rotate_kek(self, case_id: str) -> int:
        """Add and return a new current version; older versions stay usable for unwrap."""
        ...

    def current_version(self, case_id: str) -> int:
        """The version new DEKs must be wrapped under."""
        ...

    def versions(self, case_id: str) -> list[int]:
        """All live versions, ascending."""
        ...

    def wrap(self, case_id: str, version: int, dek: bytes) -> bytes:
        """Encrypt a 32-byte DEK under the given KEK version (see module docstring)."""
        ...

    def unwrap(self, case_id: str, version: int, wrapped: bytes) -> bytes:
        """Inverse of ``wrap``; authenticated against case id and version."""
        ...

    def derive_key(self, case_id: str, purpose: bytes) -> bytes:
        """A 32-byte key for one ``purpose`` of the case (see ``derived_key``): derived from
        its first KEK version, so it is stable across rotation and gone with destruction."""
        ...

    def destroy_case(self, case_id: str) -> list[str]:
        """Destroy every version; return their fingerprints (same answer on retry)."""
        ...

    def has_keys(self, case_id: str) -> bool:
        """True while the case has at least one live KEK."""
        ...

    def ping(self) -> None:
        """Raise ``KeyProviderError`` unless the store is reachable (readiness probe)."""
        ...


def validate_case_id(case_id: str) -> str:
    """Case ids become key labels and JSON keys, so only ``[A-Za-z0-9._-]{1,128}``."""
    if not isinstance(case_id, str) or not _CASE_ID_RE.fullmatch(case_id):
        raise KeyProviderError("case id must match [A-Za-z0-9._-]{1,128}")
    return case_id


def wrap_aad(case_id: str, version: int) -> bytes:
    """Associated data binding a wrapped DEK to its case and KEK version."""
    raw = validate_case_id(case_id).encode("ascii")
    return _WRAP_DOMAIN + struct.pack(">I", len(raw)) + raw + struct.pack(">I", version)


def derive_info(case_id: str, purpose: bytes) -> bytes:
    """HKDF ``info`` (and the token's AAD) of one derived key: domain, case id, purpose."""
    raw = validate_case_id(case_id).encode("ascii")
    if not isinstance(purpose, bytes) or not 0 < len(purpose) <= 255:
        raise ValueError("a derivation purpose is 1 to 255 bytes")
    return _DERIVE_DOMAIN + struct.pack(">I", len(raw)) + raw + purpose


def derived_key(secret: bytes, case_id: str, purpose: bytes) -> bytes:
    """HKDF-SHA256 (RFC 5869) of a per-case secret into a 32-byte key for one purpose.

    ``secret`` is the case's first KEK (local provider) or a PRF output of it computed on
    the token (PKCS#11); distinct purposes give independent keys, and a derived key
    reveals nothing of the KEK. Used for keyed hashes of content shown to people who may
    not see the content (audit details): without the key a guess cannot be confirmed.
    """
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=derive_info(case_id, purpose)).derive(secret)


def key_label(case_id: str, version: int) -> str:
    """Human-readable, non-secret label of one KEK version (also the PKCS#11 CKA_LABEL)."""
    return f"settleroom:{validate_case_id(case_id)}:v{version}"


def key_check_value(kek: bytes) -> bytes:
    """AES key-check value: first 3 bytes of AES-ECB(kek, 0^128) (PKCS#11 definition).

    ECB on a single constant block is the standard KCV construction, not a data mode.
    """
    encryptor = Cipher(algorithms.AES(kek), modes.ECB()).encryptor()  # noqa: S305
    return (encryptor.update(bytes(16)) + encryptor.finalize())[:3]


def fingerprint(label: str, kcv: bytes) -> str:
    """Hex SHA-256 over a domain tag, the key label and its key-check value."""
    return hashlib.sha256(_FP_DOMAIN + label.encode("utf-8") + b"\0" + kcv).hexdigest()


def check_dek(dek: bytes) -> None:
    """KEKs only wrap 256-bit DEKs; anything else is a programming error."""
    if len(dek) != DEK_LEN:
        raise ValueError("a DEK is exactly 32 bytes")


def check_version(version: int) -> None:
    """Versions are positive and fit the 32-bit header field of ``crypto.envelope``."""
    if isinstance(version, bool) or not isinstance(version, int) or not 0 < version < 2**32:
        raise ValueError("a KEK version is an integer in [1, 2**32)")


def gcm_wrap(kek: bytes, case_id: str, version: int, dek: bytes) -> bytes:
    """Software implementation of the wrapping contract (used by ``LocalKeyProvider``)."""
    check_dek(dek)
    nonce = os.urandom(WRAP_NONCE_LEN)
    return nonce + AESGCM(kek).encrypt(nonce, dek, wrap_aad(case_id, version))


def gcm_unwrap(kek: bytes, case_id: str, version: int, wrapped: bytes) -> bytes:
    """Inverse of ``gcm_wrap``; every failure is ``InvalidCiphertext``."""
    if len(wrapped) != WRAPPED_DEK_LEN:
        raise InvalidCiphertext
    try:
        return AESGCM(kek).decrypt(
            wrapped[:WRAP_NONCE_LEN], wrapped[WRAP_NONCE_LEN:], wrap_aad(case_id, version)
        )
    except InvalidTag:
        raise InvalidCiphertext from None


_T = TypeVar("_T")
_Cases = dict[str, dict[int, bytes]]
_Destroyed = dict[str, list[str]]
_PLAIN_FORMAT = "settleroom-local-kek/1"  # before the master key: read once, then wrapped
_FILE_FORMAT = "settleroom-local-kek/2"
_STORE_AAD = b"settleroom/local-key-store/v2\0"
MASTER_KEY_LEN = 32


class LocalKeyProvider:
    """KEKs in one key file, encrypted under a master key: the embedded default for
    single-host deployments.

    File format 2: JSON ``{"format", "nonce", "sealed"}`` where ``sealed`` is
    AES-256-GCM(master key, nonce, the format-1 JSON document, aad = format tag); a fresh
    96-bit nonce per write. The master key (32 bytes) is supplied by the caller and must be
    kept outside the data directory and its backups. A format-1 file (keys in clear, as
    written before the master key) found at construction is wrapped once, under the file
    lock, and the clear file is scrubbed. A file that the master key cannot open (another
    master key, tampering) is refused with ``KeyProviderError``.

    Invariants: the file is mode 0600 in a 0700 directory and is only ever replaced
    atomically (temp file, fsync, ``os.replace``, fsync of the directory), so a crash
    leaves either the old or the new file. Each superseded file is overwritten with zeros
    after the replace, so destroyed keys do not stay in the old inode (best effort, see
    the module docstring). Writers hold a thread lock and an exclusive ``fcntl`` lock on
    ``<file>.lock``, so concurrent threads and processes never lose an update; readers
    take the shared lock only when the file changed since they last parsed it.
    A key file readable by group or others is refused: its keys must be presumed leaked.
    """

    def __init__(self, path: Path, master_key: bytes) -> None:
        if not isinstance(master_key, bytes) or len(master_key) != MASTER_KEY_LEN:
            raise KeyProviderError("the local key store needs a 32-byte master key")
        self._master = AESGCM(master_key)
        self._path = Path(path)
        self._lock_path = self._path.with_name(self._path.name + ".lock")
        self._lock = threading.RLock()
        self._stamp: tuple[int, int, int, int] | None = None
        self._cases: _Cases = {}
        self._destroyed: _Destroyed = {}
        parent = self._path.parent
        parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(parent, 0o700)
        if self._path.exists() and stat.S_IMODE(self._path.stat().st_mode) & 0o077:
            raise KeyProviderError("key file is accessible by group or others; refusing it")
        self._wrap_plain_store()

    # -- KeyProvider -------------------------------------------------------------------

    def create_kek(self, case_id: str) -> int:
        validate_case_id(case_id)

        def change(cases: _Cases, destroyed: _Destroyed) -> int:
            if case_id in destroyed:
                raise KeyDestroyed
            if case_id in cases:
                raise KeyProviderError("case already has keys")
            cases[case_id] = {1: os.urandom(32)}
            return 1

        return self._mutate(change)

    def rotate_kek(self, case_id: str) -> int:
        validate_case_id(case_id)

        def change(cases: _Cases, destroyed: _Destroyed) -> int:
            keys = _live_keys(cases, destroyed, case_id)
            version = max(keys) + 1
            keys[version] = os.urandom(32)
            return version

        return self._mutate(change)

    def current_version(self, case_id: str) -> int:
        return max(self._keys(case_id))

    def versions(self, case_id: str) -> list[int]:
        return sorted(self._keys(case_id))

    def wrap(self, case_id: str, version: int, dek: bytes) -> bytes:
        check_version(version)
        kek = self._keys(case_id).get(version)
        if kek is None:
            raise KeyProviderError("no such KEK version")
        return gcm_wrap(kek, case_id, version, dek)

    def unwrap(self, case_id: str, version: int, wrapped: bytes) -> bytes:
        kek = self._keys(case_id).get(version)
        if kek is None:  # a header naming a version that never existed was tampered with
            raise InvalidCiphertext
        return gcm_unwrap(kek, case_id, version, wrapped)

    def derive_key(self, case_id: str, purpose: bytes) -> bytes:
        kek = self._keys(case_id).get(DERIVE_FROM_VERSION)
        if kek is None:
            raise KeyProviderError("the case's first KEK version is missing")
        return derived_key(kek, case_id, purpose)

    def destroy_case(self, case_id: str) -> list[str]:
        validate_case_id(case_id)

        def change(cases: _Cases, destroyed: _Destroyed) -> list[str]:
            if case_id in destroyed:
                return list(destroyed[case_id])
            keys = cases.pop(case_id, None)
            if keys is None:
                raise KeyProviderError("unknown case")
            fps = [
                fingerprint(key_label(case_id, v), key_check_value(keys[v])) for v in sorted(keys)
            ]
            destroyed[case_id] = fps
            return list(fps)

        return self._mutate(change)

    def has_keys(self, case_id: str) -> bool:
        validate_case_id(case_id)
        with self._lock:
            self._refresh()
            return case_id in self._cases

    def ping(self) -> None:
        with self._lock:
            self._refresh()
        if not os.access(self._path.parent, os.W_OK | os.X_OK):
            raise KeyProviderError("key directory is not writable")

    # -- backup (``crypto.key_backup``) -------------------------------------------------

    def export_state(self) -> tuple[dict[str, dict[int, bytes]], dict[str, list[str]]]:
        """Every live case's KEK versions and every tombstone, read under the shared lock:
        one consistent state. The raw keys must only be re-sealed (``key_backup``)."""
        with self._lock:
            self._refresh()
            cases = {cid: dict(keys) for cid, keys in self._cases.items()}
            return cases, {cid: list(fps) for cid, fps in self._destroyed.items()}

    def import_state(self, cases: dict[str, dict[int, bytes]],
                     destroyed: dict[str, list[str]]) -> None:
        """Fill an empty store (a restore) in one atomic write; a store holding any case
        or tombstone is refused, so a restore never mixes two instances' keys."""
        for cid, keys in cases.items():
            validate_case_id(cid)
            if cid in destroyed or not keys or any(len(k) != 32 for k in keys.values()):
                raise KeyProviderError("refusing an inconsistent key state")

        def change(current: _Cases, gone: _Destroyed) -> None:
            if current or gone:
                raise KeyProviderError("the key store is not empty")
            current.update({cid: dict(keys) for cid, keys in cases.items()})
            gone.update({cid: list(fps) for cid, fps in destroyed.items()})

        self._mutate(change)

    # -- state -------------------------------------------------------------------------

    def _wrap_plain_store(self) -> None:
        """Migrate a format-1 (clear) key file to format 2, once, under the file lock."""
        with self._lock, self._flock(fcntl.LOCK_EX):
            try:
                raw = self._path.read_bytes()
            except FileNotFoundError:
                return
            except OSError as exc:
                raise KeyProviderError("cannot read the key file") from exc
            if not _is_plain(raw):
                return
            cases, destroyed = _parse(raw)
            self._write(self._seal(_serialize(cases, destroyed)))

    def _seal(self, document: bytes) -> bytes:
        nonce = os.urandom(WRAP_NONCE_LEN)
        sealed = self._master.encrypt(nonce, document, _STORE_AAD)
        return json.dumps({
            "format": _FILE_FORMAT, "nonce": base64.b64encode(nonce).decode("ascii"),
            "sealed": base64.b64encode(sealed).decode("ascii"),
        }).encode("utf-8")

    def _unseal(self, raw: bytes) -> bytes:
        try:
            doc = json.loads(raw)
            if doc.get("format") != _FILE_FORMAT:
                raise ValueError("format")
            nonce = base64.b64decode(doc["nonce"], validate=True)
            sealed = base64.b64decode(doc["sealed"], validate=True)
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
            raise KeyProviderError("key file is corrupt") from exc
        try:
            return self._master.decrypt(nonce, sealed, _STORE_AAD)
        except (InvalidTag, ValueError):
            raise KeyProviderError(
                "key file cannot be opened with this master key (wrong key or tampered)"
            ) from None

    def _keys(self, case_id: str) -> dict[int, bytes]:
        validate_case_id(case_id)
        with self._lock:
            self._refresh()
            return dict(_live_keys(self._cases, self._destroyed, case_id))

    @contextmanager
    def _flock(self, mode: int) -> Iterator[None]:
        try:
            fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise KeyProviderError("cannot open the key lock file") from exc
        try:
            fcntl.flock(fd, mode)
            yield
        finally:
            os.close(fd)  # closing releases the flock

    def _refresh(self) -> None:
        """Re-parse the file if its identity changed since the last parse (lock held)."""
        try:
            st = os.stat(self._path)
        except FileNotFoundError:
            self._stamp, self._cases, self._destroyed = None, {}, {}
            return
        except OSError as exc:
            raise KeyProviderError("cannot stat the key file") from exc
        if _stamp(st) == self._stamp:
            return
        with self._flock(fcntl.LOCK_SH):
            self._load()

    def _load(self) -> None:
        try:
            with open(self._path, "rb") as fh:
                st = os.fstat(fh.fileno())
                raw = fh.read()
        except FileNotFoundError:
            self._stamp, self._cases, self._destroyed = None, {}, {}
            return
        except OSError as exc:
            raise KeyProviderError("cannot read the key file") from exc
        if _is_plain(raw):  # written by an older process since we started: wrap it now
            raise KeyProviderError("key file is not wrapped under the master key")
        self._cases, self._destroyed = _parse(self._unseal(raw))
        self._stamp = _stamp(st)

    def _mutate(self, change: Callable[[_Cases, _Destroyed], _T]) -> _T:
        with self._lock, self._flock(fcntl.LOCK_EX):
            self._load()
            result = change(self._cases, self._destroyed)
            self._write(self._seal(_serialize(self._cases, self._destroyed)))
            self._load()
            return result

    def _write(self, data: bytes) -> None:
        parent = self._path.parent
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=".kek-", suffix=".tmp")
        old_fd: int | None = None
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            try:
                old_fd = os.open(self._path, os.O_WRONLY)
            except FileNotFoundError:
                old_fd = None
            os.replace(tmp, self._path)
            dir_fd = os.open(parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
            if old_fd is not None:
                _scrub(old_fd)
        except OSError as exc:
            raise KeyProviderError("cannot write the key file") from exc
        finally:
            if old_fd is not None:
                os.close(old_fd)
            if os.path.exists(tmp):
                os.unlink(tmp)


def _live_keys(cases: _Cases, destroyed: _Destroyed, case_id: str) -> dict[int, bytes]:
    if case_id in destroyed:
        raise KeyDestroyed
    keys = cases.get(case_id)
    if keys is None:
        raise KeyProviderError("unknown case")
    return keys


def _stamp(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _scrub(fd: int) -> None:
    """Overwrite a superseded key file (now unlinked) with zeros and flush it."""
    size = os.fstat(fd).st_size
    os.pwrite(fd, bytes(size), 0)
    os.fsync(fd)


def _is_plain(raw: bytes) -> bool:
    """Whether ``raw`` is a format-1 key file (keys in clear)."""
    try:
        doc = json.loads(raw)
    except ValueError:
        return False
    return isinstance(doc, dict) and doc.get("format") == _PLAIN_FORMAT


def _serialize(cases: _Cases, destroyed: _Destroyed) -> bytes:
    """The format-1 document: what the master key seals in a format-2 file."""
    doc = {
        "format": _PLAIN_FORMAT,
        "cases": {
            cid: {str(v): base64.b64encode(k).decode("ascii") for v, k in sorted(keys.items())}
            for cid, keys in sorted(cases.items())
        },
        "destroyed": dict(sorted(destroyed.items())),
    }
    return json.dumps(doc, indent=1).encode("utf-8")


def _parse(raw: bytes) -> tuple[_Cases, _Destroyed]:
    try:
        doc = json.loads(raw)
        if doc.get("format") != _PLAIN_FORMAT:
            raise ValueError("format")
        cases: _Cases = {
            str(cid): {int(v): base64.b64decode(k, validate=True) for v, k in keys.items()}
            for cid, keys in doc["cases"].items()
        }
        destroyed: _Destroyed = {
            str(cid): [str(fp) for fp in fps] for cid, fps in doc["destroyed"].items()
        }
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
        raise KeyProviderError("key file is corrupt") from exc
    if any(len(k) != 32 for keys in cases.values() for k in keys.values()):
        raise KeyProviderError("key file is corrupt")
    return cases, destroyed
