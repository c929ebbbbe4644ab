"""Key-provider contract (every provider) and local key-file properties."""

from __future__ import annotations

import base64
import json
import multiprocessing
import os
import stat
import threading
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crypto.errors import InvalidCiphertext, KeyDestroyed, KeyProviderError
from crypto.keys import (
    WRAPPED_DEK_LEN,
    KeyProvider,
    LocalKeyProvider,
    fingerprint,
    gcm_wrap,
    key_check_value,
    key_label,
    wrap_aad,
)
from crypto.providers import provider_from_settings
from tests.unit.crypto.conftest import MASTER

DEK = bytes(range(32))

# -- contract, parametrized over local and pkcs11 ---------------------------------------


def test_create_rotate_versions(provider: KeyProvider, case_id: str) -> None:
    assert not provider.has_keys(case_id)
    assert provider.create_kek(case_id) == 1
    assert provider.has_keys(case_id)
    assert provider.current_version(case_id) == 1
    assert provider.rotate_kek(case_id) == 2
    assert provider.rotate_kek(case_id) == 3
    assert provider.versions(case_id) == [1, 2, 3]
    assert provider.current_version(case_id) == 3


def test_create_twice_refused(provider: KeyProvider, case_id: str) -> None:
    provider.create_kek(case_id)
    with pytest.raises(KeyProviderError):
        provider.create_kek(case_id)


def test_wrap_unwrap_every_version(provider: KeyProvider, case_id: str) -> None:
    provider.create_kek(case_id)
    provider.rotate_kek(case_id)
    for version in (1, 2):
        wrapped = provider.wrap(case_id, version, DEK)
        assert len(wrapped) == WRAPPED_DEK_LEN
        assert DEK not in wrapped
        assert provider.unwrap(case_id, version, wrapped) == DEK
    # Fresh nonce per wrap: wrapping twice never repeats.
    assert provider.wrap(case_id, 1, DEK) != provider.wrap(case_id, 1, DEK)


def test_wrapped_dek_bound_to_case_and_version(provider: KeyProvider, case_id: str) -> None:
    other = f"case-{uuid.uuid4()}"
    provider.create_kek(case_id)
    provider.rotate_kek(case_id)
    provider.create_kek(other)
    wrapped = provider.wrap(case_id, 1, DEK)
    for target_case, version in [(case_id, 2), (other, 1), (case_id, 99)]:
        with pytest.raises(InvalidCiphertext):
            provider.unwrap(target_case, version, wrapped)


@pytest.mark.parametrize("position", [0, 5, 11, 12, 30, 43, 44, 59])
def test_wrapped_dek_flip_any_byte(provider: KeyProvider, case_id: str, position: int) -> None:
    provider.create_kek(case_id)
    wrapped = bytearray(provider.wrap(case_id, 1, DEK))
    wrapped[position] ^= 0x01
    with pytest.raises(InvalidCiphertext):
        provider.unwrap(case_id, 1, bytes(wrapped))


@pytest.mark.parametrize("wrapped", [b"", b"\x00" * 59, b"\x00" * 61])
def test_wrapped_dek_bad_length(provider: KeyProvider, case_id: str, wrapped: bytes) -> None:
    provider.create_kek(case_id)
    with pytest.raises(InvalidCiphertext):
        provider.unwrap(case_id, 1, wrapped)


def test_wrap_rejects_non_256_bit_dek(provider: KeyProvider, case_id: str) -> None:
    provider.create_kek(case_id)
    with pytest.raises(ValueError):
        provider.wrap(case_id, 1, b"short")


def test_unknown_case(provider: KeyProvider, case_id: str) -> None:
    for call in (
        lambda: provider.current_version(case_id),
        lambda: provider.rotate_kek(case_id),
        lambda: provider.wrap(case_id, 1, DEK),
        lambda: provider.destroy_case(case_id),
    ):
        with pytest.raises(KeyProviderError):
            call()


def test_destroy_case(provider: KeyProvider, case_id: str) -> None:
    provider.create_kek(case_id)
    provider.rotate_kek(case_id)
    wrapped = provider.wrap(case_id, 1, DEK)
    fps = provider.destroy_case(case_id)
    assert len(fps) == 2 and len(set(fps)) == 2
    assert all(len(fp) == 64 and int(fp, 16) >= 0 for fp in fps)
    assert not provider.has_keys(case_id)
    with pytest.raises(KeyDestroyed):
        provider.unwrap(case_id, 1, wrapped)
    for call in (
        lambda: provider.current_version(case_id),
        lambda: provider.versions(case_id),
        lambda: provider.rotate_kek(case_id),
        lambda: provider.create_kek(case_id),
        lambda: provider.wrap(case_id, 1, DEK),
    ):
        with pytest.raises(KeyDestroyed):
            call()
    # Idempotent: a retried destruction certifies the same keys.
    assert provider.destroy_case(case_id) == fps


