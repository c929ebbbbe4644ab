"""One session model: an account's sessions are its refresh-token families (API) and its
browser sessions (cookies), and both carry the account's token generation.

``end_every_session`` is what logout everywhere, a password change and a change of second
factor do: the bumped generation kills every access token on its next use and every browser
session on its next page, and the refresh tokens and browser-session rows are revoked too, so
nothing issued before can be turned into a new credential.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.auth import repository as repo
from app.auth import web_sessions
from app.models.users import User


def end_every_session(session: Session, user: User, now: datetime) -> None:
    """``user``'s row must be locked by the caller (the generation is read, then written)."""
    user.token_generation += 1
    repo.revoke_user_tokens(session, user.id, now)
    web_sessions.revoke_all(session, user.id, now)
