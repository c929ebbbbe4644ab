"""Roles in words: how every page and every message names a role ("pro se party", never
``pro_se``). Pure: one table, one function."""

from __future__ import annotations

from app.authz.permissions import Role

PLATFORM_ADMIN = "platform_admin"

ROLE_WORDS: dict[str, str] = {
    Role.ROOM_ADMIN: "room admin",
    Role.COUNSEL: "counsel",
    Role.CLIENT: "client",
    Role.PRO_SE: "pro se party",
    Role.NEUTRAL: "neutral",
    Role.AUDITOR: "auditor",
    PLATFORM_ADMIN: "platform admin",
}


def role_words(role: Role | str) -> str:
    """The role as people say it. An identifier without words (a role added later and not
    named here yet) is spelt out rather than shown raw."""
    key = str(role)
    return ROLE_WORDS.get(key, key.replace("_", " "))
