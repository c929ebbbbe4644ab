"""An invitation whose mail the addressee's server refuses for good is a dead letter the
room admin sees among the case's (named by the invitation, never by the address), and the
inviter sees on the invitation itself; the audit log never holds the address."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import Settings
from tests.api.seats.conftest import audit_events, invite
from tests.conftest import make_settings
from tests.mailserver import Inbox, smtp_server
from tests.template import Template, copy_data_dir

REFUSED = "no-such-mailbox@example.com"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, database_url: str, _template: Template, inbox: Inbox) -> Settings:
    return make_settings(copy_data_dir(_template.data_dir, tmp_path / "data"), database_url,
                         smtp_host="127.0.0.1", smtp_port=inbox.port, smtp_starttls=False)


def test_a_refused_invitation_mail_is_a_dead_letter_of_the_case(api, app, inbox):
    inbox.refuse[REFUSED] = "550 5.1.1 No such mailbox"
    room = api.room()
    dead = invite(api, room, "plaintiff_counsel", REFUSED, "client", "plaintiff").json()["id"]
    delivered = invite(api, room, "room_admin", "auditor-two@example.com", "auditor").json()["id"]
    app.state.mailer.drain()
    assert inbox.addresses() == ["auditor-two@example.com"]
    path = f"/api/v1/cases/{room.id}/mail-dead-letters"
    r = api.client.get(path, headers=room.admin.headers)
    assert r.status_code == 200, r.text
    [letter] = r.json()
    assert (letter["kind"], letter["object_type"], letter["object_id"]) == (
        "invitation", "invitation", dead)
    assert letter["user_id"] is None and letter["notification_id"] is None
    assert letter["last_error"] == "smtp_recipient_refused" and letter["attempts"] == 1
    assert REFUSED not in r.text
    # Dead letters stay the room admin's: counsel gets 403, a stranger 404.
    assert api.client.get(path, headers=room.users["plaintiff_counsel"].headers
                          ).status_code == 403
    assert api.client.get(path, headers=room.users["outsider"].headers).status_code == 404
    # The inviter, who typed the address, sees on its invitation that the mail died.
    listed = api.client.get(f"/api/v1/cases/{room.id}/invitations",
                            headers=room.users["plaintiff_counsel"].headers).json()
    assert {i["id"]: i["mail"] for i in listed} == {dead: "dead"}
    mine = api.client.get(f"/api/v1/cases/{room.id}/invitations",
                          headers=room.admin.headers).json()
    assert {i["id"]: i["mail"] for i in mine}[delivered] == "sent"
    assert REFUSED not in str([e.details for e in audit_events(app)])
