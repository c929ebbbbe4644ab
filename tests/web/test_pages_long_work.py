"""Pages whose action ends its reads before long work (``between_transactions``): a trace.
It works also when the request first advances the browser session's idle clock (the
previous request is over a minute old): that write is committed first."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlalchemy import update

from app.db import transaction
from app.models.web import WebSession
from tests.web.helpers import sign_in_as


def _idle_for_a_while(app, user_id: str) -> None:  # noqa: ANN001
    """The browser's last request is minutes old: the next one advances its idle clock."""
    with transaction(app.state.sessionmaker) as session:
        session.execute(update(WebSession).where(WebSession.user_id == uuid.UUID(user_id))
                        .values(last_seen_at=app.state.services.now() - timedelta(minutes=5)))


def test_a_trace_submitted_after_a_minute_on_the_page_is_run(client, room, web_app):  # noqa: ANN001
    sign_in_as(client, room.users["auditor"])
    page = client.get(f"/cases/{room.id}/traces").text
    action = re.search(r'action="([^"]+/traces\?csrf_token=[0-9a-f]+)"', page)
    assert action
    _idle_for_a_while(web_app, room.users["auditor"].id)  # choosing the file took a while
    r = client.post(action.group(1), files={"file": ("found.txt", b"Nothing here.\n",
                                                     "text/plain")})
    assert r.status_code == 200 and "Result:" in r.text, r.text[-2000:]
