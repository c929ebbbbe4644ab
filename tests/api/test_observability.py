"""Request ids on responses, problem bodies and log lines; JSON logs; Prometheus metrics
labelled by route template, never by ids or content; the metrics token."""

from __future__ import annotations

import io
import json
import logging
import re

import anyio
import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from app.observability import JsonFormatter, RequestContextMiddleware, configure_logging

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_every_response_and_problem_carries_the_request_id(api):
    owner = api.user("owner")
    r = api.client.get("/api/v1/me", headers=owner.headers)
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"])
    r = api.client.get("/api/v1/me", headers={**owner.headers, "X-Request-ID": "trace-42.a_b"})
    assert r.headers["x-request-id"] == "trace-42.a_b"
    r = api.client.get("/api/v1/me", headers={"X-Request-ID": "bad id<script>"})
    assert r.status_code == 401
    assert r.json()["request_id"] == r.headers["x-request-id"] != "bad id"
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"])


def test_json_log_lines_carry_the_request_id_from_worker_threads_too():
    configure_logging("json")
    stream = io.StringIO()
    handler = next(h for h in logging.getLogger("settleroom").handlers
                   if getattr(h, "settleroom", False))
    handler.setStream(stream)  # type: ignore[attr-defined]
    app = FastAPI()

    @app.get("/work")
    def work() -> dict[str, str]:  # a sync endpoint: it runs in a worker thread
        logging.getLogger("settleroom.test").warning("did the work")
        return {"ok": "yes"}

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=RequestContextMiddleware(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/work", headers={"X-Request-ID": "req-7"})

    try:
        response = anyio.run(call)
        assert response.headers["x-request-id"] == "req-7"
        [line] = [json.loads(x) for x in stream.getvalue().splitlines()]
        assert (line["message"], line["request_id"], line["level"]) == (
            "did the work", "req-7", "WARNING")
    finally:
        configure_logging("text")


def test_the_json_formatter_names_an_exception_by_type_only():
    try:
        raise ValueError("amount 12345.67")
    except ValueError:
        record = logging.LogRecord("settleroom.x", logging.ERROR, __file__, 1, "failed",
                                   None, __import__("sys").exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert line["exception"] == "ValueError" and "12345" not in json.dumps(line)


def test_metrics_are_labelled_by_route_template_without_ids(api, app):
    room = api.room()
    api.client.get(f"/api/v1/cases/{room.id}", headers=room.admin.headers)
    offer = api.offer(room)
    api.client.get(f"/api/v1/cases/{room.id}/offers/{offer['id']}",
                   headers=room.users["defense_counsel"].headers)
    r = api.client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert ('settleroom_http_requests_total{method="GET",route="/api/v1/cases/{case_id}",'
            'status="200"}') in text
    assert ('route="/api/v1/cases/{case_id}/offers/{offer_id}",status="200"') in text
    assert "settleroom_audit_events_appended_total" in text
    assert 'settleroom_mail_queue_depth{status="pending"} 2.0' in text
    assert "settleroom_trace_duration_seconds_bucket" in text
    assert not UUID.search(text) and "Doe v. Acme" not in text


def test_the_metrics_token_is_asked_for_when_set(api, app):
    app.state.settings.metrics_token = SecretStr("scrape-secret-0123456789")
    assert api.client.get("/metrics").status_code == 401
    r = api.client.get("/metrics", headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and r.json()["code"] == "metrics_token_required"
    r = api.client.get("/metrics", headers={"Authorization": "Bearer scrape-secret-0123456789"})
    assert r.status_code == 200
