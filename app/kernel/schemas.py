"""Input-schema base and the bounds every input shares.

``Strict`` forbids unknown fields (mass assignment is a 422 that changes nothing) and NUL
characters in text (no database stores them; PostgreSQL refuses them).

Bounds are checked at the edge, so no value reaches a conversion, a column or a template
that cannot hold it (each of those was a 500):
- ``Instant``: an aware time whose UTC value lies in the years 1972-2198. In any time zone
  (UTC-12 to UTC+14) its local date lies in 1971-2199, the years the FRCP 6 calendar
  counts, and far from the years 1 and 9999 that Python's datetime ends at;
- ``Day``: a date in 1971-2199, the same calendar;
- integers are JSON integers (``StrictInt``): ``true`` is not 1, ``1.0`` and ``"1"`` are
  not integers either; ``Cents`` is money; positions and sizes of the audit log fit a
  signed 64-bit column (``INT64_MAX``).
Out of range answers 422 ``validation_error`` with the field's error type
``datetime_out_of_range`` or ``date_out_of_range``.
"""

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Annotated, Any, Final
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    field_validator,
)
from pydantic_core import PydanticCustomError

from app.kernel.money import MAX_CENTS

SHA256_HEX = r"^[0-9a-f]{64}$"

EARLIEST: Final = datetime(1972, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(2199, 1, 1, tzinfo=UTC)  # exclusive
FIRST_DAY: Final = date(1971, 1, 1)
LAST_DAY: Final = date(2199, 12, 31)
INT64_MAX: Final = 2**63 - 1  # BIGINT, the widest integer column of SQLite and PostgreSQL


def in_range(value: datetime) -> datetime:
    """The instant in UTC, or a 422 if it lies outside ``EARLIEST``..``LATEST``."""
    try:
        utc = value.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59-12:00 is in year 10000 in UTC
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise PydanticCustomError(
            "datetime_out_of_range", "must lie between {earliest} and {latest} (UTC)",
            {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()})
    return utc


def day_in_range(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise PydanticCustomError(
            "date_out_of_range", "must lie between {first} and {last}",
            {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()})
    return value


Instant = Annotated[AwareDatetime, AfterValidator(in_range)]
Day = Annotated[date, AfterValidator(day_in_range)]
Cents = Annotated[StrictInt, Field(ge=0, le=MAX_CENTS)]


def has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple | set):
        return any(has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    return False


class Schema(BaseModel):
    """The base of the service's request and response schemas.

    ``defer_build``: a schema's validator and serializer are built when it is first used (the
    first build of a route that declares it, a first ``model_validate``), not when its module
    is imported, so a server answers its first request without building the ~190 schemas of
    routes nobody has called yet. Building is pydantic's own, thread-safe and the same either
    way: the OpenAPI document is unchanged, and tests/unit/test_startup_imports.py builds
    every schema, so a mistake in one still fails the suite.

    The modules that declare schemas keep their annotations evaluated (no ``from
    __future__ import annotations``): pydantic reads a field's type when the class is
    declared, and would otherwise compile each annotation's string back into a type first
    (a method returning its own class says ``Self``).
    """

    model_config = ConfigDict(defer_build=True)


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if has_nul(value):
            raise ValueError("text must not contain NUL characters")
        return value


@lru_cache(maxsize=1)
def _iana_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_timezone(value: str | None) -> str | None:
    """An IANA zone name or None. Free text ('Pacific', a directory of the database) and
    paths are refused by membership, never looked up on disk (that raised OSError: 500)."""
    if value is None:
        return value
    if value not in _iana_zones():
        raise ValueError(
            "court_timezone must be an IANA time zone such as America/New_York"
        )
    return value
