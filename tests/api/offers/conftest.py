"""A settable clock (``svc.now()``) and audit-log readers for the negotiation tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.db import transaction
from app.models.audit import AuditEvent
from tests.clock import Clock


@pytest.fixture
def clock(app) -> Clock:  # noqa: ANN001
    return Clock(app, datetime(2026, 11, 2, 15, 0, tzinfo=UTC))


def audit_events(app, case_id: str | None = None) -> list[AuditEvent]:  # noqa: ANN001
    with transaction(app.state.sessionmaker) as session:
        stmt = select(AuditEvent).order_by(AuditEvent.leaf_index)
        if case_id:
            stmt = stmt.where(AuditEvent.case_id == uuid.UUID(case_id))
        return list(session.execute(stmt).scalars())


def events_named(app, action: str, outcome: str = "ok") -> list[AuditEvent]:  # noqa: ANN001
    return [e for e in audit_events(app) if e.action == action and e.outcome == outcome]
