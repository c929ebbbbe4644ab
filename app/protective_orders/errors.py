"""Stable problem codes of the protective order. Messages never quote the order, a reason
or a basis."""

from __future__ import annotations

from app.errors import Conflict, NotFound


class NoProtectiveOrder(NotFound):
    code = "protective_order_not_found"


class AcknowledgmentNotFound(NotFound):
    code = "acknowledgment_not_found"


class ChallengeNotFound(NotFound):
    code = "challenge_not_found"


class ClawbackNotFound(NotFound):
    code = "clawback_not_found"


def no_order() -> NoProtectiveOrder:
    return NoProtectiveOrder("No protective order is recorded in this case.")


def order_mismatch() -> Conflict:
    return Conflict("order_sha256 is not the hash of the order now in force; read the "
                    "current order and acknowledge it.", code="order_mismatch")
