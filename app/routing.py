"""Routes built when a request first needs them.

FastAPI builds a route when it is declared: it analyses the endpoint's signature and
dependencies and prepares the validation of every parameter and response model. With about
250 routes that was most of a server's start-up, paid before the first request could be
answered, and again by every process the tests start. Here a ``DeferredRouter`` declares
each route as a ``DeferredRoute``, which knows only its path; the first request whose path
matches it builds the real route (exactly as FastAPI would have built it at start-up) and
is handed to it, as is every later one.

Invariants:
- A request is always answered by the route FastAPI builds: matching, the 405 for a wrong
  method, validation and the handler are FastAPI's own; the deferred route only decides,
  by the path pattern, whether to build.
- A route is built once, under a lock (two first requests at once build it once).
- Everything that lists the routes (the OpenAPI document, the tests' route walks) first
  calls ``built_routes``, which builds the rest: a mistake in a route's declaration still
  fails the suite, not only the first request that reaches it.
- Building a route builds the validators of every model it declares (parameters, body,
  responses): the service's schemas defer their own build (``app.kernel.schemas.Schema``),
  and the route's build is where FastAPI would have built them.
- Until a route is built, a request path that does not begin with the literal text of its
  pattern (everything before the first ``{``) cannot match it, so it is not even compiled:
  the first request pays for the patterns of its own prefix only.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi._compat import ModelField
from fastapi.routing import APIRoute, APIRouter
from pydantic.warnings import UnsupportedFieldAttributeWarning
from starlette._utils import get_route_path  # the path Route.matches matches
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Receive, Scope, Send

# One lock for every build: building appends to and pops from the declaring router's list.
_BUILD_LOCK = threading.RLock()


def _never_called() -> None:  # the path matcher's endpoint; it never handles a request
    raise RuntimeError("a deferred route's matcher handled a request")


class DeferredRoute(BaseRoute):
    """Stands for one ``APIRoute`` until a request's path matches it."""

    def __init__(self, path: str, build: Callable[[], APIRoute]) -> None:
        self.path = path
        self._literal = path.split("{", 1)[0]  # every match begins with this text
        self._matcher: Route | None = None  # the compiled pattern, on the first near miss
        self._build = build
        self._route: APIRoute | None = None

    @property
    def route(self) -> APIRoute:
        if self._route is None:
            with _BUILD_LOCK:
                if self._route is None:
                    self._route = self._build()
        return self._route

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if self._route is None and not self._might_match(scope):
            return Match.NONE, {}
        return self.route.matches(scope)

    def _might_match(self, scope: Scope) -> bool:
        """Whether the route's pattern matches the path (any method): FastAPI's answer for
        those. A path without the pattern's literal start is refused without compiling it."""
        if scope["type"] != "http" or not get_route_path(scope).startswith(self._literal):
            return False
        if self._matcher is None:
            self._matcher = Route(self.path, _never_called)  # compiles the pattern
        return self._matcher.matches(scope)[0] is not Match.NONE

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.route.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        return self.route.url_path_for(name, **path_params)


class DeferredRouter(APIRouter):
    """An ``APIRouter`` whose routes are ``DeferredRoute``s (see the module docstring)."""

    def add_api_route(self, path: str, endpoint: Callable[..., Any],
                      **kwargs: Any) -> None:
        def build() -> APIRoute:
            with _BUILD_LOCK:
                APIRouter.add_api_route(self, path, endpoint, **kwargs)
                built = self.routes.pop()
            if not isinstance(built, APIRoute):
                raise TypeError(f"not an API route: {built!r}")
            _build_models(built)
            return built

        self.routes.append(DeferredRoute(self.prefix + path, build))


def _model_fields(route: APIRoute) -> list[ModelField]:
    """The fields FastAPI validates or serialises for ``route``: body, responses, and the
    parameters of the endpoint and of every dependency."""
    fields = [f for f in (route.body_field, route.response_field) if f is not None]
    fields += route.response_fields.values()
    dependants = [route.dependant]
    while dependants:
        dependant = dependants.pop()
        fields += (*dependant.path_params, *dependant.query_params, *dependant.header_params,
                   *dependant.cookie_params, *dependant.body_params)
        dependants += dependant.dependencies
    return fields


def _build_models(route: APIRoute) -> None:
    """Build the validators of ``route``'s parameters, body and responses now, as FastAPI
    builds them when the schemas are complete. FastAPI ignores pydantic's warning about
    field attributes (an alias) on its own parameter adapters when it builds them; it is
    ignored here likewise. A schema that cannot be built fails the route's build."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsupportedFieldAttributeWarning)
        for field in _model_fields(route):
            field._type_adapter.rebuild(raise_errors=True)


def mount(app: FastAPI, router: APIRouter) -> None:
    """Add ``router``'s routes to ``app`` as they are. ``include_router`` would build every
    route again for its new path; these routers carry their whole paths and nothing is
    added on inclusion."""
    for route in router.routes:
        if not isinstance(route, DeferredRoute | APIRoute):
            raise TypeError(f"not an API route: {route!r}")
        app.router.routes.append(route)


def built_routes(app: FastAPI) -> list[BaseRoute]:
    """Build every deferred route of ``app`` and put it in its place; return the routes."""
    routes = app.router.routes
    for i, route in enumerate(routes):
        if isinstance(route, DeferredRoute):
            routes[i] = route.route
    return list(routes)


def deferred_openapi(app: FastAPI) -> None:
    """``app.openapi()`` lists every route: build them first."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            built_routes(app)
        return original()

    app.openapi = openapi  # type: ignore[method-assign]
