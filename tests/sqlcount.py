"""Counting the SQL statements a request issues (a ``before_cursor_execute`` listener).

The audit log's own statements are left out: appending a request's events, sequencing them
and, once a minute, signing a tree head are the log's work (its batching varies with time
and with the sequencer thread waking up, whose statements are all left out); how many
events a request appends is asserted separately. Everything else a request sends is
counted, BEGIN included.

An attempt that was run again is not counted. On SQLite a read request whose audit write
finds its snapshot stale (the sequencer thread committed a tree head meanwhile) is rolled
back and run once more with the write lock (``app.db.RequestUnit``); how often that
happens depends on the machine's timing, so the statements of the abandoned attempt are
dropped and those of the attempt that committed are counted."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event

from app.db import RequestUnit

AUDIT_TABLES = re.compile(
    r"\b(audit_events|audit_pending|audit_log_state|audit_subtrees|tree_heads|signing_keys)\b")

SEQUENCER_THREAD = "settleroom-audit-sequencer"


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The statements ``engine`` sends while the block runs, but for the audit log's and
    those of request attempts that were run again."""
    seen: list[str] = []
    mine: list[tuple[int, str]] = []  # (thread, statement), in order
    started: dict[int, int] = {}  # per thread, where its unit's current attempt began

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001, ARG001
        if (threading.current_thread().name != SEQUENCER_THREAD
                and not AUDIT_TABLES.search(statement)):
            mine.append((threading.get_ident(), statement))

    begin, forget = RequestUnit.begin, RequestUnit._forget_attempt

    def begin_attempt(unit: RequestUnit) -> None:
        started[threading.get_ident()] = len(mine)
        begin(unit)

    def forget_attempt(unit: RequestUnit) -> None:
        me, start = threading.get_ident(), started.get(threading.get_ident(), len(mine))
        mine[start:] = [item for item in mine[start:] if item[0] != me]
        forget(unit)

    event.listen(engine, "before_cursor_execute", count)
    RequestUnit.begin, RequestUnit._forget_attempt = begin_attempt, forget_attempt  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        RequestUnit.begin, RequestUnit._forget_attempt = begin, forget  # type: ignore[method-assign]
        event.remove(engine, "before_cursor_execute", count)
        seen.extend(statement for _, statement in mine)
