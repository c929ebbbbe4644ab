"""Liveness and readiness probes (public), and Prometheus metrics (a bearer token when
``SETTLEROOM_METRICS_TOKEN`` is set)."""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from app.errors import problem
from app.notifications import service as notifications
from app.observability import MAIL_QUEUE, REGISTRY
from app.routing import DeferredRouter

logger = logging.getLogger("settleroom.ops")
router = DeferredRouter(tags=["operations"])
# A readiness check returns None when its dependency answers, else a problem code.
ReadinessCheck = Callable[[], str | None]


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _database_problem(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return "database_unavailable"
    return None


def run_checks(checks: dict[str, ReadinessCheck], timeout: float) -> dict[str, str]:
    """Run the checks side by side, each answering within ``timeout``: ``ok``,
    ``unavailable`` or ``timeout``. A check still hanging after its time is
    left to finish on its own thread (its driver's own timeout ends it) and reported."""
    pool = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="settleroom-ready")
    try:
        futures = {name: pool.submit(check) for name, check in checks.items()}
        deadline = time.monotonic() + timeout
        results = {}
        for name, future in futures.items():
            try:
                failure = future.result(timeout=max(0.0, deadline - time.monotonic()))
            except FuturesTimeout:
                results[name] = "timeout"
                continue
            except Exception:  # noqa: BLE001 - a broken check is a failed one, never a 500
                failure = "unavailable"
            results[name] = "unavailable" if failure else "ok"
        return results
    finally:
        pool.shutdown(wait=False)


@router.get("/readyz", response_model=None)
def readyz(request: Request) -> dict[str, object] | JSONResponse:
    """200 ``{status: ready, checks}`` when the database, the blob store and the key store
    each answer within the readiness timeout; else 503 with the first failing check's
    code (``database_unavailable``, ``blob_store_unavailable``, ``key_store_unavailable``)
    and every check's state. No endpoint, bucket, path or driver message is shown."""
    state = request.app.state
    checks: dict[str, ReadinessCheck] = {
        "database": lambda: _database_problem(state.engine),
        **getattr(state, "readiness_checks", {}),
    }
    results = run_checks(checks, state.settings.readiness_timeout_seconds)
    failing = [name for name, result in results.items() if result != "ok"]
    if failing:
        return problem(503, f"{failing[0]}_unavailable", "Not ready",
                       "Not ready: " + ", ".join(failing) + ".", extra={"checks": results})
    return {"status": "ready", "checks": results}


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
