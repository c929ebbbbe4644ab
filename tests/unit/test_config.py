"""Production refuses missing or placeholder secrets; dev runs with none."""

from __future__ import annotations

import pytest

from app.config import ConfigurationError, Settings

GOOD = {"env": "prod", "secret_key": "k" * 40, "database_url": "postgresql+psycopg://db/x",
        "admin_password": "a long admin passphrase", "master_key_file": "/run/keys/master.key"}


def test_dev_needs_no_secrets(tmp_path):
    Settings(env="dev", data_dir=tmp_path).check_production()


def test_prod_with_real_secrets_starts():
    Settings(**GOOD).check_production()


@pytest.mark.parametrize("override,word", [
    ({"secret_key": None}, "SETTLEROOM_SECRET_KEY"),
    ({"secret_key": "change-me"}, "SETTLEROOM_SECRET_KEY"),
    ({"secret_key": "short"}, "SETTLEROOM_SECRET_KEY"),
    ({"admin_password": "change-me"}, "SETTLEROOM_ADMIN_PASSWORD"),
    ({"admin_password": "password"}, "SETTLEROOM_ADMIN_PASSWORD"),
    ({"database_url": None}, "SETTLEROOM_DATABASE_URL"),
    ({"key_provider": "pkcs11", "pkcs11_pin": None}, "SETTLEROOM_PKCS11_PIN"),
    ({"master_key_file": None}, "SETTLEROOM_MASTER_KEY_FILE"),
])
def test_prod_refuses_missing_or_placeholder_secrets(override, word):
    with pytest.raises(ConfigurationError) as err:
        Settings(**{**GOOD, **override}).check_production()
    assert word in str(err.value)
    assert "change-me" not in str(err.value)  # the value itself is never echoed


def test_settings_read_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SETTLEROOM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SETTLEROOM_ACCESS_TOKEN_MINUTES", "5")
    s = Settings()
    assert s.data_dir == tmp_path and s.access_token_minutes == 5
    assert s.resolved_database_url == f"sqlite:///{tmp_path.resolve()}/settleroom.db"