def test_derived_keys_stable_per_case_and_purpose(provider: KeyProvider, case_id: str) -> None:
    """Derived keys: 32 bytes, the same on every call and after rotation, independent per
    case and per purpose, and gone with the case's keys."""
    other = f"case-{uuid.uuid4()}"
    provider.create_kek(case_id)
    provider.create_kek(other)
    key = provider.derive_key(case_id, b"audit-mac")
    assert len(key) == 32 and provider.derive_key(case_id, b"audit-mac") == key
    assert provider.derive_key(case_id, b"another") != key
    assert provider.derive_key(other, b"audit-mac") != key
    provider.rotate_kek(case_id)
    assert provider.derive_key(case_id, b"audit-mac") == key
    with pytest.raises(ValueError):
        provider.derive_key(case_id, b"")
    with pytest.raises(KeyProviderError):
        provider.derive_key(f"case-{uuid.uuid4()}", b"audit-mac")
    provider.destroy_case(case_id)
    with pytest.raises(KeyDestroyed):
        provider.derive_key(case_id, b"audit-mac")


def test_destroy_leaves_other_cases(provider: KeyProvider, case_id: str) -> None:
    other = f"case-{uuid.uuid4()}"
    provider.create_kek(case_id)
    provider.create_kek(other)
    wrapped = provider.wrap(other, 1, DEK)
    provider.destroy_case(case_id)
    assert provider.unwrap(other, 1, wrapped) == DEK


def test_concurrent_create_from_threads(provider: KeyProvider) -> None:
    cases = [f"case-{uuid.uuid4()}" for _ in range(8)]
    outcomes: list[object] = []

    def create(case: str) -> None:
        try:
            outcomes.append(provider.create_kek(case))
        except KeyProviderError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=create, args=(c,)) for c in cases * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count(1) == len(cases)  # exactly one winner per case
    assert sum(isinstance(o, KeyProviderError) for o in outcomes) == 2 * len(cases)
    assert all(provider.versions(c) == [1] for c in cases)


def test_ping(provider: KeyProvider) -> None:
    provider.ping()


@pytest.mark.parametrize("bad", ["", "a:b", "a/b", "x" * 129, "café"])
def test_case_id_validated(provider: KeyProvider, bad: str) -> None:
    with pytest.raises(KeyProviderError):
        provider.create_kek(bad)


# -- pure helpers (vectors) -------------------------------------------------------------


def test_wrap_aad_vector() -> None:
    assert wrap_aad("c1", 7) == b"settleroom/kek-wrap/v1\0" + b"\0\0\0\x02c1" + b"\0\0\0\x07"


def test_key_check_value_vector() -> None:
    # AES-256 with key 00..1f on the zero block gives f29000b6 2a499fd0 a9f39a6a dd2e7780.
    assert key_check_value(bytes(range(32))).hex() == "f29000"


def test_fingerprint_definition() -> None:
    import hashlib

    expected = hashlib.sha256(
        b"settleroom-kek-fingerprint/v1\0" + b"settleroom:c1:v2" + b"\0" + b"\x01\x02\x03"
    ).hexdigest()
    assert fingerprint(key_label("c1", 2), b"\x01\x02\x03") == expected


# -- local key file ---------------------------------------------------------------------


def _store(path: Path, master: bytes = MASTER) -> dict:
    """The key store's clear document, opened as its file format 2 says."""
    doc = json.loads(path.read_bytes())
    assert doc["format"] == "settleroom-local-kek/2"
    clear = AESGCM(master).decrypt(base64.b64decode(doc["nonce"]),
                                   base64.b64decode(doc["sealed"]),
                                   b"settleroom/local-key-store/v2\0")
    return json.loads(clear)


def _key_bytes(path: Path, case: str) -> list[bytes]:
    return [base64.b64decode(k) for k in _store(path)["cases"][case].values()]


def test_local_file_modes(tmp_path: Path, case_id: str) -> None:
    path = tmp_path / "keys" / "kek.json"
    LocalKeyProvider(path, MASTER).create_kek(case_id)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_local_refuses_readable_key_file(tmp_path: Path, case_id: str) -> None:
    path = tmp_path / "keys" / "kek.json"
    LocalKeyProvider(path, MASTER).create_kek(case_id)
    os.chmod(path, 0o644)
    with pytest.raises(KeyProviderError):
        LocalKeyProvider(path, MASTER)


def test_local_destroy_removes_key_bytes(tmp_path: Path, case_id: str) -> None:
    path = tmp_path / "keys" / "kek.json"
    provider = LocalKeyProvider(path, MASTER)
    provider.create_kek(case_id)
    provider.rotate_kek(case_id)
    keys = _key_bytes(path, case_id)
    fps = provider.destroy_case(case_id)
    raw = path.read_bytes()
    for key in keys:
        assert key not in raw and base64.b64encode(key) not in raw
    assert fps == [
        fingerprint(key_label(case_id, v), key_check_value(k)) for v, k in zip((1, 2), keys)
    ]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_local_key_file_holds_no_key_in_clear(tmp_path: Path, case_id: str) -> None:
    path = tmp_path / "keys" / "kek.json"
    provider = LocalKeyProvider(path, MASTER)
    provider.create_kek(case_id)
    provider.rotate_kek(case_id)
    raw = path.read_bytes()
    for key in _key_bytes(path, case_id):
        assert key not in raw and base64.b64encode(key) not in raw
    assert case_id.encode() not in raw  # not even which cases it holds


