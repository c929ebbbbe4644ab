"""The HTTP answer carrying a marked copy (``service.download``): its bytes, or its spool file
streamed in bounded chunks.

Invariants: a spooled copy is read ``CHUNK_BYTES`` at a time, so a download holds one chunk
of it in memory however large it is; the file is closed when the response ends, however it
ends (sent whole, the client gone, the server cancelling the request at shutdown), and a
spool file has no name, so closing it deletes it. No range requests: each request is a new
copy with its own marks, so parts of two copies must never be joined into one file.
"""

from __future__ import annotations

from typing import BinaryIO

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from app.documents.service.download import Copy

CHUNK_BYTES = 1024 * 1024


class SpoolFileResponse(Response):
    """Streams an open spool file from its current position, then closes it."""

    def __init__(self, file: BinaryIO, size: int, *, media_type: str,
                 headers: dict[str, str]) -> None:
        super().__init__(None, media_type=media_type,
                         headers={**headers, "Content-Length": str(size)})
        self.file, self.size = file, size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            # The server drops what is sent after the client left: watching for that stops
            # reading the file at once instead of at its end.
            async with anyio.create_task_group() as group:
                async def stream_then_stop() -> None:
                    await self._stream(send)
                    group.cancel_scope.cancel()

                group.start_soon(stream_then_stop)
                await _until_disconnect(receive)
                group.cancel_scope.cancel()
        finally:
            self.file.close()

    async def _stream(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": self.raw_headers})
        left = self.size
        while left > 0:
            chunk = await anyio.to_thread.run_sync(self.file.read, min(left, CHUNK_BYTES))
            if not chunk:
                raise RuntimeError("the spool file ended before its length")
            left -= len(chunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": left > 0})
        if self.size == 0:
            await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def copy_response(copy: Copy) -> Response:
    """The copy with its headers (Content-Disposition, X-Download-Id, no caching)."""
    if isinstance(copy.body, bytes):
        return Response(copy.body, media_type=copy.media_type, headers=copy.headers)
    return SpoolFileResponse(copy.body, copy.size, media_type=copy.media_type,
                             headers=copy.headers)
