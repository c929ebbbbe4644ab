"""Passwords from the shipped list of common and breached passwords are refused (ASVS 5.0
V6.2.4), whatever their case and with digits or punctuation around them; the list is read on
first use, not at start-up."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.auth import common_passwords
from tests.factories import PASSWORD


@pytest.mark.parametrize("password", [
    "password1234", "PASSWORD1234", "Password1234!", "qwertyuiop12", "!!iloveyou2024",
    "baseball2025!", "  jennifer  1987",
])
def test_common_passwords_are_refused_on_account_creation(api, password):
    r = api.client.post("/api/v1/users", headers=api.admin.headers,
                        json={"email": "common@example.com", "name": "C", "password": password})
    assert r.status_code == 422, password
    assert r.json()["code"] == "password_too_common"
    assert "too common" in r.json()["detail"]


def test_common_new_password_is_refused_and_the_old_one_kept(api):
    user = api.user()
    r = api.client.post("/api/v1/me/password", headers=user.headers,
                        json={"current_password": PASSWORD, "new_password": "Sunshine2024!"})
    assert r.status_code == 422 and r.json()["code"] == "password_too_common"
    assert api.client.get("/api/v1/me", headers=user.headers).status_code == 200
    assert api.login(user.email).status_code == 200


def test_uncommon_passwords_pass():
    for password in (PASSWORD, "a brand new passphrase", "xkcd-936 tuba window lamp",
                     "Zq8#kV2!mP4w"):
        assert not common_passwords.is_common(password), password


def test_the_list_is_not_read_at_start_up():
    code = ("from app.main import create_app\n"
            "from app.auth import common_passwords\n"
            "assert not common_passwords.loaded()\n"
            "assert common_passwords.is_common('password1234')\n"
            "assert common_passwords.loaded()\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
