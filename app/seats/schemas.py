import uuid
from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, EmailStr, Field, StrictBool

from app.authz.permissions import Role
from app.kernel.passwords import MIN_PASSWORD_LENGTH
from app.kernel.schemas import Schema, Strict


class InvitationCreate(Strict):
    email: EmailStr = Field(max_length=320)
    role: Role
    party_id: uuid.UUID | None = None


class InvitationCreated(Schema):
    """The same answer whether or not an account exists for the address."""

    id: uuid.UUID
    status: Literal["pending"] = "pending"


class InvitationRead(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    email: str
    role: Role
    party_id: uuid.UUID | None
    invited_by: uuid.UUID
    status: str  # pending | accepted | declined | revoked | expired
    created_at: datetime
    expires_at: datetime
    # Where the invitation's mail stands: pending | sending | sent | dead (the address's
    # mail server refused it for good: the invitee never got the link).
    mail: str | None = None


class InvitationView(Schema):
    """What the holder of the link sees: who invites whom to which seat of which case."""

    case_caption: str
    docket_number: str
    court: str
    inviter_name: str
    email: str
    role: Role
    role_words: str
    party_id: uuid.UUID | None
    party_name: str | None
    status: str
    expires_at: datetime
    # Whether to sign in or to create an account: told only to the holder of the link,
    # who received it at that address.
    has_account: bool


class MyInvitationRead(Schema):
    """A pending invitation to the caller's own address, as its list shows it."""

    id: uuid.UUID
    case_id: uuid.UUID
    case_caption: str
    docket_number: str
    court: str
    role: Role
    role_words: str
    party_id: uuid.UUID | None
    party_name: str | None
    inviter_name: str
    created_at: datetime
    expires_at: datetime


class InvitationAccept(Strict):
    """Without a bearer token: the new account's name and password."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    password: str | None = Field(default=None, min_length=MIN_PASSWORD_LENGTH, max_length=1024)


class InvitationDeclined(Schema):
    status: Literal["declined"] = "declined"


class SeatCreate(Strict):
    """A seat given directly by a platform admin (an operator seating from a docket)."""

    user_id: uuid.UUID
    role: Role
    party_id: uuid.UUID | None = None


class SeatRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    case_id: uuid.UUID
    user_id: uuid.UUID
    role: Role
    party_id: uuid.UUID | None


class OfferAccessWrite(Strict):
    """A client seat reads its party's offers in the room (true) or not (false)."""

    reads_offers: StrictBool


class OfferAccessRead(Schema):
    """The client seat and its party's counsel's choice."""

    member_id: uuid.UUID
    user_id: uuid.UUID
    party_id: uuid.UUID
    reads_offers: bool
