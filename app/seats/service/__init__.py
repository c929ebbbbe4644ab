"""Use cases of seats, one module per verb: ``invite`` (and the inviter's list and
revocation), ``respond`` (what the link shows, accept, decline), ``mine`` (the account's
own invitations, answered without the link), ``members`` (the platform admin's bootstrap
seat, leaving and removing), ``offer_access`` (whether a client seat reads its party's
offers)."""

from app.seats.reads import my_invitations
from app.seats.service.invite import invite, list_invitations, revoke_invitation
from app.seats.service.members import remove_member, seat_member
from app.seats.service.mine import accept_mine, decline_mine
from app.seats.service.offer_access import set_offer_access
from app.seats.service.respond import (
    accept_invitation,
    decline_invitation,
    show_invitation,
)

__all__ = [
    "accept_invitation",
    "accept_mine",
    "decline_invitation",
    "decline_mine",
    "invite",
    "list_invitations",
    "my_invitations",
    "remove_member",
    "revoke_invitation",
    "seat_member",
    "set_offer_access",
    "show_invitation",
]
