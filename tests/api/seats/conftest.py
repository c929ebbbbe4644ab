"""Helpers of the seat tests: the invitation mail's link, read from the ``.eml`` outbox the
embedded default writes, and the audit log."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

from tests.api.offers.conftest import Clock, audit_events, clock, events_named  # noqa: F401

LINK = re.compile(r"/invitations/([A-Za-z0-9_-]{43})")


def mails(app) -> list[email.message.EmailMessage]:  # noqa: ANN001
    app.state.mailer.drain()
    folder = Path(app.state.settings.data_dir) / "outbox"
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)  # type: ignore[misc]
            for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


def token_for(app, address: str) -> str:  # noqa: ANN001
    """The token of the latest invitation mail to ``address``."""
    found = [m for m in mails(app) if m["To"] == address]
    assert found, f"no mail to {address}"
    body = found[-1].get_body(("plain",)).get_content()
    match = LINK.search(body)
    assert match, body
    return match.group(1)


def invite(api, room, by: str, email_address: str, role: str, party: str | None = None):  # noqa: ANN001, ANN201
    body = {"email": email_address, "role": role}
    if party:
        body["party_id"] = room.parties[party]
    return api.client.post(f"/api/v1/cases/{room.id}/invitations",
                           headers=room.users[by].headers, json=body)
