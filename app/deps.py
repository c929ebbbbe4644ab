"""The one guard: authenticate, load the caller's memberships, answer 404 then 403.

A non-member gets exactly the answer an unknown case id gets (404 ``case_not_found``), so
case existence never leaks. A member whose roles lack the permission gets 403. Both
refusals are audit events. Routes are authenticated unless they are named public.

One worker-thread hop per request. FastAPI runs every sync dependency, a sync endpoint and
its response validation in the thread pool one at a time; under load those hops, not the
work, were most of a request's cost. Here the session, the services and the token check
are ``async`` (no blocking I/O: a session connects lazily, a verified token is remembered),
and what needs the database (the account row, the membership, the platform-admin check) is
a ``Pending`` value: ``UnitRoute`` computes it in the endpoint's own worker-thread call,
inside the request's transaction, right before the endpoint and the commit
(``RequestUnit.run``). Order is kept: an absent or invalid token is refused before anything
else; the account and the guard are checked before the endpoint runs, and before a 422 for
a malformed request is answered; routes whose dependencies read the body (uploads, trace
evidence) check them as they are declared, so a refused caller's body is never read.

The account row is not read at all when the account cache (``app.auth.account_cache``)
holds the caller at its token's generation: the principal is then a plain value, and a
route that needs nothing else of the database (``GET /me``) runs on the event loop alone.
"""

from __future__ import annotations

import functools
import inspect
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Form, Header, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.auth import service as auth_service
from app.auth import web_sessions as web_session
from app.auth.account_cache import Account, AccountCache
from app.authz.permissions import CONTENT_PERMISSIONS, Permission
from app.cases import service as case_service
from app.context import CaseContext, Principal
from app.db import RequestUnit, begin, between_transactions, commit
from app.errors import (
    Forbidden,
    NotFound,
    PasswordChangeRequired,
    SignInRequired,
    Unauthenticated,
)
from app.kernel.tokens import AccessClaims, InvalidToken
from app.models.web import WebSession
from app.notifications import service as notifications
from app.refusals import refuse, refuse_unless
from app.routing import DeferredRouter
from app.runtime import Services, get_services
from app.sealing import CaseDestroyed

T = TypeVar("T")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNIT_KEY = "settleroom.unit"
_PENDING_KEY = "settleroom.pending"
_ROUTE_KEY = "settleroom.unit_route"
_CALLER_ROW_KEY = "settleroom.caller_row"

bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$"),
]


