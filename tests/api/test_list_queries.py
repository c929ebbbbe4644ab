"""List reads cost a fixed number of SQL statements whatever the number of items (no query
per offer, offeree or document), and record one audit event per request naming the ids of
the items whose content they show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.models.audit import AuditEvent
from app.models.users import User
from app.rule68 import reads as rule68_reads
from tests import dbutil
from tests.factories import Api, Room
from tests.sqlcount import statements
from tests.testclient import TestClient
from tests.web.helpers import sign_in_as


def _count(app, client: TestClient, path: str, **kw) -> int:  # noqa: ANN001, ANN003
    with statements(app.state.engine) as seen:
        r = client.get(path, **kw)
    assert r.status_code == 200, r.text
    return len(seen)


def _events(app, action: str | None) -> list[AuditEvent]:  # noqa: ANN001
    stmt = select(AuditEvent).order_by(AuditEvent.leaf_index)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    with app.state.sessionmaker() as s:
        return list(s.execute(stmt).scalars())


@pytest.fixture
def room(api: Api) -> Room:
    room = api.room()
    api.consent_all(room)
    return room


def _rule68(api: Api, room: Room, days_ago: int) -> dict:
    """Served by mail ``days_ago`` hours ago (service outside the room may be dated back a
    month at most); several offers to one offeree may be open at once (68(b))."""
    served = (datetime.now(UTC) - timedelta(hours=days_ago)).isoformat()
    return api.rule68_offer(room, service_method="mail", served_at=served)


def test_offer_list_statements_do_not_grow_with_the_offers(api, app, room):
    reader = room.users["defense_counsel"]
    path = f"/api/v1/cases/{room.id}/offers"
    api.offer(room)
    one = _count(app, api.client, path, headers=reader.headers)
    ids = [api.offer(room, by="pro_se", from_party="defendant2", to_party="plaintiff")["id"]
           for _ in range(4)]
    ids += [api.offer(room)["id"] for _ in range(5)]
    many = _count(app, api.client, path, headers=reader.headers)
    assert many == one
    event = _events(app, "offer.list")[-1]
    shown = [o["id"] for o in api.client.get(path, headers=reader.headers).json()]
    assert event.details["count"] == len(shown) == 6  # not the co-defendant's offers
    assert event.details["offer_ids"] == shown and not set(ids[:4]) & set(shown)


def test_rule68_list_statements_do_not_grow_with_the_offers(api, app, room):
    reader = room.users["plaintiff_counsel"]
    path = f"/api/v1/cases/{room.id}/rule68-offers"
    _rule68(api, room, 60)
    one = _count(app, api.client, path, headers=reader.headers)
    for days in range(59, 50, -1):
        _rule68(api, room, days)
    many = _count(app, api.client, path, headers=reader.headers)
    assert many == one
    event = _events(app, "rule68.list")[-1]
    assert event.details["count"] == 10 and len(event.details["offer_ids"]) == 10


@pytest.mark.skipif(bool(dbutil.pg_server_url()), reason="SQLite's deferred-write conflict")
def test_a_list_run_again_after_a_stale_snapshot_counts_as_one_attempt(api, app, room,
                                                                      monkeypatch):
    """A read whose audit write meets a writer's commit is run again (``RequestUnit``);
    the count is of the attempt that committed, so list tests do not depend on timing."""
    reader = room.users["plaintiff_counsel"]
    path = f"/api/v1/cases/{room.id}/rule68-offers"
    _rule68(api, room, 60)
    one = _count(app, api.client, path, headers=reader.headers)
    real, calls = rule68_reads.repo.offerees_of, []

    def meanwhile(session, ids):  # noqa: ANN001, ANN202
        calls.append(1)
        if len(calls) == 1:  # another writer commits after this attempt's first read
            with app.state.sessionmaker() as other, other.begin():
                other.add(User(email="meanwhile@example.com", name="Meanwhile",
                               password_hash="x"))
        return real(session, ids)

    monkeypatch.setattr(rule68_reads.repo, "offerees_of", meanwhile)
    assert _count(app, api.client, path, headers=reader.headers) == one
    assert len(calls) == 2


def test_document_list_statements_do_not_grow_with_the_documents(api, app, room):
    reader = room.users["defense_counsel"]
    path = f"/api/v1/cases/{room.id}/documents"
    session = api.ene_session(room)
    api.document(room, b"First exhibit.\n")
    one = _count(app, api.client, path, headers=reader.headers)
    for i in range(4):
        api.document(room, f"Exhibit {i}.\n".encode())
        api.document(room, f"ENE brief {i}.\n".encode(), designation="ENE",
                     ene_session_id=session["id"])
    many = _count(app, api.client, path, headers=reader.headers)
    assert many == one
    event = _events(app, "document.list")[-1]
    assert event.details["count"] == 9 and len(event.details["document_ids"]) == 9


@pytest.mark.parametrize("tab", ["offers", "rule68"])
def test_offer_pages_statements_do_not_grow_and_record_one_event(api, app, client, room, tab):
    sign_in_as(client, room.users["plaintiff_counsel"])
    path = f"/cases/{room.id}/{tab}"
    days = iter(range(90, 0, -1))

    def add() -> None:
        if tab == "offers":
            api.offer(room)
        else:
            _rule68(api, room, next(days))

    add()
    before = len(_events(app, None))
    one = _count(app, client, path)
    assert len(_events(app, None)) - before == 1  # the one content read of the page
    for _ in range(6):
        add()
    assert _count(app, client, path) == one
