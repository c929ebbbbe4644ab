"""The request unit: one worker-thread hop per request, checks before 422s and bodies, and
reads that neither wait for nor block a writer (SQLite's write lock only for writes)."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid

import anyio.to_thread
import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import insert, make_url, select, update

from app.db import RequestUnit
from app.deps import UnitRoute, get_session
from app.documents.tracing import service as trace_service
from app.models.audit import AuditEvent
from app.models.users import User
from tests import aio, dbutil
from tests.routes import api_routes

READERS = 32


def _uses_session(route: APIRoute) -> bool:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if dep.call is get_session:
            return True
        stack.extend(dep.dependencies)
    return False


def test_every_api_route_with_a_session_is_a_unit_route(app):
    routes = [r for r in api_routes(app.router.routes)
              if _uses_session(r) and not r.endpoint.__module__.startswith("app.web")]
    assert len(routes) > 60
    assert [r.path for r in routes if not isinstance(r, UnitRoute)] == []


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the functions the app hands to the thread pool."""
    seen: list[str] = []
    real = anyio.to_thread.run_sync

    async def counting(func, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen.append(getattr(func, "__name__", type(func).__name__))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    return seen


def test_an_authenticated_read_is_one_hop(api, app, hops):
    """At most one: ``GET /me`` of an account the cache does not hold reads its row in one
    hop (a cached one takes none: ``tests/api/auth/test_account_cache.py``)."""
    owner = api.user("owner")
    case_id = api.case(owner)
    app.state.accounts.clear()
    hops.clear()
    assert api.client.get("/api/v1/me", headers=owner.headers).status_code == 200
    assert len(hops) == 1
    hops.clear()
    assert api.client.get(f"/api/v1/cases/{case_id}", headers=owner.headers).status_code == 200
    assert len(hops) == 1
    hops.clear()
    r = api.client.patch(f"/api/v1/cases/{case_id}", headers=owner.headers,
                         json={"caption": "Doe v. Roe"})
    assert r.status_code == 200 and len(hops) == 1


def test_a_refused_guard_is_one_hop_and_still_audited(api, app, hops):
    owner, stranger = api.user("owner"), api.user("stranger")
    case_id = api.case(owner)
    hops.clear()
    r = api.client.get(f"/api/v1/cases/{case_id}", headers=stranger.headers)
    assert r.status_code == 404 and r.json()["code"] == "case_not_found"
    assert len(hops) == 1
    app.state.sequencer.sequence_pending()
    with app.state.sessionmaker() as s:
        actions = s.execute(select(AuditEvent.action, AuditEvent.actor_user_id)
                            .where(AuditEvent.object_id == case_id,
                                   AuditEvent.outcome == "denied")).all()
    assert ("case.read", uuid.UUID(stranger.id)) in {(a, u) for a, u in actions}


def test_authentication_and_the_guard_answer_before_a_malformed_body(api):
    owner, stranger = api.user("owner"), api.user("stranger")
    case_id = api.case(owner)
    bad = {"name": "", "side": "nobody"}
    r = api.client.post(f"/api/v1/cases/{case_id}/parties", json=bad)
    assert r.status_code == 401
    r = api.client.post(f"/api/v1/cases/{case_id}/parties", json=bad, headers=stranger.headers)
    assert r.status_code == 404 and r.json()["code"] == "case_not_found"
    r = api.client.post(f"/api/v1/cases/{case_id}/parties", json=bad, headers=owner.headers)
    assert r.status_code == 422


def test_a_revoked_token_is_refused_before_a_malformed_body(api):
    user = api.user("leaver")
    assert api.client.post("/api/v1/auth/logout", headers=user.headers).status_code == 204
    r = api.client.post("/api/v1/me/password", headers=user.headers, json={})
    assert r.status_code == 401


async def _burst(app, headers: dict[str, str], n: int, timeout: float) -> list[int]:  # noqa: ANN001
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        calls = [client.get("/api/v1/me", headers=headers) for _ in range(n)]
        answers = await asyncio.wait_for(asyncio.gather(*calls), timeout)
    return [a.status_code for a in answers]


def test_readers_complete_while_a_writer_holds_the_write_lock(api, app):
    """With every transaction beginning IMMEDIATE, these reads waited for the writer."""
    user = api.user("reader")
    writer = app.state.sessionmaker()
    try:
        # A long write transaction: on SQLite it holds the database's write lock, on
        # PostgreSQL the lock of the very row the readers read.
        writer.execute(update(User).where(User.id == uuid.UUID(user.id)).values(name="Busy"))
        writer.flush()
        statuses = aio.run(_burst(app, user.headers, READERS, timeout=20))
    finally:
        writer.rollback()
        writer.close()
    assert statuses == [200] * READERS


@pytest.mark.skipif(bool(dbutil.pg_server_url()), reason="SQLite's deferred-write conflict")
def test_a_read_whose_write_meets_a_stale_snapshot_runs_again_with_the_write_lock(app):
    factory = app.state.sessionmaker
    unit = RequestUnit(factory, read_only=True)
    attempts: list[int] = []

    def new_user(name: str) -> dict[str, object]:
        return {"id": uuid.uuid4(), "email": f"{uuid.uuid4().hex}@example.com", "name": name,
                "password_hash": "x", "is_platform_admin": False}

    def work() -> int:
        attempts.append(1)
        session = unit.session
        seen = session.execute(select(User.id).limit(1)).all()  # the snapshot starts here
        if len(attempts) == 1:
            with factory() as other, other.begin():  # another writer commits meanwhile
                other.execute(insert(User).values(new_user("Meanwhile")))
        session.execute(insert(User).values(new_user("Late")))
        return len(seen)

    unit.run(work)
    assert len(attempts) == 2
    assert unit.read_only is False and unit.finished
    with factory() as s:
        assert s.scalar(select(User.id).where(User.name == "Late")) is not None


@pytest.mark.skipif(bool(dbutil.pg_server_url()), reason="SQLite's database write lock")
def test_a_trace_parses_its_evidence_without_holding_the_write_lock(api, app, monkeypatch):
    path = make_url(app.state.settings.resolved_database_url).database
    real = trace_service.to_evidence
    lock_free: list[bool] = []

    def probing(raw):  # noqa: ANN001, ANN202
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            lock_free.append(True)
        except sqlite3.OperationalError:
            lock_free.append(False)
        finally:
            probe.close()
        return real(raw)

    monkeypatch.setattr(trace_service, "to_evidence", probing)
    tracer = api.user("tracer")
    r = api.client.post("/api/v1/traces", headers=tracer.headers, json={"text": "a leaked page"})
    assert r.status_code == 200, r.text
    assert lock_free == [True]
