"""Errors as RFC 9457 problem details with a stable machine ``code``.

Messages are written for people and never carry confidential content: no amounts, terms,
bodies, filenames or document text. Domain errors subclass the status classes below.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.observability import current_request_id
from crypto.errors import KeyProviderError

logger = logging.getLogger("settleroom.errors")

PROBLEM_TYPE_BASE = "https://settleroom.dev/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


class SignInRequired(Exception):
    """A page asked for without a live browser session: answered by a redirect to the
    sign-in form, not by a problem document (an API call is never authenticated by a
    cookie, so it never raises this)."""


class AppError(Exception):
    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.detail = detail or self.title
        if code:
            self.code = code
        self.headers = headers or {}
        self.extra = extra or {}
        super().__init__(self.detail)


class Unauthenticated(AppError):
    status, code, title = 401, "unauthenticated", "Authentication required"

    def __init__(self, detail: str | None = None, *, code: str | None = None) -> None:
        super().__init__(detail, code=code, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(AppError):
    status, code, title = 403, "forbidden", "Not allowed"


class PasswordChangeRequired(Forbidden):
    """The account's password was chosen by someone else (the platform admin creating it):
    until its owner replaces it, the API answers this to every call but the password
    change, and the pages send the browser to the change-password form."""

    code, title = "password_change_required", "Password change required"


class NotFound(AppError):
    status, code, title = 404, "not_found", "Not found"


class Conflict(AppError):
    status, code, title = 409, "conflict", "Conflict with the current state"


class Gone(AppError):
    status, code, title = 410, "gone", "Content destroyed"


class PayloadTooLarge(AppError):
    status, code, title = 413, "payload_too_large", "Request body too large"


class UnsupportedMediaType(AppError):
    status, code, title = 415, "unsupported_media_type", "Unsupported media type"


class Invalid(AppError):
    status, code, title = 422, "invalid", "Invalid input"


class RateLimited(AppError):
    status, code, title = 429, "rate_limited", "Too many attempts"


def problem(
    status: int, code: str, title: str, detail: str, headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if extra:
        body.update(extra)
    request_id = current_request_id()
    if request_id:
        body["request_id"] = request_id
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


_STATUS_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    406: ("not_acceptable", "Not acceptable"),
    409: ("conflict", "Conflict with the current state"),
    413: ("payload_too_large", "Request body too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    422: ("invalid", "Invalid input"),
    429: ("rate_limited", "Too many attempts"),
}


# SQLSTATEs that say the server is not there to answer: connection exceptions (class 08),
# and an administrator's shutdown, a crash recovery or a server still starting (57P01-03).
_UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "57P01", "57P02", "57P03")
# SQLite: the database file cannot be opened or read (a lost or failing disk).
_UNAVAILABLE_SQLITE_CODES = frozenset({10, 14})  # SQLITE_IOERR, SQLITE_CANTOPEN
DATABASE_RETRY_SECONDS = "5"


def database_unavailable(exc: DBAPIError) -> bool:
    """Whether a driver error means the database cannot be reached, as opposed to a
    statement it refused: a connection refused, reset or dropped mid-request (psycopg
    reports those without an SQLSTATE), or a server shutting down or starting up. A
    refused statement (a constraint, a deadlock) is not this: it stays a 500 or its
    domain's own answer."""
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return sqlite_code in _UNAVAILABLE_SQLITE_CODES
    if type(orig).__module__.split(".")[0] != "psycopg":
        return False
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is None:
        # psycopg's OperationalError without a state: the connection failed or was lost.
        return type(orig).__name__ in ("OperationalError", "InterfaceError")
    return sqlstate.startswith(_UNAVAILABLE_SQLSTATE_PREFIXES)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Field locations and error types only: input values are never echoed, and neither
    is the name of an unknown field (a client-chosen key could itself carry content)."""
    out = []
    for err in exc.errors():
        kind = str(err.get("type", "invalid"))
        loc = [str(p) for p in err.get("loc", ())]
        if kind == "extra_forbidden" and loc:
            loc[-1] = "(unknown field)"
        msg = "invalid value" if kind in ("value_error", "assertion_error") else str(
            err.get("msg", "invalid"))
        out.append({"loc": loc, "type": kind, "msg": msg})
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        return problem(exc.status, exc.code, exc.title, exc.detail, exc.headers, exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(
            422, "validation_error", "Invalid input",
            "The request does not match the expected fields and types.",
            extra={"errors": _validation_errors(exc)},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, title = _STATUS_CODES.get(exc.status_code, ("error", "Error"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        return problem(exc.status_code, code, title, detail, getattr(exc, "headers", None))

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        if database_unavailable(exc):
            # The driver's message (host, port, user) is not passed on. A connection lost
            # at the commit itself leaves unknown whether the commit landed; the detail
            # says so rather than promising that nothing changed.
            logger.warning("database unavailable (%s)", type(exc.orig).__name__)
            return problem(503, "database_unavailable", "Database unavailable",
                           "The database cannot be reached. Try again shortly; for a write, "
                           "check whether it took effect first, or send it again with the "
                           "same Idempotency-Key.",
                           headers={"Retry-After": DATABASE_RETRY_SECONDS})
        return await _unexpected(request, exc)

    @app.exception_handler(PoolTimeout)
    async def _pool(_: Request, exc: PoolTimeout) -> JSONResponse:
        # Every pooled connection stayed busy past the pool's timeout: the server is
        # saturated, not broken, and nothing of this request ran.
        logger.warning("database connection pool exhausted")
        return problem(503, "server_busy", "Server busy",
                       "Every database connection is in use. Try again in a moment.",
                       headers={"Retry-After": "1"})

    @app.exception_handler(KeyProviderError)
    async def _key_store(_: Request, exc: KeyProviderError) -> JSONResponse:
        # A key store that cannot be read, or that does not hold this case's key (a
        # replica whose local store was never given it): the content exists, this server
        # cannot open it. The message names no key material (crypto's invariant) and
        # helps the operator; the client gets a stable code only.
        logger.error("key store: %s", exc)
        return problem(503, "key_unavailable", "Key unavailable",
                       "This server cannot reach the case's encryption key; try again "
                       "later, or ask the operator to check the key store.",
                       headers={"Retry-After": "30"})

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # The exception text may hold content; log only its type.
        logger.error("unhandled error of type %s", type(exc).__name__)
        return problem(500, "internal_error", "Internal error", "An unexpected error occurred.")
