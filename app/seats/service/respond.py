"""What an invitation's link shows, and its acceptance or refusal.

Threats: a guessed, replayed, expired or forwarded token; an account of another address
accepting; two acceptances of one token at once; a destroyed room reaching the invitee;
a seat that broke the rules between the invitation and its acceptance.

Invariants:
- a token is recognised only by its hash; it is single-use: the invitation row is locked
  before its state is read, so of two acceptances at once exactly one succeeds and the
  other finds it accepted (409 ``invitation_not_pending``); an expired one answers 410;
- an existing account accepts only signed in, with the address the invitation was sent to;
  without a bearer token the address must have no account, and the invitee sets its own
  name and password here;
- every rule is checked again at acceptance, against the case as it is then: the inviter
  may still give the seat, nobody seats itself, no adverse or neutral conflict; the seat
  and the invitation's new state commit together, audited with ids only, with a
  ``member.added`` notice to the party's other members;
- a destroyed room's invitation shows nothing and seats nobody; declining leaves no seat.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth import service as auth_service
from app.authz.policy_seats import may_give_seat, may_hold_seat, not_self
from app.authz.words import role_words
from app.cases import service as case_service
from app.context import Actor, CaseContext, Principal
from app.errors import Conflict, Forbidden, Gone, Invalid, NotFound, Unauthenticated
from app.kernel.tokens import CAPABILITY_TOKEN_LENGTH, hash_capability_token
from app.models.cases import Member
from app.models.seats import (
    INVITATION_ACCEPTED,
    INVITATION_DECLINED,
    INVITATION_PENDING,
    Invitation,
)
from app.refusals import refuse, refuse_unless
from app.runtime import Services
from app.seats import repository as repo
from app.seats.schemas import (
    InvitationAccept,
    InvitationDeclined,
    InvitationView,
    SeatRead,
)
from app.seats.service.invite import normalise_email, status_of
from app.seats.service.notices import tell_party
from app.seats.service.rules import adverse, party_has_speaker, party_key, seat, seat_details


def _find(session: Session, token: str, action: str, *, lock: bool) -> Invitation:
    row = None
    if len(token) == CAPABILITY_TOKEN_LENGTH:
        token_hash = hash_capability_token(token)
        row = (repo.lock_invitation_by_token(session, token_hash) if lock
               else repo.invitation_by_token(session, token_hash))
    if row is None:
        refuse(session, None, action, "invitation", None, NotFound(
            "This invitation link is not valid.", code="invitation_not_found"))
    return row


def _require_open(session: Session, actor: Actor, row: Invitation, action: str,
                  svc: Services) -> None:
    if row.status != INVITATION_PENDING:
        refuse(session, actor, action, "invitation", row.id, Conflict(
            "This invitation was already accepted, declined or withdrawn.",
            code="invitation_not_pending"), case_id=row.case_id)
    if row.expires_at <= svc.now():
        refuse(session, actor, action, "invitation", row.id, Gone(
            "This invitation expired; ask for a new one.", code="invitation_expired"),
            case_id=row.case_id)


def show_invitation(session: Session, svc: Services, *, token: str) -> InvitationView:
    row = _find(session, token, "invitation.read", lock=False)
    case = case_service.case_row(session, row.case_id)
    if case is None or case.destroyed_at is not None:
        # A destroyed room shows nothing of itself to someone who never joined it.
        refuse(session, None, "invitation.read", "invitation", row.id, NotFound(
            "This invitation link is not valid.", code="invitation_not_found"),
            case_id=row.case_id)
    inviter = auth_service.user_row(session, row.invited_by)
    party = (case_service.party_row(session, row.case_id, row.party_id)
             if row.party_id is not None else None)
    wanted = seat(row.role, row.party_id)
    return InvitationView(
        case_caption=case.caption, docket_number=case.docket_number, court=case.court,
        inviter_name=inviter.name if inviter is not None else "a former member",
        email=row.email, role=wanted.role, role_words=role_words(wanted.role),
        party_id=row.party_id, party_name=party.name if party is not None else None,
        status=status_of(row, svc.now()), expires_at=row.expires_at,
        has_account=auth_service.user_by_email(session, row.email) is not None)


def _acceptor(session: Session, svc: Services, row: Invitation, principal: Principal | None,
              data: InvitationAccept, client_address: str | None) -> Principal:
    """The account that accepts: the signed-in one (same address), or a new one."""
    if principal is not None:
        if normalise_email(principal.email) != row.email:
            refuse(session, principal, "invitation.accept", "invitation", row.id, Forbidden(
                "This invitation was sent to another address: sign in with that address's "
                "account to accept it.", code="invitation_email_mismatch"), case_id=row.case_id)
        return principal
    if auth_service.user_by_email(session, row.email) is not None:
        refuse(session, None, "invitation.accept", "invitation", row.id, Unauthenticated(
            "An account exists for this address: sign in, then accept.",
            code="sign_in_required"), case_id=row.case_id)
    if data.name is None or data.password is None:
        raise Invalid("To create your account, give your name and a password.",
                      code="account_details_required")
    # The invitee chose this password itself: nothing to replace.
    made = auth_service.create_user(session, None, svc.passwords, email=row.email,
                                    name=data.name, password=data.password,
                                    must_change_password=False)
    return Principal(made.id, made.email, made.name, False, client_address)


def accept_invitation(session: Session, svc: Services, *, token: str,
                      principal: Principal | None, data: InvitationAccept,
                      client_address: str | None = None) -> SeatRead:
    row = _find(session, token, "invitation.accept", lock=True)
    return accept_found(session, svc, row, principal=principal, data=data,
                        client_address=client_address)


def accept_found(session: Session, svc: Services, row: Invitation, *,
                 principal: Principal | None, data: InvitationAccept,
                 client_address: str | None = None) -> SeatRead:
    """Accept ``row``, locked by the caller, which found it by its token or, for the
    account of its address, on the account's list (``app.seats.service.mine``)."""
    _require_open(session, principal, row, "invitation.accept", svc)
    case = case_service.case_row(session, row.case_id, lock=True)  # one seat change at a time
    if case is None or case.destroyed_at is not None:
        refuse(session, principal, "invitation.accept", "invitation", row.id, Gone(
            "This room was destroyed.", code="case_destroyed"), case_id=row.case_id)
    acting = _acceptor(session, svc, row, principal, data, client_address)
    ctx = CaseContext(acting, row.case_id,
                      case_service.memberships_of(session, row.case_id, acting.user_id))
    wanted = seat(row.role, row.party_id)
    details = seat_details(wanted, invitation_id=row.id)
    inviter = case_service.memberships_of(session, row.case_id, row.invited_by)
    for decision in (
        not_self(row.invited_by, acting.user_id),
        may_give_seat(inviter, wanted, party_has_speaker=party_has_speaker(
            session, row.case_id, row.party_id)),
        may_hold_seat(ctx.memberships, wanted, adverse(session, row.case_id)),
    ):
        refuse_unless(session, ctx, "invitation.accept", "invitation", row.id, decision,
                      details=details)
    if repo.find_member(session, row.case_id, acting.user_id, wanted.role.value,
                        party_key(row.party_id)):
        refuse(session, ctx, "invitation.accept", "invitation", row.id, Conflict(
            "You already hold this seat.", code="member_exists"), details=details)
    member = Member(case_id=row.case_id, user_id=acting.user_id, role=wanted.role.value,
                    party_id=row.party_id, party_key=party_key(row.party_id))
    repo.add(session, member)
    row.status, row.decided_at = INVITATION_ACCEPTED, svc.now()
    row.accepted_by, row.member_id = acting.user_id, member.id
    session.flush()
    record(session, ctx, "invitation.accept", "invitation", row.id,
           {**details, "member_id": member.id})
    record(session, ctx, "member.add", "member", member.id,
           {**details, "user_id": acting.user_id, "via": "invitation"})
    tell_party(session, row.case_id, kind="member.added", member_id=member.id,
               party_id=row.party_id, actor=acting.user_id, member_user=acting.user_id,
               now=svc.now())
    return SeatRead.model_validate(member)


def decline_invitation(session: Session, svc: Services, *, token: str) -> InvitationDeclined:
    """Anyone holding the link may decline: it proves receipt, and declining gives nothing."""
    row = _find(session, token, "invitation.decline", lock=True)
    return decline_found(session, svc, row, actor=None)


def decline_found(session: Session, svc: Services, row: Invitation, *,
                  actor: Principal | None) -> InvitationDeclined:
    """Decline ``row``, locked by the caller (the link's holder, or the account of the
    invitation's address)."""
    _require_open(session, actor, row, "invitation.decline", svc)
    row.status, row.decided_at = INVITATION_DECLINED, svc.now()
    session.flush()
    record(session, actor, "invitation.decline", "invitation", row.id,
           {"invitation_id": row.id}, case_id=row.case_id)
    return InvitationDeclined()

