"""Case keys sealed for a backup (``crypto.key_backup``) and the local store's export and
import: every byte of a sealed file matters, a file opens only as its own case and only
with its master key, and an import never mixes into a store that holds keys."""

from __future__ import annotations

import base64
import json
import os

import pytest

from crypto import key_backup
from crypto.errors import KeyProviderError
from crypto.keys import LocalKeyProvider

MASTER = bytes(range(32))
KEYS = {1: b"\x11" * 32, 2: b"\x22" * 32}


def test_a_sealed_file_opens_to_its_keys_and_holds_none_of_them_in_clear() -> None:
    sealed = key_backup.seal_case_keys(MASTER, "case-a", KEYS)
    assert key_backup.open_case_keys(MASTER, "case-a", sealed) == KEYS
    assert all(k not in sealed for k in KEYS.values())


@pytest.mark.parametrize("case_id, master", [("case-b", MASTER), ("case-a", b"\x01" * 32)],
                         ids=["another-case", "another-master-key"])
def test_another_case_or_master_key_is_refused(case_id: str, master: bytes) -> None:
    sealed = key_backup.seal_case_keys(MASTER, "case-a", KEYS)
    with pytest.raises(KeyProviderError):
        key_backup.open_case_keys(master, case_id, sealed)


def test_a_renamed_file_is_refused_even_with_its_label_rewritten() -> None:
    doc = json.loads(key_backup.seal_case_keys(MASTER, "case-a", KEYS))
    doc["case_id"] = "case-b"
    with pytest.raises(KeyProviderError, match="cannot be opened"):
        key_backup.open_case_keys(MASTER, "case-b", json.dumps(doc).encode())


def test_every_flipped_byte_of_the_sealed_keys_is_refused() -> None:
    doc = json.loads(key_backup.seal_case_keys(MASTER, "case-a", KEYS))
    sealed = base64.b64decode(doc["sealed"])
    for i in range(len(sealed)):
        bad = bytearray(sealed)
        bad[i] ^= 0x80
        doc["sealed"] = base64.b64encode(bytes(bad)).decode()
        with pytest.raises(KeyProviderError):
            key_backup.open_case_keys(MASTER, "case-a", json.dumps(doc).encode())


def test_export_then_import_into_an_empty_store_gives_the_same_keys(tmp_path) -> None:  # noqa: ANN001
    live = LocalKeyProvider(tmp_path / "a" / "kek.json", MASTER)
    live.create_kek("case-a")
    live.rotate_kek("case-a")
    live.create_kek("case-gone")
    fps = live.destroy_case("case-gone")
    cases, destroyed = live.export_state()
    assert set(cases) == {"case-a"} and destroyed == {"case-gone": fps}

    fresh = LocalKeyProvider(tmp_path / "b" / "kek.json", MASTER)
    fresh.import_state(cases, destroyed)
    dek = os.urandom(32)
    assert fresh.unwrap("case-a", 2, live.wrap("case-a", 2, dek)) == dek
    assert fresh.destroy_case("case-gone") == fps  # the tombstone came along
    with pytest.raises(KeyProviderError, match="not empty"):
        fresh.import_state(cases, {})
    # What a destruction certificate lists for the case is what the backup manifest lists.
    listed = key_backup.fingerprints("case-a", cases["case-a"])
    assert len(listed) == 2 and sorted(fresh.destroy_case("case-a")) == sorted(listed)
