"""The service's one ASGI middleware layer (``ServiceMiddleware``), outermost: every HTTP
request gets an id, is timed and counted (``app.observability``), is counted in flight for the
in-process mail worker (``RequestsInFlight``), has its body limited (413 before the body is read
when the length is declared, and while streaming otherwise), gets the security headers on
every response, and is answered 503 when the server cut it off while shutting down.

One layer, not five: each layer wrapped ``send`` once more and looked the request's headers up
again, and on a trivial request the five were a measurable part of its cost
(``bench/bench_http.py``). Every response, the 413 and the 503 included, goes out through one
function that adds the security headers and the request id."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_BASE
from app.observability import (
    REQUEST_ID_KEY,
    begin_request,
    current_request_id,
    end_request,
)

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]
# Pages: no inline script or style, nothing from elsewhere, never framed.
PAGE_CSP = (b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


class _TooLarge(Exception):
    pass


def _problem_413(limit: int) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    body = json.dumps({
        "type": PROBLEM_TYPE_BASE + "payload_too_large", "title": "Request body too large",
        "status": 413, "detail": f"The request body exceeds the limit of {limit} bytes.",
        "code": "payload_too_large", "request_id": current_request_id(),
    }).encode()
    return body, [(b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                  (b"content-length", str(len(body)).encode())]


def _problem_503() -> tuple[bytes, list[tuple[bytes, bytes]]]:
    body = json.dumps({
        "type": PROBLEM_TYPE_BASE + "shutting_down", "title": "Server shutting down",
        "status": 503, "detail": "The server stopped before it could answer this request. "
        "Check whether it took effect before sending it again, or send it again with the "
        "same Idempotency-Key.", "code": "shutting_down",
        "request_id": current_request_id(),
    }).encode()
    return body, [(b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                  (b"content-length", str(len(body)).encode()), (b"retry-after", b"1"),
                  (b"connection", b"close")]


class RequestsInFlight:
    """How many HTTP requests this process is serving right now: what the in-process mail
    worker yields to. A count only (no paths, no ids); read from another thread."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    def enter(self) -> None:
        with self._lock:
            self._count += 1

    def leave(self) -> None:
        with self._lock:
            self._count -= 1

    def busy(self) -> bool:
        return self._count > 0


def _response_headers(headers: list[tuple[bytes, bytes]],
                      request_id: str) -> list[tuple[bytes, bytes]]:
    """The response's headers, then each security header it did not set itself (pages also
    get the content security policy), then the request id."""
    names = set()
    ctype = b""
    for name, value in headers:
        name = name.lower()
        names.add(name)
        if name == b"content-type":
            ctype = value
    out = list(headers)
    out += [(k, v) for k, v in SECURITY_HEADERS if k not in names]
    if ctype.startswith(b"text/html") and b"content-security-policy" not in names:
        out.append((b"content-security-policy", PAGE_CSP))
    out.append((REQUEST_ID_KEY, request_id.encode()))
    return out


class _Exchange:
    """One request's passage through ``ServiceMiddleware``: what it has received and sent."""

    __slots__ = ("_receive", "_send", "limit", "received", "replaced", "request_id",
                 "started", "status", "too_large")

    def __init__(self, receive: Receive, send: Send, request_id: str, limit: int) -> None:
        self._receive = receive
        self._send = send
        self.request_id = request_id
        self.limit = limit
        self.received = 0
        self.status = 500  # what is counted when no response started
        self.started = self.too_large = self.replaced = False

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.too_large = True
                raise _TooLarge
        return message

    async def send(self, message: Message) -> None:
        # Whatever the app answers after the limit was crossed (the framework turns the
        # aborted read into a 400) is replaced by the 413.
        if self.too_large:
            if not self.replaced:
                self.replaced = True
                await self.reject()
            return
        await self.respond(message)

    async def respond(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            self.status = int(message["status"])
            message = {**message, "headers": _response_headers(
                message.get("headers", []), self.request_id)}
        await self._send(message)

    async def reject(self) -> None:
        body, headers = _problem_413(self.limit)
        await self.respond({"type": "http.response.start", "status": 413, "headers": headers})
        await self.respond({"type": "http.response.body", "body": body})

    async def cut_off(self) -> None:
        body, headers = _problem_503()
        await self.respond({"type": "http.response.start", "status": 503, "headers": headers})
        await self.respond({"type": "http.response.body", "body": body})


class ServiceMiddleware:
    """See the module docstring. Limits come from the application's current settings
    (``app.state.settings``), the count in flight goes to ``app.state.in_flight``.

    Shutdown: a request still running when the shutdown grace period ends is cancelled by
    the server (``settleroom serve``, SETTLEROOM_SHUTDOWN_GRACE_SECONDS); the client is told
    so with a 503 ``shutting_down``, rather than the server's bare 500. Whether the request
    took effect is unknown to this layer: a request cut off while its body was read wrote
    nothing, but a synchronous endpoint already running in its thread finishes (and
    commits) before the cancellation reaches here, so the detail never claims either way.
    A response already begun cannot be replaced: the connection just ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = ctype = declared = None
        for name, value in scope.get("headers", ()):  # the last of a repeated header counts
            if name == REQUEST_ID_KEY:
                offered = value
            elif name == b"content-type":
                ctype = value
            elif name == b"content-length":
                declared = value
        mark = begin_request(offered)
        state = scope["app"].state
        exchange = _Exchange(receive, send, mark.id, _limit(state.settings, ctype))
        state.in_flight.enter()
        try:
            await self._serve(scope, exchange, declared)
        finally:
            state.in_flight.leave()
            end_request(scope, exchange.status, mark)

    async def _serve(self, scope: Scope, exchange: _Exchange, declared: bytes | None) -> None:
        try:
            if declared is not None and declared.isdigit() and int(declared) > exchange.limit:
                await exchange.reject()
                return
            try:
                await self.app(scope, exchange.receive, exchange.send)
            except _TooLarge:
                pass
            if exchange.too_large and not exchange.replaced:
                await exchange.reject()
        except asyncio.CancelledError:
            if not exchange.started:
                await exchange.cut_off()
            raise


def _limit(settings: Any, ctype: bytes | None) -> int:
    if ctype is not None and ctype.lower().startswith(b"multipart/"):
        return int(settings.max_upload_bytes)
    return int(settings.max_json_body_bytes)
