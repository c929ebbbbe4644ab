"""Request ids, structured logs and Prometheus metrics.

Threat: telemetry is where content leaks unnoticed (a log line quoting a body, a metric
labelled with a filename or an amount). So labels are route templates, methods, status
classes and problem codes, never a path with ids or any value a user typed; log lines are
the project's own messages (which never carry content) with a request id.

- Every request gets an id: the caller's ``X-Request-ID`` when it is a short token, else a
  new one. It is on every log line written while the request runs (worker threads
  included: the id travels in a context variable), in the ``X-Request-ID`` response header,
  and in every problem+json body (``request_id``).
- ``SETTLEROOM_LOG_FORMAT=json`` writes one JSON object per log line.
- ``GET /metrics`` (``app.ops``) serves the registry below in Prometheus text format.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_request_id: ContextVar[str | None] = ContextVar("settleroom_request_id", default=None)

REGISTRY = CollectorRegistry(auto_describe=True)
HTTP_REQUESTS = Counter("settleroom_http_requests", "Requests answered, by route template",
                        ["method", "route", "status"], registry=REGISTRY)
HTTP_SECONDS = Histogram("settleroom_http_request_duration_seconds",
                         "Time to the end of the response, by route template",
                         ["method", "route"], registry=REGISTRY)
AUDIT_APPENDS = Counter("settleroom_audit_events_appended",
                        "Audit events appended (pending sequencing)", registry=REGISTRY)
MAIL_QUEUE = Gauge("settleroom_mail_queue_depth", "Mails in the outbox, by state",
                   ["status"], registry=REGISTRY)
MAIL_FAILURES = Counter("settleroom_mail_failures", "Failed mail hand-overs, by code",
                        ["code"], registry=REGISTRY)
TRACE_SECONDS = Histogram("settleroom_trace_duration_seconds", "Leak traces, end to end",
                          registry=REGISTRY, buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120))
BLOB_ERRORS = Counter("settleroom_blob_store_errors", "Blob store reads and writes that "
                      "failed", ["operation"], registry=REGISTRY)


def current_request_id() -> str | None:
    return _request_id.get()


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    if route is None:
        return "unmatched"
    # Routes carry their whole path template (no router prefixes: ``app.routing.mount``).
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unlisted"


REQUEST_ID_KEY = REQUEST_ID_HEADER.lower().encode()
# (method, route template, status) -> its two series. Looking a series up by its labels
# takes the metric's lock and checks every label value, for each request; the pair is
# kept instead. Bounded: the method is the client's word, and past the bound a request
# takes the metric's own lookup, as before.
_SERIES: dict[tuple[str, str, int], tuple[Any, Any]] = {}
_SERIES_MAX = 4096


@dataclass(frozen=True, slots=True)
class RequestMark:
    id: str
    token: Token[str | None]
    start: float


def begin_request(offered: bytes | None) -> RequestMark:
    """The request's id (the caller's ``X-Request-ID`` when it is a short token, else a new
    one), set for every log line written while the request runs, and its start; hand the
    mark to ``end_request``."""
    text = offered.decode("latin-1") if offered else ""
    request_id = text if _ACCEPTED_ID.match(text) else secrets.token_hex(16)
    return RequestMark(request_id, _request_id.set(request_id), time.perf_counter())


def end_request(scope: Scope, status: int, mark: RequestMark) -> None:
    """Count and time the request by route template; unset its id."""
    seconds = time.perf_counter() - mark.start
    try:
        key = (str(scope.get("method", "")), _route_template(scope), status)
        series = _SERIES.get(key)
        if series is None:
            series = (HTTP_REQUESTS.labels(key[0], key[1], str(status)),
                      HTTP_SECONDS.labels(key[0], key[1]))
            if len(_SERIES) < _SERIES_MAX:
                _SERIES[key] = series
        series[0].inc()
        series[1].observe(seconds)
    finally:
        _request_id.reset(mark.token)


class RequestContextMiddleware:
    """The request id, timing and counting alone, for an app other than the service's (the
    service's own layer, ``app.middleware.ServiceMiddleware``, does this and more)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        mark = begin_request(dict(scope.get("headers", [])).get(REQUEST_ID_KEY))
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_KEY, mark.id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            end_request(scope, status, mark)


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and the
    exception's type when there is one (not its text, which may quote a value)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname, "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__
        return json.dumps(line, ensure_ascii=False)


def configure_logging(log_format: str) -> None:
    """The ``settleroom`` loggers' one handler: JSON or plain text, with request ids."""
    logger = logging.getLogger("settleroom")
    for handler in list(logger.handlers):
        if getattr(handler, "settleroom", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.settleroom = True  # type: ignore[attr-defined]
    handler.addFilter(_RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
