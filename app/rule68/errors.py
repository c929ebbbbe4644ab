"""Stable problem codes of Rule 68 offers. Messages never carry content."""

from __future__ import annotations

from app.errors import Conflict


class OfferNotOpen(Conflict):
    code = "offer_not_open"


class AcceptanceWindowClosed(Conflict):
    code = "acceptance_window_closed"


class OfferIrrevocable(Conflict):
    code = "offer_irrevocable"
