"""Problem+json everywhere, 413 for oversized bodies, no content echoed in errors."""

from __future__ import annotations

from crypto.errors import KeyProviderError


def assert_problem(r, status, code=None):
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert {"type", "title", "status", "detail", "code"} <= set(body)
    assert body["status"] == status
    if code:
        assert body["code"] == code
    return body


def test_unknown_route_and_method_are_problems(client):
    assert_problem(client.get("/api/v1/nope"), 404, "not_found")
    assert_problem(client.put("/healthz"), 405, "method_not_allowed")


def test_malformed_json_is_422(api):
    user = api.user()
    r = api.client.post("/api/v1/cases", headers={**user.headers,
                        "content-type": "application/json"}, content=b"{not json")
    assert_problem(r, 422, "validation_error")


def test_validation_errors_do_not_echo_the_input(api):
    user = api.user()
    marker = "SECRET-MARKER-4711"
    r = api.client.post("/api/v1/cases", headers=user.headers, json={
        "caption": marker, "court": marker, "court_state": marker, "docket_number": 5,
        "extra_" + marker: marker})
    assert_problem(r, 422, "validation_error")
    assert marker not in r.text


def test_declared_oversized_body_is_413_before_reading(api, settings):
    user = api.user()
    big = b"{" + b" " * (settings.max_json_body_bytes + 10) + b"}"
    r = api.client.post("/api/v1/cases", headers={**user.headers,
                        "content-type": "application/json"}, content=big)
    assert_problem(r, 413, "payload_too_large")


def test_streamed_oversized_body_is_413(api, settings):
    user = api.user()
    chunk = b" " * 65536

    def body():
        yield b"{"
        for _ in range(settings.max_json_body_bytes // len(chunk) + 2):
            yield chunk
        yield b"}"

    r = api.client.post("/api/v1/cases", headers={**user.headers,
                        "content-type": "application/json"}, content=body())
    assert_problem(r, 413, "payload_too_large")


def test_security_headers_on_every_answer(client):
    r = client.get("/healthz")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["referrer-policy"] == "no-referrer"


def test_docs_and_openapi_are_served(client):
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    for path in ["/api/v1/auth/token", "/api/v1/auth/refresh", "/api/v1/auth/logout",
                 "/api/v1/me", "/api/v1/users", "/api/v1/cases", "/api/v1/cases/{case_id}",
                 "/api/v1/cases/{case_id}/parties", "/api/v1/cases/{case_id}/claims",
                 "/api/v1/cases/{case_id}/members",
                 "/api/v1/cases/{case_id}/members/{member_id}"]:
        assert path in spec["paths"], path


def test_readyz_reports_an_unreachable_key_store(client, app, monkeypatch):
    from crypto.errors import KeyProviderError

    def down():
        raise KeyProviderError("token gone")

    monkeypatch.setattr(app.state.services.key_provider, "ping", down)
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json()["code"] == "key_store_unavailable"
    assert client.get("/healthz").status_code == 200


def test_nul_characters_are_422_not_a_database_error(api):
    user = api.user()
    case_id = api.case(user)
    r = api.client.post(f"/api/v1/cases/{case_id}/parties", headers=user.headers,
                        json={"name": "A\x00B", "side": "defendant"})
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    r = api.login("a\x00b@example.com", "pw\x00")
    assert r.status_code == 422


def test_a_case_key_this_server_cannot_reach_is_503_key_unavailable(api, app, monkeypatch):
    """A replica whose key store does not hold the case's key (``unknown case``), or a key
    store that fails mid-request: the content is there, this server cannot open it."""
    room = api.room()
    api.consent_all(room)
    offer = api.offer(room)
    provider = app.state.services.key_provider

    def unknown_case(*_: object, **__: object) -> bytes:
        raise KeyProviderError("unknown case")

    monkeypatch.setattr(provider, "unwrap", unknown_case)
    r = api.client.get(f"/api/v1/cases/{room.id}/offers/{offer['id']}",
                       headers=room.users["defense_counsel"].headers)
    body = assert_problem(r, 503, "key_unavailable")
    assert "retry-after" in r.headers and "unknown case" not in body["detail"]


def test_an_exhausted_connection_pool_is_503_server_busy(api, app, monkeypatch):
    """Every pooled connection busy past the pool's timeout: the server is saturated, and
    says so with a retry hint instead of a 500."""
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    user = api.user()
    pool = app.state.engine.pool

    def exhausted(*_: object, **__: object) -> object:
        raise PoolTimeout("QueuePool limit reached")

    monkeypatch.setattr(pool, "connect", exhausted)
    r = api.client.get("/api/v1/me", headers=user.headers)
    body = assert_problem(r, 503, "server_busy")
    assert r.headers["retry-after"] == "1" and "QueuePool" not in str(body)
