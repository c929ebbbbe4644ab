"""Request ids on responses, problem bodies and log lines; JSON logs; Prometheus metrics
labelled by route template, never by ids or content; the metrics token. The apps here
hand mail to a real SMTP server of the test's own (``tests.mailserver``), so that a
refused delivery is a real one."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import anyio
import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from app import observability
from app.config import Settings
from app.observability import JsonFormatter, RequestContextMiddleware, configure_logging
from tests.conftest import make_settings
from tests.mailserver import Inbox, smtp_server
from tests.template import Template, copy_data_dir

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
DURATION = "settleroom_http_request_duration_seconds"
CASE_ROUTE = "/api/v1/cases/{case_id}"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, database_url: str, _template: Template, inbox: Inbox) -> Settings:
    return make_settings(copy_data_dir(_template.data_dir, tmp_path / "data"), database_url,
                         smtp_host="127.0.0.1", smtp_port=inbox.port, smtp_starttls=False)


def sample(text: str, name: str, **labels: str) -> float:
    """The value of the one sample ``name`` whose labels include ``labels`` (0 when the
    series has not been written yet: a counter starts when it first moves)."""
    found = [s.value for family in text_string_to_metric_families(text)
             for s in family.samples
             if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())]
    assert len(found) <= 1, (name, labels, found)
    return found[0] if found else 0.0


def scrape(api) -> str:  # noqa: ANN001
    r = api.client.get("/metrics")
    assert r.status_code == 200, r.text
    return r.text


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


def test_the_latency_histogram_counts_each_request_in_its_route_templates_buckets(
        api, monkeypatch):
    """Each request lands once in its route template's series, in the buckets its time
    falls in; an id in the path never becomes a label (an unmatched path included)."""
    room = api.room()
    headers = room.admin.headers
    ticks = iter(x * 0.4 for x in range(1000))  # every request "takes" 0.4 s
    before = scrape(api)
    monkeypatch.setattr(observability, "time", SimpleNamespace(perf_counter=lambda: next(ticks)))
    for _ in range(3):
        assert api.client.get(f"/api/v1/cases/{room.id}", headers=headers).status_code == 200
    missing = api.client.get(f"/api/v1/no-such-thing/{room.id}", headers=headers)
    assert missing.status_code == 404
    monkeypatch.undo()
    after = scrape(api)

    def moved(name: str, **labels: str) -> float:
        return round(sample(after, name, **labels) - sample(before, name, **labels), 6)

    route = {"method": "GET", "route": CASE_ROUTE}
    assert moved(f"{DURATION}_count", **route) == 3
    assert moved(f"{DURATION}_sum", **route) == pytest.approx(1.2)
    assert moved(f"{DURATION}_bucket", le="0.25", **route) == 0
    assert moved(f"{DURATION}_bucket", le="0.5", **route) == 3
    assert moved(f"{DURATION}_bucket", le="+Inf", **route) == 3
    assert moved(f"{DURATION}_count", method="GET", route="unmatched") == 1
    routes = {s.labels["route"] for f in text_string_to_metric_families(after)
              for s in f.samples if s.name.startswith(DURATION)}
    assert CASE_ROUTE in routes and "unmatched" in routes
    assert not any(UUID.search(r) or room.id in r for r in routes)


def test_a_refused_delivery_moves_the_mail_failure_counter_by_its_code(api, app, inbox):
    """The test's SMTP server refuses one of the two recipients: one failure, labelled by
    its code (never the address), and the delivery that went through counts nothing."""
    room = api.room()
    refused = room.users["defense_client"].email
    inbox.refuse[refused] = "550 5.1.1 No such mailbox"
    before = scrape(api)
    api.offer(room)
    app.state.mailer.drain()
    after = scrape(api)
    assert inbox.addresses() == [room.users["defense_counsel"].email]
    name = "settleroom_mail_failures_total"
    code = "smtp_recipient_refused"
    assert sample(after, name, code=code) - sample(before, name, code=code) == 1
    total = sum(s.value for f in text_string_to_metric_families(after) for s in f.samples
                if s.name == name) - sum(s.value for f in text_string_to_metric_families(before)
                                         for s in f.samples if s.name == name)
    assert total == 1 and refused not in after
