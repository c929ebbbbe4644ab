"""The settleroom command: start-up preparation (migrate, secrets, bootstrap admin) and
account creation, against the test database."""

from __future__ import annotations

import stat

import pytest
from sqlalchemy import select

from app import cli
from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.models.users import User
from tests.conftest import make_settings


@pytest.fixture
def cli_settings(tmp_path, empty_database_url, monkeypatch):
    s = make_settings(tmp_path / "data", empty_database_url)
    monkeypatch.setattr(cli, "get_settings", lambda: s)
    return s


def users(settings: Settings) -> list[User]:
    engine = make_engine(settings.resolved_database_url)
    with make_sessionmaker(engine)() as session:
        found = list(session.execute(select(User)).scalars())
    engine.dispose()
    return found


def test_prepare_creates_secrets_and_a_dev_admin_once(cli_settings):
    cli._prepare(cli_settings)
    data = cli_settings.data_dir
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("jwt-es256.pem", "admin-password.txt"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name
    admins = users(cli_settings)
    assert [(u.email, u.is_platform_admin) for u in admins] == [("admin@example.com", True)]
    cli._prepare(cli_settings)  # idempotent: no second admin, same password file
    assert len(users(cli_settings)) == 1


def test_prepare_uses_the_configured_admin(cli_settings):
    s = make_settings(cli_settings.data_dir, cli_settings.database_url,
                      admin_email="Boss@Example.com", admin_password="a very long passphrase")
    cli._prepare(s)
    assert [u.email for u in users(s)] == ["boss@example.com"]


def test_users_create(cli_settings, monkeypatch, capsys):
    monkeypatch.setenv("SETTLEROOM_NEW_USER_PASSWORD", "another long passphrase")
    assert cli.main(["users", "create", "--email", "c@example.com", "--name", "C"]) == 0
    assert cli.main(["users", "create", "--email", "c@example.com", "--name", "C"]) == 1
    assert "already exists" in capsys.readouterr().err
    monkeypatch.setenv("SETTLEROOM_NEW_USER_PASSWORD", "short")
    assert cli.main(["users", "create", "--email", "d@example.com", "--name", "D"]) == 2


def test_prod_refuses_to_start_with_a_placeholder(cli_settings, monkeypatch, capsys):
    s = make_settings(cli_settings.data_dir, cli_settings.database_url, env="prod",
                      secret_key=None)
    monkeypatch.setattr(cli, "get_settings", lambda: s)
    assert cli.main(["serve", "--port", "1"]) == 2
    assert "refusing to start" in capsys.readouterr().err