class Pending(Generic[T]):
    """A dependency value computed from the database inside the request's unit of work."""

    __slots__ = ("_compute", "_done", "_value", "unit")

    def __init__(self, unit: RequestUnit, compute: Callable[[Session], T]) -> None:
        self.unit = unit
        self._compute = compute
        self._done = False
        self._value: T | None = None
        unit.on_retry(self.forget)
        unit.session.info.setdefault(_PENDING_KEY, []).append(self)

    def value(self) -> T:
        """Compute (once per attempt) in the unit's worker thread; refusals raise here."""
        if not self._done:
            self._value = self._compute(self.unit.session)
            self._done = True
        return self._value  # type: ignore[return-value]

    def forget(self) -> None:
        self._done, self._value = False, None


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session, declared with scope="function": commit before the response.

    ``UnitRoute`` commits (or rolls back) in the endpoint's worker-thread call; this only
    finishes a unit that did not get that far (a refused dependency, an async endpoint).
    """
    # Only a UnitRoute retries a read whose write met a stale snapshot (see app/db.py), so
    # only its reads begin DEFERRED.
    route = request.scope.get(_ROUTE_KEY)
    unit = RequestUnit(request.app.state.sessionmaker,
                       read_only=route is not None and request.method in SAFE_METHODS)
    unit.session.info[_UNIT_KEY] = unit
    request.scope[_UNIT_KEY] = unit
    try:
        yield unit.session
    except BaseException as exc:
        await _finish(unit, exc)
        raise
    await _finish(unit, unit.failure)


def abandon_unit(request: Request, error: BaseException) -> None:
    """The request failed but answers anyway (a page shows its error): roll its unit back.

    A page route catches the error inside the dependencies' scope, so ``get_session`` would
    otherwise see a normal exit and commit what the failed action had flushed (a document
    row without its file, for one)."""
    unit = request.scope.get(_UNIT_KEY)
    if isinstance(unit, RequestUnit):
        unit.failure = error


async def _finish(unit: RequestUnit, error: BaseException | None) -> None:
    if unit.finished:
        return
    if unit.idle:
        unit.close()
        return
    await run_in_threadpool(unit.finish, error)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ServicesDep = Annotated[Services, Depends(get_services)]


def _unit(session: Session) -> RequestUnit:
    unit: RequestUnit = session.info[_UNIT_KEY]
    return unit


async def _pending(request: Request, session: Session,
                   compute: Callable[[Session], T]) -> Pending[T] | T:
    """A ``Pending`` on a ``UnitRoute``; elsewhere (a plain route) the value, computed now.

    On a route whose dependencies read the body, the check also runs now, as a gate, in a
    read transaction of its own that ends before the body is read (a slow upload holds no
    lock); the unit checks again in its own transaction, which is the one that counts.
    """
    pending = Pending(_unit(session), compute)
    route = request.scope.get(_ROUTE_KEY)
    if route is None:
        return await run_in_threadpool(_resolve_now, pending)
    if route.checks_early:
        await run_in_threadpool(_gate, pending)
    return pending


def _resolve_now(pending: Pending[T]) -> T:
    pending.unit.begin()
    return pending.value()


def _gate(pending: Pending[Any]) -> None:
    begin(pending.unit.session, write=False)
    pending.value()
    between_transactions(pending.unit.session)
    pending.forget()


def _value(value: Pending[T] | T) -> T:
    return value.value() if isinstance(value, Pending) else value


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _checked_account(session: Session, accounts: AccountCache, claims: AccessClaims,
                     address: str | None, *, settled: bool) -> Account:
    """The database path: read the caller's row, refuse a revoked token, and offer the row
    to the account cache (which keeps it only when that is safe).

    ``settled``: refuse (403 ``password_change_required``, audited) an account whose
    password someone else chose and its owner has not replaced yet."""
    user = auth_service.user_row(session, claims.user_id)
    if user is None or not user.is_active or user.token_generation != claims.generation:
        raise Unauthenticated("The access token is not valid.", code="invalid_token")
    # The identity map holds rows weakly: keeping the caller's row for the request makes
    # later lookups of it (account changes) free instead of a second query.
    session.info[_CALLER_ROW_KEY] = user
    account = Account.of(user)
    if settled and user.must_change_password:
        refuse(session, account.principal(address), "auth.password_change_required", "user",
               user.id, PasswordChangeRequired(
                   "Your password was chosen by the platform administrator: replace it with "
                   "one of your own (POST /api/v1/me/password) before anything else."))
    accounts.offer(session, user)
    return account


def _claims(svc: Services, token: str | None) -> AccessClaims:
    """An absent or invalid token is refused before anything else."""
    if not token:
        raise Unauthenticated("Sign in first: send a bearer access token.")
    try:
        return svc.access_tokens.verify(token)
    except InvalidToken:
        raise Unauthenticated("The access token is not valid.", code="invalid_token") from None


async def _bearer_principal(request: Request, session: Session, svc: Services,
                            token: str | None, *, settled: bool) -> Pending[Principal] | Principal:
    """The caller: from the account cache when its token is current there (no database
    read; no worker thread unless something else of the route needs one), else a
    ``Pending`` read of its row.

    The cache never holds an account that must replace its password, so a hit is never
    one ``settled`` would refuse; that refusal is audited, and always goes through the
    database."""
    claims = _claims(svc, token)
    address = client_address(request)
    accounts: AccountCache = request.app.state.accounts
    cached = accounts.lookup(claims.user_id, claims.generation)
    if cached is not None:
        return cached.principal(address)
    return await _pending(request, session, lambda s: _checked_account(
        s, accounts, claims, address, settled=settled).principal(address))


async def current_principal(
    request: Request,
    session: SessionDep,
    svc: ServicesDep,
    token: Annotated[str | None, Depends(bearer)],
) -> Pending[Principal] | Principal:
    """The caller; an account that must first replace its password is refused here, so
    every route but the few below is closed to it."""
    return await _bearer_principal(request, session, svc, token, settled=True)


async def principal_before_first_password(
    request: Request,
    session: SessionDep,
    svc: ServicesDep,
    token: Annotated[str | None, Depends(bearer)],
) -> Pending[Principal] | Principal:
    """The caller, even while its account must replace the password someone else chose:
    only the password change, ``GET /me`` (which says so) and sign-out take it."""
    return await _bearer_principal(request, session, svc, token, settled=False)


PrincipalDep = Annotated[Principal, Depends(current_principal)]
# The named exceptions to the first password change (see principal_before_first_password).
FirstPasswordPrincipalDep = Annotated[Principal, Depends(principal_before_first_password)]


class AccountBeforeFirstPassword(OAuth2PasswordBearer):
    """The caller's account as ``principal_before_first_password`` admits it, for an
    endpoint that answers from the account alone (``GET /me``).

    The bearer scheme itself (so the route's OpenAPI security is the same as everywhere),
    with nothing else declared: each declared dependency measurably costs a request that
    needs no database. It takes no request session: on an account cache hit nothing of the
    database is touched (no session, no worker thread); on a miss the row is read and
    offered to the cache in one worker-thread call of its own (a read: it refuses nothing
    that is audited)."""

    async def __call__(self, request: Request) -> Account:  # type: ignore[override]
        claims = _claims(request.app.state.services, await super().__call__(request))
        accounts: AccountCache = request.app.state.accounts
        cached = accounts.lookup(claims.user_id, claims.generation)
        if cached is not None:
            return cached
        unit = RequestUnit(request.app.state.sessionmaker, read_only=True)
        address = client_address(request)
        return await run_in_threadpool(unit.run, lambda: _checked_account(
            unit.session, accounts, claims, address, settled=False))


account_before_first_password = AccountBeforeFirstPassword(
    tokenUrl="/api/v1/auth/token", auto_error=False, scheme_name="OAuth2PasswordBearer")
FirstPasswordAccountDep = Annotated[Account, Depends(account_before_first_password)]


async def optional_principal(
    request: Request,
    session: SessionDep,
    svc: ServicesDep,
    token: Annotated[str | None, Depends(bearer)],
) -> Pending[Principal] | Principal | None:
    """The caller when it sent a bearer token, None when it sent none. A public route that
    acts differently for a signed-in caller (accepting an invitation) uses it; a token that
    is sent but invalid is refused as anywhere else, never treated as absent."""
    if not token:
        return None
    return await current_principal(request, session, svc, token)


OptionalPrincipalDep = Annotated[Principal | None, Depends(optional_principal)]
_PendingPrincipal = Annotated[Pending[Principal] | Principal, Depends(current_principal)]


async def require_platform_admin(
    request: Request, session: SessionDep, principal: _PendingPrincipal
) -> Pending[Principal] | Principal:
    def admin(s: Session) -> Principal:
        caller = _value(principal)
        if not caller.is_platform_admin:
            refuse(s, caller, "platform.admin", "user", None, Forbidden(
                "Only a platform administrator may do this.", code="not_platform_admin"))
        return caller

    return await _pending(request, session, admin)


def load_case_context(
    session: Session, principal: Principal, case_id: uuid.UUID, permission: Permission, *,
    reads_content: bool = False,
) -> CaseContext:
    """404 for a non-member, 403 for a member without ``permission``, then 410 once the
    case is destroyed for a permission that touches content, or for a route that reads
    content under a metadata permission (``reads_content``: the ENE reads, guarded by
    membership and narrowed per object)."""
    memberships = case_service.memberships_of(session, case_id, principal.user_id)
    if not memberships:
        known = case_service.case_exists(session, case_id)
        refuse(session, principal, str(permission), "case", case_id,
               NotFound("No such case.", code="case_not_found"), audit_reason="not_a_member",
               case_id=case_id if known else None)
    ctx = CaseContext(principal=principal, case_id=case_id, memberships=memberships)
    refuse_unless(session, ctx, str(permission), "case", case_id, ctx.can(permission))
    if ((reads_content or permission in CONTENT_PERMISSIONS)
            and case_service.is_destroyed(session, case_id)):
        raise CaseDestroyed()
    return ctx


def case_guard(
    permission: Permission, *, reads_content: bool = False,
) -> Callable[..., Coroutine[Any, Any, Pending[CaseContext] | CaseContext]]:
    """A dependency for routes under ``/cases/{case_id}`` that need ``permission``
    (``reads_content``: see ``load_case_context``)."""

    async def guard(
        request: Request,
        session: SessionDep,
        principal: _PendingPrincipal,
        case_id: Annotated[uuid.UUID, Path()],
    ) -> Pending[CaseContext] | CaseContext:
        return await _pending(request, session, lambda s: load_case_context(
            s, _value(principal), case_id, permission, reads_content=reads_content))

    guard.__name__ = f"guard_{permission.name.lower()}"
    return guard


def _unit_of(values: dict[str, Any]) -> RequestUnit | None:
    for value in values.values():
        if isinstance(value, Pending):
            return value.unit
        if isinstance(value, Session) and _UNIT_KEY in value.info:
            return _unit(value)
    return None


def _resolved(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.value() if isinstance(v, Pending) else v for k, v in values.items()}


def _begin_and_resolve(unit: RequestUnit, values: dict[str, Any]) -> dict[str, Any]:
    unit.begin()
    return _resolved(values)


def _check_pending(unit: RequestUnit) -> None:
    """Run the account and guard checks of a request refused as malformed (422)."""
    unit.begin()
    for pending in unit.session.info.get(_PENDING_KEY, []):
        pending.value()


def _in_one_hop(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """The endpoint as a coroutine: pending values, work and commit in one worker thread."""
    if inspect.isgeneratorfunction(endpoint) or inspect.isasyncgenfunction(endpoint):
        return endpoint
    if inspect.iscoroutinefunction(endpoint):
        @functools.wraps(endpoint)
        async def resolve_then_await(**values: Any) -> Any:
            unit = _unit_of(values)
            if unit is not None:
                values = await run_in_threadpool(_begin_and_resolve, unit, values)
            return await endpoint(**values)

        return resolve_then_await

    @functools.wraps(endpoint)
    async def one_hop(**values: Any) -> Any:
        unit = _unit_of(values)
        if unit is None:
            return await run_in_threadpool(functools.partial(endpoint, **values))
        return await run_in_threadpool(unit.run, lambda: endpoint(**_resolved(values)))

    return one_hop


def _reads_body_in_dependency(route: APIRoute) -> bool:
    """Another function-scoped dependency than the session: the upload and evidence readers."""
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if dep.scope == "function" and dep.call is not get_session:
            return True
        stack.extend(dep.dependencies)
    return False


class UnitRoute(APIRoute):
    """Every route of the API and the pages: one worker-thread hop (see the module docstring)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _in_one_hop(endpoint), **kwargs)
        self.checks_early = _reads_body_in_dependency(self)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def app(request: Request) -> Response:
            request.scope[_ROUTE_KEY] = self
            try:
                return await handler(request)
            except RequestValidationError:
                unit = request.scope.get(_UNIT_KEY)
                if isinstance(unit, RequestUnit) and not unit.finished:
                    await run_in_threadpool(_check_pending, unit)
                raise

        return app


