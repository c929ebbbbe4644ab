"""Use cases of Early Neutral Evaluation, one module per verb; reads in ``app.ene.reads``.

Threats: a party reading another party's caucus or unshared statement; the evaluator
relaying caucus content; content leaking through audit events, errors or the database.

Invariants:
- a session belongs to one case; a session id of another case answers 404 like an
  unknown one; the evaluator is a member of the case with the neutral role (422
  otherwise);
- a closed session is read-only: every write answers 409 ``session_closed``;
- bodies (messages, statements, the evaluation) are sealed under the case key, bound to
  (case, object type, row id, version), before the row is written;
- a replaced statement or evaluation stays a sealed version of its own, so an old blob
  cannot be replayed as the current one;
- a release is one row per (item, party), and a share of the evaluation one row per party:
  never updated, deleted or withdrawn;
- every read and write is an audit event naming ids and codes only, never content; every
  refusal is a denied audit event that survives the failed request.
"""

from app.ene.reads import (
    FilingText,
    SessionSummary,
    case_session_summaries,
    changes,
    evaluation_view,
    evaluator_confirmation,
    filing_texts,
    get_evaluation,
    get_message,
    get_session,
    get_statement,
    list_messages,
    list_releases,
    list_sessions,
    list_statements,
    overview,
    report,
    session_content,
    session_summary,
    upcoming_dates,
)
from app.ene.service.check_in import check_in
from app.ene.service.close import close_session
from app.ene.service.confirm_evaluator import decide_evaluator, name_evaluator
from app.ene.service.evaluate import share_evaluation, write_evaluation
from app.ene.service.post import post_message
from app.ene.service.release import release_item
from app.ene.service.reminders import fire_reminders
from app.ene.service.reschedule import reschedule_session
from app.ene.service.schedule import create_session
from app.ene.service.submit import submit_statement

__all__ = [
    "SessionSummary", "case_session_summaries", "changes", "check_in", "close_session",
    "create_session", "decide_evaluator", "evaluation_view", "evaluator_confirmation",
    "FilingText", "filing_texts", "fire_reminders",
    "get_evaluation", "get_message", "get_session", "get_statement",
    "list_messages", "list_releases", "list_sessions", "list_statements", "name_evaluator",
    "overview", "post_message", "release_item", "report", "reschedule_session",
    "session_content", "session_summary",
    "share_evaluation", "submit_statement", "upcoming_dates", "write_evaluation",
]
