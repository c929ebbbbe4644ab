"""Notification tests talk to a real SMTP server (aiosmtpd on a free loopback port); each
test's app sends its mail there. The delivery worker runs only when a test asks for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import Settings
from tests.conftest import make_settings
from tests.mailserver import Inbox, smtp_server
from tests.template import Template, copy_data_dir


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def mail_settings() -> dict[str, object]:
    """Overrides a module adds to its apps' settings."""
    return {}


@pytest.fixture
def settings(tmp_path: Path, database_url: str, start: Template, inbox: Inbox,
             mail_settings: dict[str, object]) -> Settings:
    return make_settings(copy_data_dir(start.data_dir, tmp_path / "data"), database_url,
                         smtp_host="127.0.0.1", smtp_port=inbox.port, smtp_starttls=False,
                         **mail_settings)