def test_local_copy_taken_before_destruction_needs_the_master_key(
    tmp_path: Path, case_id: str
) -> None:
    """A copy of the key directory taken before a destruction opens nothing without the
    master key; with it, it still does (the limit the README states)."""
    path = tmp_path / "keys" / "kek.json"
    provider = LocalKeyProvider(path, MASTER)
    provider.create_kek(case_id)
    wrapped = provider.wrap(case_id, 1, DEK)
    copy = tmp_path / "backup" / "kek.json"
    copy.parent.mkdir(mode=0o700)
    copy.write_bytes(path.read_bytes())
    os.chmod(copy, 0o600)
    provider.destroy_case(case_id)
    with pytest.raises(KeyProviderError, match="master key"):
        LocalKeyProvider(copy, os.urandom(32)).unwrap(case_id, 1, wrapped)
    assert LocalKeyProvider(copy, MASTER).unwrap(case_id, 1, wrapped) == DEK


def test_local_plain_key_file_is_wrapped_once(tmp_path: Path, case_id: str) -> None:
    """A key file of format 1 (keys in clear, as written before the master key) is wrapped
    at the first start and keeps working; later starts leave it alone."""
    path = tmp_path / "keys" / "kek.json"
    path.parent.mkdir(mode=0o700)
    kek = os.urandom(32)
    path.write_text(json.dumps({"format": "settleroom-local-kek/1",
                                "cases": {case_id: {"1": base64.b64encode(kek).decode()}},
                                "destroyed": {"gone": ["ab" * 32]}}))
    os.chmod(path, 0o600)
    wrapped = gcm_wrap(kek, case_id, 1, DEK)
    provider = LocalKeyProvider(path, MASTER)
    raw = path.read_bytes()
    assert json.loads(raw)["format"] == "settleroom-local-kek/2"
    assert kek not in raw and base64.b64encode(kek) not in raw
    assert provider.unwrap(case_id, 1, wrapped) == DEK
    with pytest.raises(KeyDestroyed):
        provider.versions("gone")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    LocalKeyProvider(path, MASTER)
    assert path.read_bytes() == raw


@pytest.mark.parametrize("master", [b"", b"short", bytes(31), bytes(33)])
def test_local_needs_a_256_bit_master_key(tmp_path: Path, master: bytes) -> None:
    with pytest.raises(KeyProviderError):
        LocalKeyProvider(tmp_path / "keys" / "kek.json", master)
    with pytest.raises(KeyProviderError):
        provider_from_settings("local", tmp_path)


def test_local_superseded_file_is_scrubbed(tmp_path: Path, case_id: str) -> None:
    path = tmp_path / "keys" / "kek.json"
    provider = LocalKeyProvider(path, MASTER)
    provider.create_kek(case_id)
    with open(path, "rb") as old:  # keeps the old inode reachable after os.replace
        provider.destroy_case(case_id)
        assert old.read().strip(b"\0") == b""


def test_local_sees_other_instances_writes(tmp_path: Path, case_id: str) -> None:
    path = tmp_path / "keys" / "kek.json"
    first, second = LocalKeyProvider(path, MASTER), LocalKeyProvider(path, MASTER)
    first.create_kek(case_id)
    wrapped = first.wrap(case_id, 1, DEK)
    assert second.unwrap(case_id, 1, wrapped) == DEK
    second.destroy_case(case_id)
    with pytest.raises(KeyDestroyed):
        first.unwrap(case_id, 1, wrapped)


def test_local_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "kek.json"
    provider = LocalKeyProvider(path, MASTER)
    path.write_bytes(b"{not json")
    os.chmod(path, 0o600)
    with pytest.raises(KeyProviderError):
        provider.ping()


def _rotate_many(path: str, case: str, times: int) -> None:
    provider = LocalKeyProvider(Path(path), MASTER)
    for _ in range(times):
        provider.rotate_kek(case)


def test_local_concurrent_processes_lose_no_update(tmp_path: Path, case_id: str) -> None:
    path = tmp_path / "keys" / "kek.json"
    LocalKeyProvider(path, MASTER).create_kek(case_id)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_rotate_many, args=(str(path), case_id, 10)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert LocalKeyProvider(path, MASTER).versions(case_id) == list(range(1, 32))


def test_factory_local(tmp_path: Path) -> None:
    provider = provider_from_settings("local", tmp_path, master_key=MASTER)
    assert isinstance(provider, LocalKeyProvider)
    provider.create_kek("c1")
    assert (tmp_path / "keys" / "kek.json").exists()
    with pytest.raises(KeyProviderError):
        provider_from_settings("vault", tmp_path)
    with pytest.raises(KeyProviderError):
        provider_from_settings("pkcs11", tmp_path, lib_path="/nonexistent.so")
