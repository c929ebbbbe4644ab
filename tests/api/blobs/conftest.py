"""The blob stores under test: a moto S3 server per test worker (a subprocess on a
loopback port) and a fresh bucket per test. A module runs the app on S3
(``SETTLEROOM_BLOB_STORE=s3``) by overriding ``settings`` with ``s3_settings``; the
database is SQLite or PostgreSQL as everywhere else."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import Settings
from tests.conftest import make_settings
from tests.s3server import S3Server
from tests.template import Template, copy_data_dir


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    server = S3Server()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def bucket(s3_server: S3Server) -> str:
    return s3_server.new_bucket()


@pytest.fixture
def s3_settings(tmp_path: Path, database_url: str, _template: Template, s3_server: S3Server,
             bucket: str) -> Settings:
    return make_settings(copy_data_dir(_template.data_dir, tmp_path / "data"), database_url,
                         **s3_server.settings(bucket))


@pytest.fixture
def outage_s3() -> Iterator[S3Server]:
    """A server of the test's own, which the test may stop (the shared one serves others)."""
    server = S3Server()
    server.start()
    yield server
    server.stop()
