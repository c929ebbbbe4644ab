"""Stable problem codes of ENE. Messages never carry content."""

from __future__ import annotations

from app.errors import Conflict, Forbidden, Invalid, NotFound


class SessionNotFound(NotFound):
    code = "session_not_found"


class SessionClosed(Conflict):
    code, title = "session_closed", "The session is closed; its channels are read-only"


class EvaluatorNotNeutral(Invalid):
    code = "evaluator_not_neutral"


class NotTheEvaluator(Forbidden):
    code = "not_the_evaluator"

