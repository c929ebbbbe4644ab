"""Who is told that a party's seats changed: everyone who sits for that party (its counsel,
the party acting without counsel, its clients), but the one who acted and the member
concerned (a new member knows it joined; see ``member.seated`` for a direct seat).

Threat: telling the other side who joined or left a party's team. Every member may read
the members list (POLICY.md: "case caption, parties, members: every member"), but a
notice is pushed to a mailbox, so it goes only to the party whose team changed. A
party-less seat (room admin, neutral, auditor) belongs to no party and tells nobody.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from app.authz.permissions import PARTY_ROLES
from app.authz.policy_ene import Viewer
from app.notifications import service as notifications


def tell_party(session: Session, case_id: uuid.UUID, *, kind: str, member_id: uuid.UUID,
               party_id: uuid.UUID | None, actor: uuid.UUID | None, member_user: uuid.UUID,
               now: datetime) -> int:
    """``member.added`` or ``member.removed`` to the party's other members."""
    if party_id is None:
        return 0

    def sits_for_party(viewer: Viewer) -> bool:
        return viewer.user_id != member_user and any(
            m.role in PARTY_ROLES and m.party_id == party_id for m in viewer.memberships)

    recipients = notifications.audience(session, case_id, sits_for_party, actor=actor)
    return notifications.notify(session, case_id, kind=kind, object_type="member",
                                object_id=member_id, link=f"/cases/{case_id}/members",
                                recipients=recipients, now=now)
