"""The master key of the local key store lives outside the data directory: a copy or backup
of the data directory alone opens no case key."""

from __future__ import annotations

import base64
import os
import shutil
import stat
from pathlib import Path

import pytest

from app.config import ConfigurationError, Settings
from app.keyfiles import default_master_key_path, master_key
from app.runtime import build_services
from crypto.errors import KeyProviderError

CHEAP = {"argon2_time_cost": 1, "argon2_memory_kib": 64, "argon2_parallelism": 1}


def _settings(data_dir: Path, **kw: object) -> Settings:
    return Settings(env="dev", data_dir=data_dir, **CHEAP, **kw)  # type: ignore[arg-type]


def test_embedded_default_beside_the_data_dir(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "var")
    services = build_services(settings)
    path = tmp_path / "var.master-key"
    assert default_master_key_path(settings.data_dir) == path
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(base64.b64decode(path.read_bytes().strip(), validate=True)) == 32
    assert master_key(settings) == master_key(settings)  # created once, then read
    services.key_provider.create_kek("c1")
    names = {p.name for p in settings.data_dir.rglob("*")}
    assert "var.master-key" not in names and not any("master" in n for n in names)


def test_named_by_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secrets" / "master.key"
    monkeypatch.setenv("SETTLEROOM_MASTER_KEY_FILE", str(path))
    settings = Settings(data_dir=tmp_path / "data", **CHEAP)  # type: ignore[arg-type]
    build_services(settings).key_provider.create_kek("c1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not (tmp_path / "data.master-key").exists()


def test_data_dir_copied_without_its_master_key_opens_nothing(tmp_path: Path) -> None:
    """A copy of the whole data directory taken before a case is destroyed: restored
    elsewhere, without the master key, its key store cannot be opened."""
    settings = _settings(tmp_path / "var")
    build_services(settings).key_provider.create_kek("c1")
    shutil.copytree(settings.data_dir, tmp_path / "stolen")
    with pytest.raises(KeyProviderError, match="master key"):
        build_services(_settings(tmp_path / "stolen")).key_provider.versions("c1")


def test_refused_inside_the_data_dir_or_readable_or_malformed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with pytest.raises(ConfigurationError, match="outside the data directory"):
        master_key(_settings(data, master_key_file=data / "keys" / "master.key"))
    loose = tmp_path / "loose.key"
    loose.write_bytes(base64.b64encode(os.urandom(32)))
    os.chmod(loose, 0o644)
    with pytest.raises(ConfigurationError, match="group or others"):
        master_key(_settings(data, master_key_file=loose))
    bad = tmp_path / "bad.key"
    bad.write_bytes(b"not a key")
    os.chmod(bad, 0o600)
    with pytest.raises(ConfigurationError, match="32 random bytes") as err:
        master_key(_settings(data, master_key_file=bad))
    assert "not a key" not in str(err.value)


def test_key_store_file_named_outside_the_data_dir_is_shared(tmp_path: Path) -> None:
    """Two processes with their own data directories naming one key store file and one
    master key (replicas) see the same case keys, wherever the key was created."""
    shared = {"key_store_file": tmp_path / "store" / "kek.json",
              "master_key_file": tmp_path / "master" / "master.key"}
    first = build_services(_settings(tmp_path / "a", **shared)).key_provider
    second = build_services(_settings(tmp_path / "b", **shared)).key_provider
    first.create_kek("c1")
    assert second.versions("c1") == [1]
    dek = os.urandom(32)
    assert first.unwrap("c1", 1, second.wrap("c1", 1, dek)) == dek
    assert (tmp_path / "store" / "kek.json").exists()
    assert not (tmp_path / "a" / "keys").exists() and not (tmp_path / "b" / "keys").exists()


def test_master_key_refused_beside_the_key_store_file(tmp_path: Path) -> None:
    """A copy of the key store's folder must not carry the key that opens it."""
    with pytest.raises(ConfigurationError, match="key store file's directory"):
        master_key(_settings(tmp_path / "data", key_store_file=tmp_path / "keys" / "kek.json",
                             master_key_file=tmp_path / "keys" / "master.key"))


def test_existing_plain_key_store_is_wrapped_at_start(tmp_path: Path) -> None:
    """A data dir from before the master key: its clear key file is wrapped at first start."""
    import json

    data = tmp_path / "var"
    (data / "keys").mkdir(parents=True, mode=0o700)
    kek = os.urandom(32)
    store = data / "keys" / "kek.json"
    store.write_text(json.dumps({"format": "settleroom-local-kek/1",
                                 "cases": {"c1": {"1": base64.b64encode(kek).decode()}},
                                 "destroyed": {}}))
    os.chmod(store, 0o600)
    services = build_services(_settings(data))
    assert services.key_provider.versions("c1") == [1]
    assert base64.b64encode(kek) not in store.read_bytes()
