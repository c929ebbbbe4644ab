"""``/readyz``: the database, the blob store and the key store, each within a short
timeout; 200 with every check's state, or 503 naming the failing check (no secrets, no
endpoint)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine

from crypto.errors import KeyProviderError


@pytest.fixture
def settings(s3_settings):  # noqa: ANN001, ANN201
    return s3_settings


ALL_OK = {"database": "ok", "blob_store": "ok", "key_store": "ok"}


def _not_ready(client, code: str, checks: dict[str, str]) -> None:  # noqa: ANN001
    r = client.get("/readyz")
    assert r.status_code == 503, r.text
    body = r.json()
    assert body["code"] == code and body["checks"] == checks
    assert r.headers["content-type"].startswith("application/problem+json")
    for secret in ("test-secret-access-key", "test-key-id", "127.0.0.1", "settleroom-"):
        assert secret not in r.text
    assert client.get("/healthz").status_code == 200  # alive, only not ready


def test_ready_on_s3_names_every_check(client):
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json() == {"status": "ready", "checks": ALL_OK}


def test_an_unreachable_database_is_named(client, app, tmp_path):
    # Swapped by hand: pytest's monkeypatch cannot restore an attribute of Starlette's State.
    engine = app.state.engine
    app.state.engine = create_engine(f"sqlite:///{tmp_path}/no-such-folder/settleroom.db")
    try:
        _not_ready(client, "database_unavailable", {**ALL_OK, "database": "unavailable"})
    finally:
        app.state.engine = engine


def test_a_missing_bucket_is_named(client, app, monkeypatch):
    monkeypatch.setattr(app.state.services.blob_store, "bucket", "settleroom-no-such-bucket")
    _not_ready(client, "blob_store_unavailable", {**ALL_OK, "blob_store": "unavailable"})


def test_an_unreachable_key_store_is_named(client, app, monkeypatch):
    def down() -> None:
        raise KeyProviderError("token gone")

    monkeypatch.setattr(app.state.services.key_provider, "ping", down)
    _not_ready(client, "key_store_unavailable", {**ALL_OK, "key_store": "unavailable"})


def test_a_check_that_hangs_is_reported_as_a_timeout(client, app, monkeypatch):
    release = threading.Event()

    def hangs() -> None:
        release.wait(30)

    monkeypatch.setattr(app.state.services.key_provider, "ping", hangs)
    # The other checks answer at once, so a busy machine cannot time them out too.
    monkeypatch.setitem(app.state.readiness_checks, "blob_store", lambda: None)
    monkeypatch.setattr(app.state.settings, "readiness_timeout_seconds", 1.0)
    try:
        _not_ready(client, "key_store_unavailable", {**ALL_OK, "key_store": "timeout"})
    finally:
        release.set()
