"""Stable problem codes of settlement offers. Messages never carry content."""

from __future__ import annotations

from app.errors import Conflict


class OfferNotOpen(Conflict):
    code = "offer_not_open"


class ThreadSettled(Conflict):
    """The two parties already settled: an offer between them was accepted, and the room
    carries no further settlement offer between the same pair (in either direction)."""

    code = "thread_settled"
