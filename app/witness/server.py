"""The witness's HTTP interface (c2sp.org/tlog-witness), one prefix for both roles:

- ``POST /add-checkpoint``: 200 with the cosignature line, or the protocol's refusals
  (400, 403, 404, 409 with ``text/x.tlog.size``, 422), each a plain-text body.
- ``GET /<hex SHA-256 of origin>/checkpoint``: the latest cosigned checkpoint with the
  log's and the witness's signatures, 404 if the log was never cosigned.

No authentication, as in the protocol: only the log's signature makes a submission count.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from app.witness.rules import Refusal
from app.witness.service import Witness
from crypto import witness as wire

_TEXT = "text/plain; charset=utf-8"


def create_witness_app(witness: Witness) -> FastAPI:
    app = FastAPI(title="settleroom witness", openapi_url=None, docs_url=None,
                  redoc_url=None)

    @app.post("/add-checkpoint")
    async def add_checkpoint(request: Request) -> Response:
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > wire.MAX_REQUEST_BYTES:
                return Response("request too large\n", status_code=413, media_type=_TEXT)
        try:
            line = await run_in_threadpool(witness.add_checkpoint, bytes(body))
        except Refusal as refusal:
            if refusal.status == 409:
                # Exactly this type, without the charset Starlette adds to text/*.
                return Response(f"{refusal.size}\n", status_code=409,
                                headers={"Content-Type": "text/x.tlog.size"})
            return Response(f"{refusal.code}\n", status_code=refusal.status,
                            media_type=_TEXT)
        return Response(line, media_type=_TEXT)

    @app.get("/{origin_hash}/checkpoint")
    def checkpoint(origin_hash: str) -> Response:
        note = witness.checkpoint(origin_hash)
        if note is None:
            return Response("unknown log\n", status_code=404, media_type=_TEXT)
        return Response(note, media_type=_TEXT, headers={"Cache-Control": "no-store"})

    return app
