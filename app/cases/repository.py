"""SQL for cases. Every list is scoped to the caller's cases through ``cases_of_user``."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import Select, bindparam, func, literal, select, union_all
from sqlalchemy.orm import Session

from app.authz.permissions import Role
from app.authz.policy import Membership
from app.db import on_postgres, pg_execute, pg_execute_later
from app.models.base import utcnow
from app.models.cases import Case, Claim, ClaimDefendant, Member, Party
from app.models.users import User


def cases_of_user(user_id: uuid.UUID) -> Select[tuple[uuid.UUID]]:
    """The one scoping helper: ids of the cases where ``user_id`` holds any role."""
    return select(Member.case_id).where(Member.user_id == user_id).distinct()


def case_exists(session: Session, case_id: uuid.UUID) -> bool:
    return session.get(Case, case_id) is not None


def is_destroyed(session: Session, case_id: uuid.UUID) -> bool:
    return session.execute(
        select(Case.destroyed_at).where(Case.id == case_id)
    ).scalar_one_or_none() is not None


def get_case(session: Session, case_id: uuid.UUID) -> Case | None:
    return session.get(Case, case_id)


def cases_by_id(session: Session, case_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Case]:
    if not case_ids:
        return {}
    rows = session.execute(select(Case).where(Case.id.in_(list(case_ids)))).scalars()
    return {case.id: case for case in rows}


# The guard of every case route runs this: built once, as a Core statement on the table
# (SQLite), or as its own text on the driver (PostgreSQL, ``app.db.pg_execute``), it skips
# building the statement, its cache key and the ORM's compile state on each request
# (together more than the query's own round trip took).
_MEMBERS = Member.__table__
_MEMBERSHIPS_OF = select(_MEMBERS.c.role, _MEMBERS.c.party_id, _MEMBERS.c.reads_offers).where(
    _MEMBERS.c.case_id == bindparam("case_id"), _MEMBERS.c.user_id == bindparam("user_id"))


_PG_MEMBERSHIPS_OF = ("SELECT role, party_id, reads_offers FROM members "
                      "WHERE case_id = %(case_id)s AND user_id = %(user_id)s")


def memberships_of(
    session: Session, case_id: uuid.UUID, user_id: uuid.UUID
) -> frozenset[Membership]:
    params = {"case_id": case_id, "user_id": user_id}
    if on_postgres(session):
        rows = pg_execute(session, _PG_MEMBERSHIPS_OF, params, writes=False).fetchall()
    else:
        rows = session.execute(_MEMBERSHIPS_OF, params).all()
    return frozenset(Membership(Role(role), party_id, reads) for role, party_id, reads in rows)


def memberships_by_case(
    session: Session, user_id: uuid.UUID, case_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, frozenset[Membership]]:
    """The user's memberships in each of ``case_ids``, in one query."""
    found: dict[uuid.UUID, set[Membership]] = {case_id: set() for case_id in case_ids}
    if found:
        rows = session.execute(
            select(Member.case_id, Member.role, Member.party_id, Member.reads_offers).where(
                Member.user_id == user_id, Member.case_id.in_(list(found)))
        ).all()
        for case_id, role, party_id, reads in rows:
            found[case_id].add(Membership(Role(role), party_id, reads))
    return {case_id: frozenset(ms) for case_id, ms in found.items()}


def memberships_by_user(session: Session,
                        case_id: uuid.UUID) -> dict[uuid.UUID, frozenset[Membership]]:
    """Every active member's memberships in the case, in one query."""
    found: dict[uuid.UUID, set[Membership]] = {}
    rows = session.execute(
        select(Member.user_id, Member.role, Member.party_id, Member.reads_offers)
        .join(User, User.id == Member.user_id)
        .where(Member.case_id == case_id, User.is_active.is_(True))
    ).all()
    for user_id, role, party_id, reads in rows:
        found.setdefault(user_id, set()).add(Membership(Role(role), party_id, reads))
    return {user_id: frozenset(ms) for user_id, ms in found.items()}


def captions_for_member(session: Session, user_id: uuid.UUID,
                        case_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str, str]]:
    """(caption, docket number, court time zone) of the user's cases among ``case_ids``."""
    if not case_ids:
        return {}
    rows = session.execute(
        select(Case.id, Case.caption, Case.docket_number, Case.court_timezone).where(
            Case.id.in_(list(case_ids)),
            Case.id.in_(select(Member.case_id).where(Member.user_id == user_id)))
    ).all()
    return {case_id: (caption, docket, zone) for case_id, caption, docket, zone in rows}


