"""Page views append no audit event for chrome (the home page, tabs listing things without
content, navigation) and exactly one for a page that shows content, naming ids only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models.audit import AuditEvent
from tests.web.helpers import sign_in_as


@pytest.fixture(scope="module")
def seeded(web_api, room):  # noqa: ANN001, ANN201
    web_api.offer(room, expires_at="2031-01-01T00:00:00Z")
    web_api.rule68_offer(room)
    web_api.document(room, b"An exhibit for the page audit test.\n")
    ene = web_api.ene_session(room)
    r = web_api.client.post(f"/api/v1/cases/{room.id}/ene-sessions/{ene['id']}/messages",
                            headers=room.users["plaintiff_counsel"].headers,
                            json={"channel": "joint", "body": "Opening remarks"})
    assert r.status_code == 201, r.text
    return ene["id"]


def _events(app) -> list[AuditEvent]:  # noqa: ANN001
    with app.state.sessionmaker() as s:
        return list(s.execute(select(AuditEvent).order_by(AuditEvent.leaf_index)).scalars())


def _view(app, client, path: str) -> list[AuditEvent]:  # noqa: ANN001
    before = len(_events(app))
    r = client.get(path)
    assert r.status_code == 200, (path, r.status_code)
    return _events(app)[before:]


@pytest.mark.parametrize(("who", "tab", "expected"), [
    ("plaintiff_counsel", "", []),
    ("plaintiff_counsel", "/parties", []),
    ("plaintiff_counsel", "/members", []),
    ("plaintiff_counsel", "/ene", []),
    ("plaintiff_counsel", "/offers", ["offer.list"]),
    ("plaintiff_counsel", "/rule68", ["rule68.list"]),
    ("plaintiff_counsel", "/documents", ["document.list"]),
    ("plaintiff_counsel", "/ene/{sid}", ["ene.content.read"]),
    ("auditor", "/ene/{sid}", []),  # not a participant: the report only
    ("room_admin", "/documents", []),  # channel settings, no document content
])
def test_one_event_per_content_page_none_for_chrome(web_app, client, room, seeded, who, tab,
                                                     expected):
    sign_in_as(client, room.users[who])
    new = _view(web_app, client, f"/cases/{room.id}{tab.format(sid=seeded)}")
    assert [e.action for e in new] == expected
    for event in new:
        assert event.details["count"] >= 1
        assert "Opening remarks" not in str(event.details)


def test_the_home_page_records_nothing(web_app, client, room, seeded):
    sign_in_as(client, room.users["plaintiff_counsel"])
    assert _view(web_app, client, "/") == []