class DirectRoute(UnitRoute):
    """A route whose async endpoint takes one value, computed from the request alone by one
    async dependency, and returns an instance of its response model (``GET /me``: the
    caller's account). Such a route needs nothing of FastAPI's per-request work but the two
    calls: no parameter to validate, no body, no dependency with a teardown, no background
    task, no database unit; and the endpoint built its model (validated then), so the model
    is serialised as it is, not validated again. Each request awaits the dependency with
    the request, the endpoint with its value, and answers the model's JSON; a refusal is
    raised as from any dependency. FastAPI still builds the route (its OpenAPI: the
    dependency's security scheme, the response model), and the shape is checked then."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        self._direct = endpoint  # before FastAPI's build, which asks for the handler
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        dependant, deps, endpoint = self.dependant, self.dependant.dependencies, self._direct
        if not (inspect.iscoroutinefunction(endpoint) and len(deps) == 1
                and _awaitable_call(deps[0].call)
                and deps[0].name is not None and deps[0].request_param_name is not None
                and _only_values(dependant) and _only_values(deps[0], deps[0].request_param_name)
                and isinstance(self.response_model, type) and self.response_field is not None):
            raise TypeError(f"{self.path}: not a direct route (see DirectRoute)")
        call, name = deps[0].call, deps[0].name
        model, field = self.response_model, self.response_field
        assert call is not None

        async def app(request: Request) -> Response:
            value = await endpoint(**{name: await call(request)})
            if not isinstance(value, model):
                raise TypeError(f"{endpoint.__name__} did not answer its response model")
            return Response(field.serialize_json(value), media_type="application/json")

        return app


def _awaitable_call(call: Any) -> bool:
    return inspect.iscoroutinefunction(call) or (
        callable(call) and inspect.iscoroutinefunction(type(call).__call__))


def _only_values(dependant: Any, request_param: str | None = None) -> bool:
    """Nothing for FastAPI to read, validate or tear down but the sub-dependencies (and,
    for a dependency, the request it is handed)."""
    return not (dependant.path_params or dependant.query_params or dependant.header_params
                or dependant.cookie_params or dependant.body_params
                or dependant.websocket_param_name or dependant.http_connection_param_name
                or dependant.response_param_name or dependant.background_tasks_param_name
                or dependant.security_scopes_param_name
                or (dependant.request_param_name not in (None, request_param))
                or (request_param is not None and dependant.dependencies))


API_PREFIX = "/api/v1"


def api_router(prefix: str = "", **kwargs: Any) -> DeferredRouter:
    """A router of the API: its routes carry their whole path (``/api/v1`` and ``prefix``),
    are ``UnitRoute``s, and are built when a request first needs them (``app.routing``)."""
    return DeferredRouter(prefix=API_PREFIX + prefix, route_class=UnitRoute, **kwargs)




# Pages. The cookie resolves to the same ``Principal`` the API builds from a bearer token,
# case pages then go through the same ``load_case_context``, and every POST proves its CSRF
# token before anything runs. Pages that take an upload (a multipart body) declare
# ``body_guard`` the way the API routers declare ``case_guard``: the body's dependency
# depends on the guard, so CSRF and membership are checked before one byte of the body is
# read or any file is created. Their token travels in the form's action URL
# (``?csrf_token=``) or the ``X-CSRF-Token`` header; a token inside the body would only be
# seen after the body had been read.


@dataclass(frozen=True)
class WebAuth:
    principal: Principal
    row: WebSession
    csrf: str
    is_platform_admin: bool
    unread: int = 0  # the header's inbox badge
    # The password was chosen by someone else: every page but the change form and sign-out
    # sends the browser to the form (``web_auth``).
    must_change_password: bool = False


# Sent by the page script when it refetches a page by itself (live ENE pages): such a
# request says nothing of a person's presence, so it leaves the idle clock alone.
LIVE_HEADER = "x-settleroom-live"


def resolve_auth(request: Request, session: Session, svc: ServicesDep, *,
                 touch: bool = True) -> WebAuth | None:
    token = request.cookies.get(web_session.cookie_name(svc.settings))
    row = web_session.resolve(session, token, svc.now(), touch=touch)
    if row is None:
        return None
    user = auth_service.user_row(session, row.user_id)
    # One session model: a bumped generation (logout everywhere, a password or factor
    # change, through the API or a page) ends browser sessions as it ends access tokens.
    if user is None or not user.is_active or row.generation != user.token_generation:
        return None
    principal = Principal(user_id=user.id, email=user.email, name=user.name,
                          is_platform_admin=user.is_platform_admin,
                          client_address=client_address(request))
    auth = WebAuth(principal, row, web_session.csrf_token(row), user.is_platform_admin,
                   notifications.unread_count(session, principal).unread,
                   user.must_change_password)
    request.state.web = auth
    return auth


def web_auth_before_first_password(request: Request, session: SessionDep,
                                   svc: ServicesDep) -> WebAuth:
    """The signed-in browser, even while its account must replace its password: only the
    change form and sign-out take it. A page's own refetch after a change (``LIVE_HEADER``)
    reads the session without advancing its idle clock."""
    auth = resolve_auth(request, session, svc,
                        touch=request.headers.get(LIVE_HEADER) != "1")
    if auth is None:
        raise SignInRequired
    return auth


def settle_sign_in(session: Session) -> None:
    """Commit what signing the browser in wrote (its idle clock, ``resolve_auth``) before a
    page runs an action that ends its reads before long work (``between_transactions``: a
    large download, a trace): the action then starts with nothing written. The idle
    clock's advance is no part of the action, so committing it alone splits nothing."""
    commit(session)


