"""PKCS#11 key provider: KEKs generated and used inside an HSM or token.

Invariants:
- every KEK is an AES-256 secret key generated on the token with ``CKA_TOKEN``,
  ``CKA_PRIVATE``, ``CKA_SENSITIVE`` true and ``CKA_EXTRACTABLE`` false, usable only for
  encrypt/decrypt; its value never reaches this process;
- labels are ``settleroom:{case_id}:v{version}`` and every version of a case shares
  ``CKA_ID = sha256(b"settleroom-case\\0" || case_id)``, so all keys of a case are found by
  one search even if a version is unknown;
- wrapping is ``CKM_AES_GCM`` on the token with a fresh 96-bit nonce from the OS and the
  AAD of ``crypto.keys.wrap_aad``: byte-for-byte the same contract as the local provider.
  Tokens without ``CKM_AES_GCM`` are refused at construction (no weaker fallback);
- destruction first writes a tombstone data object (label ``settleroom:{case_id}:destroyed``,
  value = the JSON list of fingerprints), then destroys each key, then searches again and
  fails if any key remains. A retry after a crash finishes the job and returns the same
  fingerprints. The tombstone turns later use into ``KeyDestroyed``;
- derived keys (``derive_key``): the token encrypts 32 zero bytes under the case's first
  KEK with AES-GCM, a nonce fixed by (case, purpose) and the derivation info as AAD; that
  output is a pseudorandom function of the KEK (the CTR keystream and tag), fed to HKDF on
  the host. Reusing that nonce is harmless (always the same plaintext and AAD, so the same
  output); a random wrapping nonce meeting it has probability 2**-96 per wrap.

Threat assumptions: the PIN is a deployment secret supplied by configuration; anyone with
the PIN and token can decrypt, but cannot export keys. One logged-in session per token is shared
by all providers in the process and serialised by a lock (see ``_Shared``).
Creation and rotation of the same case from several processes must be serialised by the
caller (the case row lock); a duplicate label is detected and reported, never guessed.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from typing import Any, Protocol, cast

import pkcs11
from pkcs11 import Attribute, GCMParams, KeyType, Mechanism, MechanismFlag, ObjectClass
from pkcs11 import exceptions as p11e

from crypto.errors import InvalidCiphertext, KeyDestroyed, KeyProviderError
from crypto.keys import (
    DERIVE_FROM_VERSION,
    WRAP_NONCE_LEN,
    WRAPPED_DEK_LEN,
    check_dek,
    check_version,
    derive_info,
    derived_key,
    fingerprint,
    key_label,
    validate_case_id,
    wrap_aad,
)

__all__ = ["Pkcs11KeyProvider", "case_key_id"]

# Errors a token reports for a bad tag or malformed ciphertext (SoftHSM2 answers
# CKR_GENERAL_ERROR for a GCM tag mismatch); anything else is an outage, not tampering.
_TAMPER_ERRORS = (
    p11e.EncryptedDataInvalid,
    p11e.EncryptedDataLenRange,
    p11e.GeneralError,
    p11e.FunctionFailed,
    p11e.DataInvalid,
    p11e.DataLenRange,
)


class _AesKey(Protocol):
    """The part of python-pkcs11's runtime secret-key class that we use."""

    label: str

    def encrypt(self, data: bytes, buffer_size: int = 8192, **kw: Any) -> bytes: ...

    def decrypt(self, data: bytes, buffer_size: int = 8192, **kw: Any) -> bytes: ...

    def destroy(self) -> None: ...

    def __getitem__(self, key: Attribute) -> Any: ...


def case_key_id(case_id: str) -> bytes:
    """CKA_ID shared by every KEK version of one case (non-secret)."""
    return hashlib.sha256(b"settleroom-case\0" + validate_case_id(case_id).encode()).digest()


class _Shared:
    """One logged-in session per (library, token) in this process.

    PKCS#11 login state belongs to the application, not the session: a second C_Login
    fails and C_Logout ends every session. So providers on the same token share one
    session, its lock and a reference count; the first PIN that logs in is the one used.
    """

    def __init__(self, session: pkcs11.Session) -> None:
        self.session = session
        self.lock = threading.Lock()
        self.refs = 0


