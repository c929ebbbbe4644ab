"""Money in minor units (cents) with an ISO 4217 currency code."""

from __future__ import annotations

MAX_CENTS = 10**15  # a quadrillion cents: far above any settlement, well inside BIGINT


def check_currency(value: str) -> str:
    if len(value) != 3 or not value.isascii() or not value.isupper() or not value.isalpha():
        raise ValueError("currency must be an ISO 4217 code such as USD")
    return value


def money(cents: int, currency: str) -> str:
    """Minor units as ``USD 12,500.00`` (two decimals, as every currency offered here)."""
    units, rest = divmod(cents, 100)
    return f"{currency} {units:,}.{rest:02d}"
