"""Every APIRoute of an app, deferred ones built (``app.routing``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi.routing import APIRoute

from app.routing import DeferredRoute


def api_routes(routes: Iterable[Any]) -> list[APIRoute]:
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, DeferredRoute):
            route = route.route
        if isinstance(route, APIRoute):
            found.append(route)
    return found
