"""Stable problem codes of settlement offers. Messages never carry content."""

from __future__ import annotations

from app.errors import Conflict


class OfferNotOpen(Conflict):
    code = "offer_not_open"
