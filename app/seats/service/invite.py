"""Inviting someone to a seat, and the inviter's view of its invitations.

Threats: a room admin (or one party's counsel) seating itself or others for a party it does
not speak for; an inviter learning whether an address has an account (account
enumeration); a token read from the database.

Invariants:
- the answer is ``202 {id, status: pending}`` whatever the address: nothing here looks the
  address up, so neither the answer nor its timing depends on an account existing; the
  rules that depend on who the invitee is (conflicts, neutrality) are checked at acceptance;
- the inviter may give the seat now (``policy_seats.may_give_seat``) and is not inviting
  its own address (``self_grant``); a refusal is audited;
- the token is derived (``capability_token``) from the server's secret and a nonce handed
  to the mail outbox; only its hash is stored, the mail is written in this transaction and
  delivered by the worker, and the audit event holds ids, the role and the party only.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.policy_seats import may_give_seat, not_self, sees_invitation
from app.cases import service as case_service
from app.context import CaseContext
from app.errors import NotFound
from app.kernel.tokens import capability_token, hash_capability_token
from app.models.seats import INVITATION_PENDING, INVITATION_REVOKED, Invitation
from app.notifications import service as notifications
from app.refusals import refuse, refuse_unless
from app.runtime import Services
from app.sealing import CaseDestroyed
from app.seats import repository as repo
from app.seats.schemas import InvitationCreate, InvitationCreated, InvitationRead
from app.seats.service.rules import check_seat_shape, party_has_speaker, seat, seat_details

INVITATION_LIFETIME = timedelta(days=14)
TOKEN_PURPOSE = "invitation"
LINK = "/invitations/{token}"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def invite(session: Session, ctx: CaseContext, svc: Services, *,
           data: InvitationCreate) -> InvitationCreated:
    case = case_service.case_row(session, ctx.case_id, lock=True)  # one seat change at a time
    assert case is not None  # the guard loaded the membership
    if case.destroyed_at is not None:
        raise CaseDestroyed()
    wanted = seat(data.role, data.party_id)
    check_seat_shape(session, ctx, ctx.case_id, wanted, "invitation.create")
    email = normalise_email(str(data.email))
    details = seat_details(wanted)
    refuse_unless(session, ctx, "invitation.create", "case", ctx.case_id,
                  not_self(normalise_email(ctx.principal.email), email), details=details)
    refuse_unless(session, ctx, "invitation.create", "case", ctx.case_id,
                  may_give_seat(ctx.memberships, wanted, party_has_speaker=party_has_speaker(
                      session, ctx.case_id, wanted.party_id)), details=details)
    now = svc.now()
    invitation_id, nonce = uuid.uuid4(), secrets.token_bytes(32)
    token = capability_token(svc.hmac_key, TOKEN_PURPOSE, invitation_id, nonce)
    row = Invitation(id=invitation_id, case_id=ctx.case_id, email=email, role=wanted.role.value,
                     party_id=wanted.party_id, invited_by=ctx.user_id,
                     token_hash=hash_capability_token(token), status=INVITATION_PENDING,
                     created_at=now, expires_at=now + INVITATION_LIFETIME)
    repo.add(session, row)
    notifications.mail_address(session, to=email, kind="invitation", case_id=ctx.case_id,
                               object_type="invitation", object_id=row.id, link=LINK, now=now,
                               due_at=row.expires_at, token_purpose=TOKEN_PURPOSE,
                               token_nonce=nonce)
    record(session, ctx, "invitation.create", "invitation", row.id,
           seat_details(wanted, invitation_id=row.id))
    return InvitationCreated(id=row.id)


def status_of(row: Invitation, now: object) -> str:
    """``expired`` is a pending invitation past its time (never stored: time says it)."""
    if row.status == INVITATION_PENDING and row.expires_at <= now:  # type: ignore[operator]
        return "expired"
    return row.status


def _read(row: Invitation, now: object, mail: str | None) -> InvitationRead:
    return InvitationRead(id=row.id, case_id=row.case_id, email=row.email, role=row.role,
                          party_id=row.party_id, invited_by=row.invited_by,
                          status=status_of(row, now), created_at=row.created_at,
                          expires_at=row.expires_at, mail=mail)


def list_invitations(session: Session, ctx: CaseContext, svc: Services) -> list[InvitationRead]:
    """The invitations the caller made or whose seat it controls, each with where its mail
    stands (a refused address shows here, to those who may see the address)."""
    now = svc.now()
    rows = [row for row in repo.list_invitations(session, ctx.case_id)
            if sees_invitation(ctx.user_id, ctx.memberships, row.invited_by,
                               seat(row.role, row.party_id))]
    mails = notifications.address_mail_states(session, object_type="invitation",
                                              object_ids={row.id for row in rows})
    return [_read(row, now, mails.get(row.id)) for row in rows]


def revoke_invitation(session: Session, ctx: CaseContext, svc: Services, *,
                      invitation_id: uuid.UUID) -> None:
    row = repo.get_invitation(session, ctx.case_id, invitation_id)
    if row is None or not sees_invitation(ctx.user_id, ctx.memberships, row.invited_by,
                                          seat(row.role, row.party_id)):
        refuse(session, ctx, "invitation.revoke", "invitation", invitation_id, NotFound(
            "No such invitation.", code="invitation_not_found"))
    if row.status == INVITATION_PENDING:
        row.status, row.decided_at = INVITATION_REVOKED, svc.now()
        session.flush()
    record(session, ctx, "invitation.revoke", "invitation", row.id,
           {"invitation_id": row.id, "status": row.status})
