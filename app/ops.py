"""Liveness and readiness probes (public)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.errors import problem

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
