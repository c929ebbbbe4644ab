"""Counting the SQL statements a request issues (a ``before_cursor_execute`` listener).

The audit log's own statements are left out: appending a request's events, sequencing them
and, once a minute, signing a tree head are the log's work (its batching varies with time
and with the sequencer thread waking up, whose statements are all left out); how many
events a request appends is asserted separately. Everything else a request sends is
counted, BEGIN included."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event

AUDIT_TABLES = re.compile(
    r"\b(audit_events|audit_pending|audit_log_state|audit_subtrees|tree_heads|signing_keys)\b")

SEQUENCER_THREAD = "settleroom-audit-sequencer"


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The statements ``engine`` sends while the block runs, but for the audit log's."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001, ARG001
        if (threading.current_thread().name != SEQUENCER_THREAD
                and not AUDIT_TABLES.search(statement)):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)