def require_own_password(auth: WebAuth) -> None:
    """A page answers an account that must first replace its password with the change
    form (``PageRoute`` turns this into the redirect)."""
    if auth.must_change_password:
        raise PasswordChangeRequired


def web_auth(request: Request, session: SessionDep, svc: ServicesDep) -> WebAuth:
    auth = web_auth_before_first_password(request, session, svc)
    require_own_password(auth)
    return auth


def web_auth_untouched(request: Request, session: SessionDep, svc: ServicesDep) -> WebAuth:
    """The signed-in browser, read without advancing the session's idle clock: for requests
    a page script makes by itself (polling), which say nothing of a person's presence."""
    auth = resolve_auth(request, session, svc, touch=False)
    if auth is None:
        raise SignInRequired
    require_own_password(auth)
    return auth


WebAuthDep = Annotated[WebAuth, Depends(web_auth)]
PollingWebAuthDep = Annotated[WebAuth, Depends(web_auth_untouched)]
FirstPasswordWebAuthDep = Annotated[WebAuth, Depends(web_auth_before_first_password)]


def check_csrf(session: Session, auth: WebAuth, submitted: str | None) -> None:
    if not web_session.csrf_ok(auth.row, submitted):
        refuse(session, auth.principal, "web.form", "web_session", None, Forbidden(
            "The form's security token is missing or out of date. Reload the page and submit "
            "it again.", code="csrf_failed"))


