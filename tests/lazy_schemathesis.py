"""Schemathesis builds each operation's test, coverage cases included, when it collects
``@schema.parametrize()``: about 9 of the 14 s of CPU that collecting the whole suite
takes, paid again by every xdist worker (each collects everything) and again in the
PostgreSQL pass, for operations most of them never run. ``defer_operation_tests()`` makes
collection hand pytest a stand-in with the test's signature; ``build(item)``, called in
the item's setup, builds the real test with the very arguments collection would have used
and puts it in the item's place. The cases are the same (their seed is derived from the
operation's label); they are only built where the test runs, once."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from schemathesis.generation.hypothesis.builder import ApiOperationMark
from schemathesis.pytest import _test_builder

_build_now = _test_builder.build_operation_test
_DEFERRED = "_settleroom_deferred_build"


def _deferred(**kwargs: Any) -> Callable[..., Any]:
    test_func = kwargs["test_func"]
    given = set(kwargs["given_kwargs"]) | {"case"}
    signature = inspect.signature(test_func)

    def stand_in(*args: Any, **kw: Any) -> None:
        raise AssertionError("the operation's test was not built (tests.lazy_schemathesis.build)")

    stand_in.__name__ = test_func.__name__
    stand_in.__module__ = test_func.__module__
    stand_in.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p for p in signature.parameters.values() if p.name not in given])
    ApiOperationMark.set(stand_in, kwargs["operation"])
    setattr(stand_in, _DEFERRED, lambda: _build_now(**kwargs))
    return stand_in


def defer_operation_tests() -> None:
    """Collect ``@schema.parametrize()`` tests as stand-ins (idempotent)."""
    _test_builder.build_operation_test = _deferred  # type: ignore[assignment]


def build(item: pytest.Item) -> None:
    """Put the real test in place of ``item``'s stand-in, if it has one."""
    make = getattr(getattr(item, "obj", None), _DEFERRED, None)
    if make is not None:
        item.obj = make()  # type: ignore[attr-defined]
