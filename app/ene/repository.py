"""SQL of ENE. Every query is scoped to one session of one case; visibility filtering of
lists happens in one place (``app.authz.policy_ene.visible``) over what these return."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.models.cases import Member
from app.models.ene import (
    EneAttendance,
    EneEvaluation,
    EneEvaluationShare,
    EneEvaluatorDecision,
    EneMessage,
    EneParticipant,
    EneRelease,
    EneSession,
    EneStatement,
)


def add(session: Session, *objs: object) -> None:
    session.add_all(objs)
    session.flush()


def get_session(
    session: Session, case_id: uuid.UUID, session_id: uuid.UUID, *, lock: bool = False
) -> EneSession | None:
    stmt = select(EneSession).where(EneSession.id == session_id, EneSession.case_id == case_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.execute(stmt).scalar_one_or_none()


def list_sessions(session: Session, case_id: uuid.UUID, *, offset: int,
                  limit: int | None) -> list[EneSession]:
    stmt = (select(EneSession).where(EneSession.case_id == case_id)
            .order_by(EneSession.scheduled_at, EneSession.id).offset(offset).limit(limit))
    return list(session.execute(stmt).scalars())


def upcoming_dates(case_ids: Collection[uuid.UUID], now: datetime
                   ) -> tuple[Select[tuple[uuid.UUID, datetime]],
                              Select[tuple[uuid.UUID, datetime]]]:
    """(case id, earliest date) of the open sessions' statement due times, and of their
    scheduled times: two statements to combine with others (dates only)."""
    def earliest(column: Any) -> Select[tuple[uuid.UUID, datetime]]:
        return (select(EneSession.case_id, func.min(column))
                .where(EneSession.case_id.in_(list(case_ids)), EneSession.status != "closed",
                       column > now)
                .group_by(EneSession.case_id))
    return earliest(EneSession.statement_due_at), earliest(EneSession.scheduled_at)


def participants(session: Session, session_ids: list[uuid.UUID]) -> dict[uuid.UUID, list]:
    out: dict[uuid.UUID, list[uuid.UUID]] = {sid: [] for sid in session_ids}
    if session_ids:
        rows = session.execute(
            select(EneParticipant.session_id, EneParticipant.party_id)
            .where(EneParticipant.session_id.in_(session_ids))
            .order_by(EneParticipant.party_id)
        ).all()
        for sid, pid in rows:
            out[sid].append(pid)
    return out


def has_role(session: Session, case_id: uuid.UUID, user_id: uuid.UUID, role: str) -> bool:
    return session.execute(
        select(func.count()).select_from(Member).where(
            Member.case_id == case_id, Member.user_id == user_id, Member.role == role)
    ).scalar_one() > 0


def releases_of(
    session: Session, session_id: uuid.UUID, item_type: str | None = None
) -> dict[uuid.UUID, set[uuid.UUID]]:
    """item id -> parties it was released to."""
    stmt = select(EneRelease.item_id, EneRelease.to_party_id).where(
        EneRelease.session_id == session_id)
    if item_type is not None:
        stmt = stmt.where(EneRelease.item_type == item_type)
    out: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for item_id, to_party in session.execute(stmt).all():
        out[item_id].add(to_party)
    return out


def list_release_rows(session: Session, session_id: uuid.UUID) -> list[EneRelease]:
    stmt = (select(EneRelease).where(EneRelease.session_id == session_id)
            .order_by(EneRelease.created_at, EneRelease.id))
    return list(session.execute(stmt).scalars())


def list_messages(session: Session, session_id: uuid.UUID, *, channel_known: bool,
                  home: uuid.UUID | None) -> list[EneMessage]:
    stmt = select(EneMessage).where(EneMessage.session_id == session_id)
    if channel_known:
        stmt = stmt.where(EneMessage.channel_party_id.is_(None) if home is None
                          else EneMessage.channel_party_id == home)
    stmt = stmt.order_by(EneMessage.created_at, EneMessage.id)
    return list(session.execute(stmt).scalars())


def get_message(session: Session, session_id: uuid.UUID,
                message_id: uuid.UUID) -> EneMessage | None:
    return session.execute(select(EneMessage).where(
        EneMessage.id == message_id, EneMessage.session_id == session_id)).scalar_one_or_none()


def list_statements(session: Session, session_id: uuid.UUID) -> list[EneStatement]:
    stmt = (select(EneStatement).where(EneStatement.session_id == session_id)
            .order_by(EneStatement.party_id, EneStatement.version))
    return list(session.execute(stmt).scalars())


def get_statement(session: Session, session_id: uuid.UUID,
                  statement_id: uuid.UUID) -> EneStatement | None:
    return session.execute(select(EneStatement).where(
        EneStatement.id == statement_id, EneStatement.session_id == session_id)
    ).scalar_one_or_none()


def current_statement(session: Session, session_id: uuid.UUID,
                      party_id: uuid.UUID) -> EneStatement | None:
    return session.execute(
        select(EneStatement).where(EneStatement.session_id == session_id,
                                   EneStatement.party_id == party_id)
        .order_by(EneStatement.version.desc()).limit(1)
    ).scalar_one_or_none()


def get_evaluation(session: Session, session_id: uuid.UUID) -> EneEvaluation | None:
    return session.execute(
        select(EneEvaluation).where(EneEvaluation.session_id == session_id)
    ).scalar_one_or_none()


def evaluation_shares(session: Session, evaluation_id: uuid.UUID) -> set[uuid.UUID]:
    return set(session.execute(select(EneEvaluationShare.party_id).where(
        EneEvaluationShare.evaluation_id == evaluation_id)).scalars())


def attendance(session: Session, session_id: uuid.UUID) -> list[EneAttendance]:
    stmt = (select(EneAttendance).where(EneAttendance.session_id == session_id)
            .order_by(EneAttendance.checked_in_at, EneAttendance.role, EneAttendance.id))
    return list(session.execute(stmt).scalars())


def evaluator_decisions(session: Session, rows: Collection[EneSession]
                        ) -> dict[uuid.UUID, dict[uuid.UUID, EneEvaluatorDecision]]:
    """Per session, each party's answer to the session's *current* evaluator (answers to an
    evaluator named before do not count), in one query."""
    out: dict[uuid.UUID, dict[uuid.UUID, EneEvaluatorDecision]] = {r.id: {} for r in rows}
    if out:
        current = {r.id: r.evaluator_user_id for r in rows}
        found = session.execute(select(EneEvaluatorDecision).where(
            EneEvaluatorDecision.session_id.in_(list(out)))).scalars()
        for d in found:
            if d.evaluator_user_id == current[d.session_id]:
                out[d.session_id][d.party_id] = d
    return out


def message_marks(session: Session, session_id: uuid.UUID
                  ) -> list[tuple[uuid.UUID, uuid.UUID | None]]:
    """(id, caucus party or None) of every message: what the change feed needs, no body."""
    return [(i, c) for i, c in session.execute(
        select(EneMessage.id, EneMessage.channel_party_id)
        .where(EneMessage.session_id == session_id)
        .order_by(EneMessage.created_at, EneMessage.id)).all()]


def statement_marks(session: Session, session_id: uuid.UUID
                    ) -> list[tuple[uuid.UUID, uuid.UUID, bool]]:
    """(id, party, shared with the parties) of every statement version, no body."""
    return [(i, p, bool(s)) for i, p, s in session.execute(
        select(EneStatement.id, EneStatement.party_id, EneStatement.shared_with_parties)
        .where(EneStatement.session_id == session_id)
        .order_by(EneStatement.party_id, EneStatement.version)).all()]


def evaluation_mark(session: Session, session_id: uuid.UUID
                    ) -> tuple[uuid.UUID, int] | None:
    """(id, version) of the session's evaluation, no body."""
    row = session.execute(select(EneEvaluation.id, EneEvaluation.version)
                          .where(EneEvaluation.session_id == session_id)).first()
    return None if row is None else (row[0], row[1])