def csrf_auth(session: SessionDep, auth: WebAuthDep,
              csrf_token: Annotated[str | None, Form(max_length=200)] = None) -> WebAuth:
    check_csrf(session, auth, csrf_token)
    return auth


def csrf_auth_before_first_password(
    session: SessionDep, auth: FirstPasswordWebAuthDep,
    csrf_token: Annotated[str | None, Form(max_length=200)] = None,
) -> WebAuth:
    check_csrf(session, auth, csrf_token)
    return auth


CsrfAuthDep = Annotated[WebAuth, Depends(csrf_auth)]
FirstPasswordCsrfAuthDep = Annotated[WebAuth, Depends(csrf_auth_before_first_password)]


CSRF_HEADER = "X-CSRF-Token"


def submitted_csrf(request: Request) -> str | None:
    """The token of a request whose body is not read before the guard: header or query."""
    return request.headers.get(CSRF_HEADER) or request.query_params.get("csrf_token")


def body_guard(permission: Permission) -> Callable[..., CaseContext]:
    """The guard of a page whose body is an upload: CSRF, then 404 for a non-member, then
    403 for a missing right, all before the body's dependency (which depends on this one)
    may read the body."""

    def guard(request: Request, session: SessionDep, auth: WebAuthDep,
              case_id: Annotated[uuid.UUID, Path()]) -> CaseContext:
        check_csrf(session, auth, submitted_csrf(request))
        return case_ctx(session, auth, case_id, permission)

    guard.__name__ = f"page_guard_{permission.name.lower()}"
    return guard


def case_ctx(session: Session, auth: WebAuth, case_id: uuid.UUID,
             permission: Permission = Permission.CASE_READ, *,
             reads_content: bool = False) -> CaseContext:
    """The API's own guard: 404 for a non-member before 403 for a missing right."""
    return load_case_context(session, auth.principal, case_id, permission,
                             reads_content=reads_content)
