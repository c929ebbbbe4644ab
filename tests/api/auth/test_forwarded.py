"""X-Forwarded-For is believed only from the proxies named by SETTLEROOM_FORWARDED_ALLOW_IPS
(none by default), in the server ``settleroom serve`` starts."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import uvicorn

from app import cli
from app.config import get_settings


async def _probe(scope, receive, send):  # noqa: ANN001, ANN202
    """An app that answers with the client address it was given."""
    body = (scope["client"][0] if scope.get("client") else "").encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def _served(monkeypatch, tmp_path, **env: str):  # noqa: ANN001, ANN202
    """What ``settleroom serve`` hands uvicorn, loaded as uvicorn loads it."""
    monkeypatch.setenv("SETTLEROOM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SETTLEROOM_FORWARDED_ALLOW_IPS", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    captured: dict = {}
    monkeypatch.setattr(cli, "_prepare", lambda settings: None)
    monkeypatch.setattr("app.main.create_app", lambda settings: _probe)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: captured.update(app=app, **kw))
    try:
        assert cli.main(["serve", "--port", "8123"]) == 0
    finally:
        get_settings.cache_clear()
    options = {k: v for k, v in captured.items() if k not in ("app", "host", "port")}
    config = uvicorn.Config(captured["app"], **options)
    config.load()
    return config.loaded_app


def _seen(app, peer: str) -> str:  # noqa: ANN001
    async def go() -> str:
        transport = httpx.ASGITransport(app=app, client=(peer, 5555))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            r = await client.get("/", headers={"X-Forwarded-For": "203.0.113.9"})
            return r.text
    return asyncio.run(go())


def test_forwarded_headers_are_not_believed_by_default(monkeypatch, tmp_path):
    app = _served(monkeypatch, tmp_path, FORWARDED_ALLOW_IPS="127.0.0.1")
    assert _seen(app, "127.0.0.1") == "127.0.0.1"
    assert _seen(app, "10.0.0.2") == "10.0.0.2"


@pytest.mark.parametrize("allowed", ["10.0.0.2", "10.0.0.0/24", " 10.0.0.2 , 10.0.0.3"])
def test_forwarded_headers_are_believed_from_the_named_proxy_only(monkeypatch, tmp_path,
                                                                  allowed):
    app = _served(monkeypatch, tmp_path, SETTLEROOM_FORWARDED_ALLOW_IPS=allowed)
    assert _seen(app, "10.0.0.2") == "203.0.113.9"
    assert _seen(app, "127.0.0.1") == "127.0.0.1"
