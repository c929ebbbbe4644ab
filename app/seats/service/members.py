"""Seats given without an invitation, and seats given up.

- ``seat_member``: a platform admin seats a user directly (an operator seating people from
  a docket, and the bootstrap of test and demo rooms). It is not a member of the room and
  gets no content by doing so. The seat must not break the conflict rules (adverse parties,
  neutrality) nor be the admin's own; it is audited and the seated user is told, by a
  ``member.seated`` notification, and may leave.
- ``remove_member``: a member may always leave (``DELETE`` of its own membership); another
  member's party seat is removed by that party's counsel or pro se party, a party-less seat
  by the room admin; a case keeps one room admin.
- Everyone else who sits for the party (counsel, pro se party, clients) is told when one of
  its members comes (``member.added``) or goes (``member.removed``); see ``notices``.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth import service as auth_service
from app.authz.permissions import Role
from app.authz.policy_seats import may_hold_seat, may_remove_seat, not_self
from app.cases import service as case_service
from app.context import CaseContext, Principal
from app.errors import Conflict, Invalid, NotFound
from app.models.cases import Member
from app.notifications import service as notifications
from app.refusals import refuse, refuse_unless
from app.runtime import Services
from app.sealing import CaseDestroyed
from app.seats import repository as repo
from app.seats.schemas import SeatCreate, SeatRead
from app.seats.service.notices import tell_party
from app.seats.service.rules import adverse, check_seat_shape, party_key, seat, seat_details


def seat_member(session: Session, admin: Principal, svc: Services, *, case_id: uuid.UUID,
                data: SeatCreate) -> SeatRead:
    """The platform admin's direct seat (the route requires a platform admin)."""
    case = case_service.case_row(session, case_id, lock=True)
    if case is None:
        refuse(session, admin, "member.add", "case", case_id,
               NotFound("No such case.", code="case_not_found"))
    if case.destroyed_at is not None:
        raise CaseDestroyed()
    ctx = CaseContext(admin, case_id, case_service.memberships_of(session, case_id, admin.user_id))
    wanted = seat(data.role, data.party_id)
    check_seat_shape(session, ctx, case_id, wanted, "member.add")
    details = seat_details(wanted, user_id=data.user_id, via="platform_admin")
    user = auth_service.user_row(session, data.user_id)
    if user is None or not user.is_active:  # malformed input, like a 422 of the schema
        raise Invalid("user_id is not a known user.", code="unknown_user")
    holder = case_service.memberships_of(session, case_id, data.user_id)
    for decision in (not_self(admin.user_id, data.user_id),
                     may_hold_seat(holder, wanted, adverse(session, case_id))):
        refuse_unless(session, ctx, "member.add", "case", case_id, decision, details=details)
    if repo.find_member(session, case_id, data.user_id, wanted.role.value,
                        party_key(data.party_id)):
        raise Conflict("The user already holds this role.", code="member_exists")
    member = Member(case_id=case_id, user_id=data.user_id, role=wanted.role.value,
                    party_id=data.party_id, party_key=party_key(data.party_id))
    repo.add(session, member)
    record(session, ctx, "member.add", "member", member.id, details)
    notifications.notify(session, case_id, kind="member.seated", object_type="member",
                         object_id=member.id, link=f"/cases/{case_id}/members",
                         recipients=[data.user_id], now=svc.now())
    tell_party(session, case_id, kind="member.added", member_id=member.id,
               party_id=data.party_id, actor=admin.user_id, member_user=data.user_id,
               now=svc.now())
    return SeatRead.model_validate(member)


def remove_member(session: Session, ctx: CaseContext, svc: Services, *,
                  member_id: uuid.UUID) -> None:
    case_service.case_row(session, ctx.case_id, lock=True)  # serialise seat changes
    member = repo.get_member(session, ctx.case_id, member_id)
    if member is None:
        raise NotFound("No such member.", code="member_not_found")
    held = seat(member.role, member.party_id)
    leaving = member.user_id == ctx.user_id
    action = "member.leave" if leaving else "member.remove"
    details = seat_details(held, user_id=member.user_id)
    refuse_unless(session, ctx, action, "member", member_id,
                  may_remove_seat(ctx.user_id, ctx.memberships, member.user_id, held),
                  details=details)
    if held.role == Role.ROOM_ADMIN and case_service.count_role(
            session, ctx.case_id, Role.ROOM_ADMIN) <= 1:
        refuse(session, ctx, action, "member", member_id, Conflict(
            "A case keeps at least one room admin.", code="last_room_admin"))
    repo.delete(session, member)
    record(session, ctx, action, "member", member_id, details)
    tell_party(session, ctx.case_id, kind="member.removed", member_id=member_id,
               party_id=held.party_id, actor=ctx.user_id, member_user=member.user_id,
               now=svc.now())