def earliest_per_case(
    session: Session, parts: Mapping[str, Select[tuple[uuid.UUID, datetime]]]
) -> list[tuple[uuid.UUID, str, datetime]]:
    """(case id, part name, time) of each part's ``(case id, time)`` rows, in ONE statement
    (UNION ALL), cases whose keys were destroyed left out."""
    if not parts:
        return []
    labelled = []
    for name, part in parts.items():
        rows = part.subquery()
        labelled.append(select(rows.c[0].label("case_id"), literal(name).label("kind"),
                               rows.c[1].label("at")))
    union = union_all(*labelled).subquery()
    # Not a join with cases: SQLite would then run the union once per case row.
    destroyed = select(Case.id).where(Case.destroyed_at.is_not(None))
    stmt = (select(union.c.case_id, union.c.kind, union.c.at)
            .where(union.c.case_id.not_in(destroyed)))
    return [(case_id, kind, at) for case_id, kind, at in session.execute(stmt).all()]


def list_cases_for_user(
    session: Session, user_id: uuid.UUID, *, offset: int, limit: int
) -> list[Case]:
    stmt = (
        select(Case)
        .where(Case.id.in_(cases_of_user(user_id)))
        .order_by(Case.created_at.desc(), Case.id)
        .offset(offset)
        .limit(limit)
    )
    return list(session.execute(stmt).scalars())


def add(session: Session, obj: object) -> None:
    session.add(obj)
    session.flush()


_INSERT_PARTY = Party.__table__.insert()
_PG_INSERT_PARTY = ("INSERT INTO parties (id, case_id, name, side, represented, created_at) "
                    "VALUES (%(id)s, %(case_id)s, %(name)s, %(side)s, %(represented)s, "
                    "%(created_at)s)")


def insert_party(session: Session, values: dict[str, object]) -> None:
    """One INSERT of ``id``, ``case_id``, ``name``, ``side``, ``represented``, without the
    ORM's unit of work (which cost more than the statement's round trip). On PostgreSQL
    it is held for the transaction's next statement or its COMMIT
    (``app.db.pg_execute_later``), and goes out with the audit event that follows it."""
    row = {**values, "created_at": utcnow()}
    if on_postgres(session):
        pg_execute_later(session, _PG_INSERT_PARTY, row, writes=True)
    else:
        session.execute(_INSERT_PARTY, row)


def list_parties(session: Session, case_id: uuid.UUID, *, offset: int = 0,
                 limit: int = 1000) -> list[Party]:
    stmt = (select(Party).where(Party.case_id == case_id)
            .order_by(Party.created_at, Party.id).offset(offset).limit(limit))
    return list(session.execute(stmt).scalars())


def get_party(session: Session, case_id: uuid.UUID, party_id: uuid.UUID) -> Party | None:
    party = session.get(Party, party_id)
    return party if party is not None and party.case_id == case_id else None


def list_claims(session: Session, case_id: uuid.UUID, *, offset: int = 0,
                limit: int = 1000) -> list[tuple[Claim, list[uuid.UUID]]]:
    claims = list(session.execute(
        select(Claim).where(Claim.case_id == case_id)
        .order_by(Claim.created_at, Claim.id).offset(offset).limit(limit)
    ).scalars())
    defenders: dict[uuid.UUID, list[uuid.UUID]] = {c.id: [] for c in claims}
    if claims:
        rows = session.execute(
            select(ClaimDefendant.claim_id, ClaimDefendant.party_id)
            .where(ClaimDefendant.claim_id.in_(list(defenders)))
            .order_by(ClaimDefendant.party_id)
        ).all()
        for claim_id, party_id in rows:
            defenders[claim_id].append(party_id)
    return [(c, defenders[c.id]) for c in claims]


def list_members(session: Session, case_id: uuid.UUID, *, offset: int = 0,
                 limit: int = 1000) -> list[Member]:
    stmt = (select(Member).where(Member.case_id == case_id)
            .order_by(Member.created_at, Member.id).offset(offset).limit(limit))
    return list(session.execute(stmt).scalars())


def get_member(session: Session, case_id: uuid.UUID, member_id: uuid.UUID) -> Member | None:
    member = session.get(Member, member_id)
    return member if member is not None and member.case_id == case_id else None


def find_member(session: Session, case_id: uuid.UUID, user_id: uuid.UUID, role: str,
                party_key: str) -> Member | None:
    return session.execute(select(Member).where(
        Member.case_id == case_id, Member.user_id == user_id, Member.role == role,
        Member.party_key == party_key,
    )).scalar_one_or_none()


def count_role(session: Session, case_id: uuid.UUID, role: Role) -> int:
    return int(session.execute(
        select(func.count()).select_from(Member)
        .where(Member.case_id == case_id, Member.role == role.value)
    ).scalar_one())


def lock_case(session: Session, case_id: uuid.UUID) -> Case | None:
    return session.execute(
        select(Case).where(Case.id == case_id).with_for_update()
    ).scalar_one_or_none()


def delete(session: Session, obj: object) -> None:
    session.delete(obj)
    session.flush()


def count_party_role(session: Session, case_id: uuid.UUID, party_id: uuid.UUID,
                     role: Role) -> int:
    return int(session.execute(
        select(func.count()).select_from(Member).where(
            Member.case_id == case_id, Member.party_id == party_id, Member.role == role.value)
    ).scalar_one())
