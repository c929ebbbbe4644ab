"""Every input schema uses the kernel's shared bounds (``app/kernel/schemas.py``), so a
schema added later cannot take an unbounded time, a boolean for an integer, or a number a
column cannot hold: each field is checked in the schema pydantic actually runs, and each
integer query or path parameter of every route against BIGINT."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import app
from app.deadlines.rules import MAX_YEAR, MIN_YEAR
from app.kernel.schemas import (
    EARLIEST,
    FIRST_DAY,
    INT64_MAX,
    LAST_DAY,
    LATEST,
    Strict,
    day_in_range,
    in_range,
)
from tests.routes import api_routes


def _input_schemas() -> list[type[Strict]]:
    for module in pkgutil.walk_packages(app.__path__, "app."):
        importlib.import_module(module.name)
    found: list[type[Strict]] = []
    stack = list(Strict.__subclasses__())
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


def _unbounded(node: Any, guards: frozenset[Any] = frozenset()) -> list[str]:
    """Kinds of the scalar nodes of a core schema that no shared bound covers."""
    if isinstance(node, list):
        return [kind for item in node for kind in _unbounded(item, guards)]
    if not isinstance(node, dict):
        return []
    kind = node.get("type")
    if kind in ("function-after", "function-before", "function-wrap", "function-plain"):
        guards = guards | {node.get("function", {}).get("function")}
    found = []
    if kind == "int" and not node.get("strict"):
        found.append("int (not strict)")
    if kind == "datetime" and in_range not in guards:
        found.append("datetime (not an Instant)")
    if kind == "date" and day_in_range not in guards:
        found.append("date (not a Day)")
    if kind in ("float", "decimal"):
        found.append(kind)
    return found + [k for value in node.values() for k in _unbounded(value, guards)]


def test_there_are_input_schemas_to_check():
    names = {cls.__name__ for cls in _input_schemas()}
    assert {"OfferCreate", "Rule68Create", "SessionCreate", "CaseCreate"} <= names


@pytest.mark.parametrize("schema", _input_schemas(), ids=lambda c: c.__qualname__)
def test_every_input_field_uses_the_shared_bounds(schema: type[BaseModel]):
    assert _unbounded(schema.__pydantic_core_schema__) == []


def test_the_bounds_sit_inside_the_frcp_calendar_in_every_time_zone():
    """The local date of any accepted instant, from UTC-12 to UTC+14, is a date the FRCP 6
    engine counts, and so is every accepted date."""
    assert (EARLIEST.year - 1, LATEST.year) == (MIN_YEAR, MAX_YEAR)
    assert (FIRST_DAY.year, LAST_DAY.year) == (MIN_YEAR, MAX_YEAR)


@pytest.mark.parametrize(("value", "ok"), [
    (datetime(1972, 1, 1, tzinfo=UTC), True),
    (datetime(1971, 12, 31, 23, 59, 59, tzinfo=UTC), False),
    (datetime(2198, 12, 31, 23, 59, 59, tzinfo=UTC), True),
    (datetime(2199, 1, 1, tzinfo=UTC), False),
    (datetime.fromisoformat("9999-12-31T23:59:59-12:00"), False),
    (datetime.fromisoformat("0001-01-01T00:00:00+14:00"), False),
])
def test_instants(value: datetime, ok: bool):
    from pydantic import create_model

    from app.kernel.schemas import Instant
    model = create_model("M", __base__=Strict, at=(Instant, ...))
    if ok:
        assert model(at=value).at == value.astimezone(UTC)
    else:
        with pytest.raises(ValidationError) as err:
            model(at=value)
        assert err.value.errors()[0]["type"] == "datetime_out_of_range"


def test_days_and_integers():
    from pydantic import create_model

    from app.kernel.schemas import Cents, Day
    model = create_model("M", __base__=Strict, day=(Day, ...), cents=(Cents, ...))
    assert model(day=date(2199, 12, 31), cents=0).cents == 0
    for bad in ({"day": date(2200, 1, 1), "cents": 1}, {"day": date(1970, 12, 31), "cents": 1}):
        with pytest.raises(ValidationError, match="date_out_of_range"):
            model(**bad)
    for cents in (True, 1.0, "1", -1, 10**15 + 1):
        with pytest.raises(ValidationError):
            model(day=date(2030, 1, 1), cents=cents)


def test_integer_parameters_of_every_route_fit_bigint(tmp_path):

    from app.config import Settings
    from app.main import create_app

    application = create_app(Settings(database_url="sqlite://", data_dir=tmp_path))

    unbounded = []
    checked = 0
    for route in api_routes(application.router.routes):
        stack = [route.dependant]
        while stack:
            dep = stack.pop()
            stack.extend(dep.dependencies)
            for param in dep.query_params + dep.path_params:
                if not _is_int(param.field_info.annotation):
                    continue
                checked += 1
                highs = [getattr(m, "le", None) or getattr(m, "lt", None)
                         for m in param.field_info.metadata]
                if not any(h is not None and h <= INT64_MAX for h in highs):
                    unbounded.append((route.path, param.name))
    assert checked > 5
    assert unbounded == []


def _is_int(annotation: Any) -> bool:
    args = getattr(annotation, "__args__", None)
    return annotation is int or bool(args and int in args)
