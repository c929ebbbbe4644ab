"""The tests' in-process client: Starlette's ``TestClient`` (lifespan, portal, cookies,
``raise_server_exceptions``) with each request sent to the app in one call into the portal's
event loop, through httpx's own ``ASGITransport``.

Starlette's transport streams a response back across threads: it creates its events, its
body stream and its cancel scope each with a call into the portal, then fetches the body
chunk by chunk, about fifteen thread hand-offs per request (Starlette 1.10). A request to
``GET /api/v1/me`` cost 2.3 ms of CPU that way, several times the app's own work, and the
suite sends tens of thousands of them. Here the whole exchange (request in, status,
headers and the full body out) is one coroutine run in the portal. What the suite loses is
nothing it uses: streaming a response to the test as it is produced (the streaming tests
read from a real server process, ``tests/serveproc.py``), the template debug extension, and
lifespan state (the app's lifespan yields none)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
from starlette.testclient import TestClient as StarletteTestClient
from starlette.types import ASGIApp


class _OneCallTransport(httpx.BaseTransport):
    """Sends a request to ``app`` as one coroutine in the client's portal (the one its
    ``with`` block holds open, else a portal for this request alone, as Starlette's does)."""

    def __init__(self, owner: StarletteTestClient, app: ASGIApp, *,
                 raise_server_exceptions: bool, root_path: str,
                 client: tuple[str, int]) -> None:
        self._owner = owner
        self._asgi = httpx.ASGITransport(app, raise_app_exceptions=raise_server_exceptions,
                                         root_path=root_path, client=client)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._owner._portal_factory() as portal:  # noqa: SLF001 - the client's own portal
            return portal.call(self._exchange, request)

    async def _exchange(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(request.stream, httpx.AsyncByteStream):
            request.stream = _Chunks(request.stream)  # a generator given as ``content``
        response = await self._asgi.handle_async_request(request)
        content = await response.aread()
        return httpx.Response(response.status_code, headers=response.headers,
                              content=content, extensions=response.extensions)


class _Chunks(httpx.AsyncByteStream):
    """A request body given as a synchronous iterator, handed to the app chunk by chunk as
    it is drawn (a test of a body refused part way through depends on that)."""

    def __init__(self, stream: httpx.SyncByteStream) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._stream:
            yield chunk


class TestClient(StarletteTestClient):
    """``starlette.testclient.TestClient`` whose requests go through ``_OneCallTransport``;
    constructed and used the same way."""

    __test__ = False  # a helper, not a test class, wherever a test module imports it

    def __init__(self, app: ASGIApp, *args: Any, raise_server_exceptions: bool = True,
                 root_path: str = "", client: tuple[str, int] = ("testclient", 50000),
                 **kwargs: Any) -> None:
        super().__init__(app, *args, raise_server_exceptions=raise_server_exceptions,
                         root_path=root_path, client=client, **kwargs)
        self._transport = _OneCallTransport(self, self.app, client=client,
                                            raise_server_exceptions=raise_server_exceptions,
                                            root_path=root_path)
