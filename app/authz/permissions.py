"""The access table of ``shared/POLICY.md``, read as a whole.

``ROLE_PERMISSIONS`` says which case roles may *ever* exercise a permission. Many rows are
further narrowed per object by ``policy.py`` (for example "counsel of the offer's
from-party", or "client unless AEO"): a role missing here can never pass; a role present
here still has to pass the object rule.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ROOM_ADMIN = "room_admin"
    COUNSEL = "counsel"
    CLIENT = "client"
    PRO_SE = "pro_se"
    NEUTRAL = "neutral"
    AUDITOR = "auditor"


PARTY_ROLES = frozenset({Role.COUNSEL, Role.CLIENT, Role.PRO_SE})
# Roles that speak for a party: counsel, or a party acting for itself.
SPEAKING_ROLES = frozenset({Role.COUNSEL, Role.PRO_SE})


class Permission(StrEnum):
    CASE_READ = "case.read"  # caption, parties, claims, members
    CASE_MANAGE = "case.manage"  # parties, claims, members, trial date
    CASE_DESTROY = "case.destroy"
    OFFER_READ = "offer.read"
    OFFER_MAKE = "offer.make"  # make, withdraw
    OFFER_RESPOND = "offer.respond"  # accept, reject, counter
    RULE68_READ = "rule68.read"
    RULE68_SERVE = "rule68.serve"
    RULE68_ACCEPT = "rule68.accept"
    ENE_HOST = "ene.host"  # create a session
    ENE_EVALUATE = "ene.evaluate"  # write and share the evaluation, close
    ENE_PARTICIPATE = "ene.participate"  # joint channel, own caucus, own statement
    ENE_RELEASE = "ene.release"  # release own caucus content to another party
    ENE_REPORT_READ = "ene.report.read"
    DOCUMENT_READ = "document.read"
    DOCUMENT_UPLOAD = "document.upload"
    TRACE = "trace"
    AUDIT_READ = "audit.read"
    # Protective orders (POLICY.md "protective order" rows); object rules in
    # ``policy_protective_orders``.
    ORDER_READ = "protective_order.read"  # the order's text and tiers, challenges, clawbacks
    ORDER_ENTER = "protective_order.enter"  # record or replace the order
    ORDER_ACKNOWLEDGE = "protective_order.acknowledge"  # sign Exhibit A
    DESIGNATION_CHALLENGE = "designation.challenge"  # challenge; record impasse or motion
    CLAWBACK = "clawback"  # claw back a produced document (FRE 502)
    CLAWBACK_CERTIFY = "clawback.certify"  # certify sequestration or destruction
    FILING_CHECK = "filing.check"  # check a draft filing for designated material
    PUBLIC_TEXT_READ = "public_text.read"  # list the public texts registered in the case
    PUBLIC_TEXT_ADD = "public_text.add"  # register public text for one's party's checks
    PUBLIC_TEXT_REMOVE = "public_text.remove"  # take one back (object rule: who added it)


R = Role
P = Permission

ROLE_PERMISSIONS: dict[Permission, frozenset[Role]] = {
    P.CASE_READ: frozenset(Role),
    P.CASE_MANAGE: frozenset({R.ROOM_ADMIN}),
    P.CASE_DESTROY: frozenset({R.ROOM_ADMIN}),
    P.OFFER_READ: frozenset({R.COUNSEL, R.PRO_SE, R.CLIENT, R.NEUTRAL}),
    P.OFFER_MAKE: SPEAKING_ROLES,
    P.OFFER_RESPOND: SPEAKING_ROLES,
    P.RULE68_READ: frozenset({R.COUNSEL, R.PRO_SE, R.CLIENT}),
    P.RULE68_SERVE: SPEAKING_ROLES,
    P.RULE68_ACCEPT: SPEAKING_ROLES,
    P.ENE_HOST: frozenset({R.ROOM_ADMIN, R.NEUTRAL}),
    P.ENE_EVALUATE: frozenset({R.NEUTRAL}),
    P.ENE_PARTICIPATE: frozenset({R.COUNSEL, R.PRO_SE, R.CLIENT, R.NEUTRAL}),
    P.ENE_RELEASE: SPEAKING_ROLES,
    P.ENE_REPORT_READ: frozenset(Role),
    P.DOCUMENT_READ: frozenset({R.COUNSEL, R.PRO_SE, R.CLIENT, R.NEUTRAL}),
    P.DOCUMENT_UPLOAD: SPEAKING_ROLES,
    P.TRACE: frozenset({R.AUDITOR, R.ROOM_ADMIN, R.COUNSEL, R.PRO_SE}),
    P.AUDIT_READ: frozenset({R.AUDITOR, R.ROOM_ADMIN}),
    P.ORDER_READ: frozenset(Role),
    P.ORDER_ENTER: frozenset({R.ROOM_ADMIN}),
    P.ORDER_ACKNOWLEDGE: frozenset({R.COUNSEL, R.PRO_SE, R.CLIENT, R.NEUTRAL}),
    P.DESIGNATION_CHALLENGE: SPEAKING_ROLES,
    P.CLAWBACK: SPEAKING_ROLES,
    P.CLAWBACK_CERTIFY: frozenset({R.COUNSEL, R.PRO_SE, R.CLIENT, R.NEUTRAL}),
    # Those who file in the case: counsel, or a party pro se.
    P.FILING_CHECK: SPEAKING_ROLES,
    # Public text counts in the checks of the party that registered it: those who file for
    # it register it; the room admin sees the list and removes what does not belong.
    P.PUBLIC_TEXT_READ: frozenset({R.COUNSEL, R.PRO_SE, R.ROOM_ADMIN}),
    P.PUBLIC_TEXT_ADD: SPEAKING_ROLES,
    P.PUBLIC_TEXT_REMOVE: frozenset({R.COUNSEL, R.PRO_SE, R.ROOM_ADMIN}),
}


# Permissions that touch case content: a destroyed case answers 410 to them.
CONTENT_PERMISSIONS = frozenset({
    P.OFFER_READ, P.OFFER_MAKE, P.OFFER_RESPOND, P.RULE68_READ, P.RULE68_SERVE,
    P.RULE68_ACCEPT, P.ENE_HOST, P.ENE_EVALUATE, P.ENE_PARTICIPATE, P.ENE_RELEASE,
    P.DOCUMENT_READ, P.DOCUMENT_UPLOAD, P.TRACE, P.CASE_DESTROY,
    P.ORDER_READ, P.ORDER_ENTER, P.ORDER_ACKNOWLEDGE, P.DESIGNATION_CHALLENGE, P.CLAWBACK,
    P.CLAWBACK_CERTIFY, P.FILING_CHECK, P.PUBLIC_TEXT_READ, P.PUBLIC_TEXT_ADD,
    P.PUBLIC_TEXT_REMOVE,
})


def roles_with(permission: Permission) -> frozenset[Role]:
    return ROLE_PERMISSIONS[permission]