_REGISTRY: dict[tuple[str, str], _Shared] = {}
_REGISTRY_LOCK = threading.Lock()


def _acquire(lib_path: str, token_label: str, pin: str) -> _Shared:
    with _REGISTRY_LOCK:
        shared = _REGISTRY.get((lib_path, token_label))
        if shared is None:
            try:
                lib = pkcs11.lib(lib_path)
                token = lib.get_token(token_label=token_label)
                if Mechanism.AES_GCM not in token.slot.get_mechanisms():
                    raise KeyProviderError("token does not support CKM_AES_GCM")
                shared = _Shared(token.open(rw=True, user_pin=pin))
            except (p11e.PKCS11Error, OSError) as exc:
                # The message names the failure class only: never the PIN.
                name = type(exc).__name__
                raise KeyProviderError(f"cannot open PKCS#11 token ({name})") from None
            _REGISTRY[(lib_path, token_label)] = shared
        shared.refs += 1
        return shared


def _release(key: tuple[str, str]) -> None:
    with _REGISTRY_LOCK:
        shared = _REGISTRY[key]
        shared.refs -= 1
        if shared.refs == 0:
            del _REGISTRY[key]
            with shared.lock:
                shared.session.close()


class Pkcs11KeyProvider:
    """``KeyProvider`` backed by a PKCS#11 token (SoftHSM2 in tests, an HSM in production)."""

    def __init__(self, lib_path: str, token_label: str, pin: str) -> None:
        self._key = (lib_path, token_label)
        self._shared = _acquire(lib_path, token_label, pin)
        self._session = self._shared.session
        self._lock = self._shared.lock
        self._closed = False

    def close(self) -> None:
        """Release the shared session (logging out when this was its last user)."""
        if not self._closed:
            self._closed = True
            _release(self._key)

    # -- KeyProvider -------------------------------------------------------------------

    def create_kek(self, case_id: str) -> int:
        with self._lock, _translated():
            if self._tombstone(case_id) is not None:
                raise KeyDestroyed
            if self._case_keys(case_id):
                raise KeyProviderError("case already has keys")
            self._generate(case_id, 1)
            return 1

    def rotate_kek(self, case_id: str) -> int:
        with self._lock, _translated():
            version = max(self._live(case_id)) + 1
            self._generate(case_id, version)
            return version

    def current_version(self, case_id: str) -> int:
        with self._lock, _translated():
            return max(self._live(case_id))

    def versions(self, case_id: str) -> list[int]:
        with self._lock, _translated():
            return sorted(self._live(case_id))

    def wrap(self, case_id: str, version: int, dek: bytes) -> bytes:
        check_dek(dek)
        check_version(version)
        with self._lock, _translated():
            key = self._live(case_id).get(version)
            if key is None:
                raise KeyProviderError("no such KEK version")
            nonce = os.urandom(WRAP_NONCE_LEN)
            params = GCMParams(nonce, wrap_aad(case_id, version))
            return nonce + key.encrypt(dek, mechanism=Mechanism.AES_GCM, mechanism_param=params)

    def unwrap(self, case_id: str, version: int, wrapped: bytes) -> bytes:
        with self._lock, _translated():
            key = self._live(case_id).get(version)
            if key is None or len(wrapped) != WRAPPED_DEK_LEN:
                raise InvalidCiphertext
            params = GCMParams(wrapped[:WRAP_NONCE_LEN], wrap_aad(case_id, version))
            try:
                dek = key.decrypt(
                    wrapped[WRAP_NONCE_LEN:], mechanism=Mechanism.AES_GCM, mechanism_param=params
                )
            except _TAMPER_ERRORS:
                raise InvalidCiphertext from None
            if len(dek) != 32:
                raise InvalidCiphertext
            return dek

    def derive_key(self, case_id: str, purpose: bytes) -> bytes:
        info = derive_info(case_id, purpose)
        nonce = hashlib.sha256(b"settleroom/derive-nonce/v1\0" + info).digest()[:WRAP_NONCE_LEN]
        with self._lock, _translated():
            key = self._live(case_id).get(DERIVE_FROM_VERSION)
            if key is None:
                raise KeyProviderError("the case's first KEK version is missing")
            prf = key.encrypt(bytes(32), mechanism=Mechanism.AES_GCM,
                              mechanism_param=GCMParams(nonce, info))
        return derived_key(prf, case_id, purpose)

    def destroy_case(self, case_id: str) -> list[str]:
        with self._lock, _translated():
            keys = self._case_keys(case_id)
            fps = self._tombstone(case_id)
            if fps is None:
                if not keys:
                    raise KeyProviderError("unknown case")
                fps = [fingerprint(key_label(case_id, v), _kcv(k)) for v, k in sorted(keys.items())]
                self._session.create_object(
                    {
                        Attribute.CLASS: ObjectClass.DATA,
                        Attribute.TOKEN: True,
                        Attribute.PRIVATE: True,
                        Attribute.LABEL: _tombstone_label(case_id),
                        Attribute.APPLICATION: "settleroom",
                        Attribute.VALUE: json.dumps(fps).encode(),
                    }
                )
            for key in keys.values():
                key.destroy()
            if self._case_keys(case_id):
                raise KeyProviderError("keys remain on the token after destroy")
            return list(fps)

    def has_keys(self, case_id: str) -> bool:
        with self._lock, _translated():
            return bool(self._case_keys(case_id))

    def ping(self) -> None:
        with self._lock, _translated():
            self._session.generate_random(64)

    # -- token objects -----------------------------------------------------------------

    def _generate(self, case_id: str, version: int) -> None:
        self._session.generate_key(
            KeyType.AES,
            256,
            id=case_key_id(case_id),
            label=key_label(case_id, version),
            store=True,
            capabilities=MechanismFlag.ENCRYPT | MechanismFlag.DECRYPT,
            template={
                Attribute.TOKEN: True,
                Attribute.PRIVATE: True,
                Attribute.SENSITIVE: True,
                Attribute.EXTRACTABLE: False,
            },
        )

    def _case_keys(self, case_id: str) -> dict[int, _AesKey]:
        """Every KEK of the case by version; a duplicated label is an error, not a guess."""
        prefix = f"settleroom:{validate_case_id(case_id)}:v"
        found: dict[int, _AesKey] = {}
        query = {Attribute.CLASS: ObjectClass.SECRET_KEY, Attribute.ID: case_key_id(case_id)}
        for obj in self._session.get_objects(query):
            key = cast(_AesKey, obj)
            label = key.label
            if not label.startswith(prefix) or not label[len(prefix) :].isdigit():
                continue
            version = int(label[len(prefix) :])
            if version in found:
                raise KeyProviderError("duplicate KEK label on the token")
            found[version] = key
        return found

    def _live(self, case_id: str) -> dict[int, _AesKey]:
        keys = self._case_keys(case_id)
        if keys:
            return keys
        if self._tombstone(case_id) is not None:
            raise KeyDestroyed
        raise KeyProviderError("unknown case")

    def _tombstone(self, case_id: str) -> list[str] | None:
        query = {Attribute.CLASS: ObjectClass.DATA, Attribute.LABEL: _tombstone_label(case_id)}
        for obj in self._session.get_objects(query):
            value = obj[Attribute.VALUE]
            return [str(fp) for fp in json.loads(bytes(value))]
        return None


def _tombstone_label(case_id: str) -> str:
    return f"settleroom:{validate_case_id(case_id)}:destroyed"


def _kcv(key: _AesKey) -> bytes:
    """The token's CKA_CHECK_VALUE; empty if the token does not implement it."""
    try:
        return bytes(key[Attribute.CHECK_VALUE])
    except (p11e.AttributeTypeInvalid, p11e.AttributeSensitive):
        return b""


class _translated:  # noqa: N801 - used as a context manager, reads like a function
    """Turn token failures into ``KeyProviderError`` without leaking anything secret."""

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        if isinstance(exc, p11e.PKCS11Error):
            raise KeyProviderError(f"PKCS#11 operation failed ({type(exc).__name__})") from None
