"""ASGI middleware: request body limits (413 before the body is read when the length is
declared, and while streaming otherwise), security headers on every response, the count
of requests in flight that the in-process mail worker yields to, and a 503 for a request
the server cut off while shutting down."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_BASE
from app.observability import current_request_id

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


class BodyLimitMiddleware:
    """Limits come from the application's current settings (``app.state.settings``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    @staticmethod
    def _limit_for(scope: Scope, headers: dict[bytes, bytes]) -> int:
        settings = scope["app"].state.settings
        ctype = headers.get(b"content-type", b"").lower()
        if ctype.startswith(b"multipart/"):
            return int(settings.max_upload_bytes)
        return int(settings.max_json_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        limit = self._limit_for(scope, headers)
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(send, limit)
            return
        received = 0
        too_large = False
        replaced = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # Whatever the app answers after the limit was crossed (the framework turns the
            # aborted read into a 400) is replaced by the 413.
            nonlocal replaced
            if too_large:
                if not replaced:
                    replaced = True
                    await self._reject(send, limit)
                return
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            pass
        if too_large and not replaced:
            await self._reject(send, limit)

    async def _reject(self, send: Send, limit: int) -> None:
        body, headers = _problem_413(limit)
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = {k.lower() for k, _ in message.get("headers", [])}
                extra: list[Any] = [(k, v) for k, v in SECURITY_HEADERS if k not in existing]
                ctype = dict(message.get("headers", [])).get(b"content-type", b"")
                if ctype.startswith(b"text/html") and b"content-security-policy" not in existing:
                    extra.append((b"content-security-policy", PAGE_CSP))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, with_headers)


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


class InFlightMiddleware:
    """Counts the requests in flight in ``app.state.in_flight`` (see ``RequestsInFlight``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        gauge = scope["app"].state.in_flight if scope["type"] == "http" else None
        if gauge is None:
            await self.app(scope, receive, send)
            return
        gauge.enter()
        try:
            await self.app(scope, receive, send)
        finally:
            gauge.leave()


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
                  (b"connection", b"close"), *SECURITY_HEADERS]


class ShutdownCutoffMiddleware:
    """A request still running when the shutdown grace period ends is cancelled by the
    server (``settleroom serve``, SETTLEROOM_SHUTDOWN_GRACE_SECONDS); the client is told
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
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except asyncio.CancelledError:
            if not started:
                body, headers = _problem_503()
                await send({"type": "http.response.start", "status": 503, "headers": headers})
                await send({"type": "http.response.body", "body": body})
            raise
