"""Form values a person types (amounts in dollars, times in the court's zone) turned into
the API's shapes. The schemas then apply the same rules as for an API call."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from app.errors import Invalid
from app.kernel.money import MAX_CENTS

MAX_AMOUNT = Decimal(MAX_CENTS) / 100


def cents(raw: str, field: str = "amount") -> int:
    text = raw.strip().replace(",", "").replace("$", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Invalid(f"{field}: type an amount such as 125000.00.",
                      code="validation_error") from None
    # Bounded before it is rounded: quantizing 1e30 to cents overflows Decimal's precision.
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        raise Invalid(f"{field}: type an amount from 0 to {MAX_AMOUNT:,.2f}.",
                      code="validation_error")
    if value != value.quantize(Decimal("0.01")):
        raise Invalid(f"{field}: type a positive amount with at most two decimals.",
                      code="validation_error")
    return int(value * 100)


def local_time(raw: str, tz: str, field: str) -> datetime | None:
    """A ``datetime-local`` value read in the court's time zone; empty means none."""
    if not raw.strip():
        return None
    try:
        naive = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise Invalid(f"{field}: choose a date and time.", code="validation_error") from None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=ZoneInfo(tz))


def parse_id(raw: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw.strip())
    except ValueError:
        raise Invalid(f"{field} is not a valid id.", code="validation_error") from None
