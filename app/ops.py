"""Liveness and readiness probes (public), and Prometheus metrics (a bearer token when
``SETTLEROOM_METRICS_TOKEN`` is set)."""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.errors import problem
from app.notifications import service as notifications
from app.observability import MAIL_QUEUE, REGISTRY

logger = logging.getLogger("settleroom.ops")
router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(request: Request) -> dict[str, str] | JSONResponse:
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return problem(503, "database_unavailable", "Not ready", "The database is unreachable.")
    for check in getattr(request.app.state, "readiness_checks", []):
        failure = check()
        if failure:
            return problem(503, failure, "Not ready", "A dependency is unreachable.")
    return {"status": "ready"}


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}})
def metrics(request: Request) -> Response:
    """Counters and histograms by route template, audit appends, mail queue and failures,
    trace durations, blob store errors: never an id, a path with ids, or content."""
    token = request.app.state.settings.metrics_token
    if token is not None:
        offered = request.headers.get("authorization", "")
        expected = "Bearer " + token.get_secret_value()
        if not hmac.compare_digest(offered.encode(), expected.encode()):
            return problem(401, "metrics_token_required", "Authentication required",
                           "Send the metrics bearer token.",
                           headers={"WWW-Authenticate": "Bearer"})
    try:
        with request.app.state.sessionmaker() as session:
            for status, count in notifications.outbox_depth(session).items():
                MAIL_QUEUE.labels(status).set(count)
    except SQLAlchemyError:
        # The counters still answer; the queue gauge keeps its last value.
        logger.warning("metrics: the mail queue could not be read")
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
