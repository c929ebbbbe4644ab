"""Reminders of an ENE written statement's due date, per participating party, to its
counsel or pro se party: scheduled when the session is, fired by the delivery worker,
dropped once that party has submitted a statement or the session is closed."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from app.ene import repository as repo
from app.ene.reads import CLOSED
from app.models.ene import EneSession
from app.models.notifications import Reminder
from app.notifications import service as notifications

OBJECT = "ene_statement_due"


def schedule(session: Session, row: EneSession, parties: list[uuid.UUID],
             now: datetime) -> None:
    for party_id in parties:
        notifications.schedule_reminders(
            session, case_id=row.case_id, object_type=OBJECT, object_id=row.id,
            party_id=party_id, due_at=row.statement_due_at,
            court_timezone=row.court_timezone, now=now)


def reschedule(session: Session, row: EneSession, parties: list[uuid.UUID],
               now: datetime) -> None:
    """The session or its due date moved: the old reminders go, the new ones come, in the
    move's transaction."""
    notifications.drop_pending_reminders(session, object_type=OBJECT, object_id=row.id)
    schedule(session, row, parties, now)


def fire_reminders(session: Session, now: datetime) -> int:
    def remind(reminder: Reminder) -> bool:
        row = repo.get_session(session, reminder.case_id, reminder.object_id)
        party = reminder.party_id
        if (row is None or party is None or row.status == CLOSED
                or repo.current_statement(session, row.id, party) is not None):
            return False
        notifications.notify(
            session, row.case_id, kind="reminder.statement", object_type="ene_session",
            object_id=row.id, link=f"/cases/{row.case_id}/ene/{row.id}",
            recipients=notifications.speaking_for(session, row.case_id, [party]),
            now=now, due_at=row.statement_due_at)
        return True

    return notifications.fire_due(session, OBJECT, now, remind)
