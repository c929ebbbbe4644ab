"""The audit sequencer: actions write unsequenced events without a shared lock; one
sequencer at a time gives committed events gapless leaf indices and signs heads.

Concurrency tests need PostgreSQL (SQLite runs one writer at a time by design)."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.audit import sequencer
from app.audit.log import LogSigner, latest_head
from app.audit.repository import count_pending
from app.audit.service import record
from app.audit.verify import verify_log
from app.authz.permissions import Permission
from app.cases import repository as cases_repository
from app.cases import service as cases_service
from app.cases.schemas import PartyCreate
from app.context import Principal
from app.db import make_engine, make_sessionmaker, transaction
from app.deps import load_case_context
from app.models.audit import AuditEvent, AuditPending
from crypto import signing
from tests import dbutil

needs_pg = pytest.mark.skipif(not dbutil.pg_server_url(), reason="needs PostgreSQL")

WRITERS = 32
ACTIONS_EACH = 5


def _count(factory, model) -> int:  # noqa: ANN001
    with factory() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def _wait_until(check, seconds: float) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


@pytest.fixture
def owner(api):
    """A room admin, the case and the admin's principal for service-layer calls."""
    user = api.user("room-admin")
    case_id = uuid.UUID(api.case(user))
    principal = Principal(user_id=uuid.UUID(user.id), email=user.email, name="Room Admin",
                          is_platform_admin=False)
    return principal, case_id


def _add_party(factory, principal: Principal, case_id: uuid.UUID, name: str) -> uuid.UUID:  # noqa: ANN001
    """One request's worth of work through the service layer: guard, action, commit."""
    with transaction(factory) as session:
        ctx = load_case_context(session, principal, case_id, Permission.CASE_MANAGE)
        party = cases_service.add_party(session, ctx, data=PartyCreate(
            name=name, side="plaintiff", represented=True))
    return party.id


@needs_pg
def test_concurrent_writers_get_every_event_gapless_and_covered_by_a_head(app, owner):
    principal, case_id = owner
    app.state.sequencer.stop()  # the background sequencer of production, not on_commit
    engine = make_engine(app.state.settings.resolved_database_url, pool_size=WRITERS + 4)
    factory = make_sessionmaker(engine)
    signer = LogSigner(app.state.services.audit_key, app.state.settings.log_origin, 1)
    seq = sequencer.Sequencer(factory, signer)
    seq.start()
    try:
        barrier = threading.Barrier(WRITERS)

        def writer(w: int) -> list[uuid.UUID]:
            barrier.wait()
            return [_add_party(factory, principal, case_id, f"P{w}-{i}")
                    for i in range(ACTIONS_EACH)]

        with ThreadPoolExecutor(WRITERS) as pool:
            parties = [p for ids in pool.map(writer, range(WRITERS)) for p in ids]
        assert _wait_until(lambda: _count(factory, AuditPending) == 0, 5)
        with factory() as s:
            n = s.execute(text("SELECT tree_size FROM audit_log_state")).scalar_one()
        # every event is covered by a signed head within the (here one-second) interval
        assert _wait_until(lambda: _head_size(factory) == n, 3)
    finally:
        seq.stop()
    assert len(parties) == WRITERS * ACTIONS_EACH
    with factory() as s:
        indices = s.execute(select(AuditEvent.leaf_index).order_by(AuditEvent.leaf_index)
                            ).scalars().all()
        logged = set(s.execute(select(AuditEvent.object_id).where(
            AuditEvent.action == "party.create", AuditEvent.case_id == case_id)).scalars())
        report = verify_log(s)
    assert indices == list(range(n))  # gapless from zero
    with factory() as s:
        numbers = s.execute(select(AuditEvent.case_seq).where(AuditEvent.case_id == case_id)
                            .order_by(AuditEvent.leaf_index)).scalars().all()
    assert numbers == list(range(1, len(numbers) + 1))  # and gapless within the case
    assert {str(p) for p in parties} <= logged  # every action has its event
    assert report.ok, report.problems
    assert seq.stats.errors == 0
    # How promptly committed events reach the log is a figure of bench/bench_audited_writes.py
    # (a timing bound here failed only when other work loaded the machine); the waits above
    # bound it loosely: every event sequenced and covered by a signed head.
    engine.dispose()


def _head_size(factory) -> int | None:  # noqa: ANN001
    with factory() as s:
        head = latest_head(s)
        return None if head is None else head.tree_size


def test_a_rolled_back_action_leaves_no_event(app, owner):
    principal, case_id = owner
    factory = app.state.sessionmaker
    app.state.sequencer.sequence_pending()
    before = (_count(factory, AuditEvent), _count(factory, AuditPending))
    with pytest.raises(RuntimeError):
        with transaction(factory) as session:
            ctx = load_case_context(session, principal, case_id, Permission.CASE_MANAGE)
            cases_service.add_party(session, ctx, data=PartyCreate(
                name="Rolled Back", side="plaintiff", represented=True))
            assert count_pending(session) == before[1] + 1  # written, not yet committed
            raise RuntimeError("the request fails after the action")
    app.state.sequencer.sequence_pending()
    assert (_count(factory, AuditEvent), _count(factory, AuditPending)) == before


@needs_pg
@pytest.mark.parametrize("failing", ["event", "row"])
def test_a_held_insert_that_fails_aborts_the_commit(app, owner, failing):
    """An action's row and its event are held until the commit and sent as one statement
    (``app.db.pg_execute_later``): if either fails, neither commits, nor does the rest."""
    principal, case_id = owner
    factory = app.state.sessionmaker
    taken = _add_party(factory, principal, case_id, "Taken")
    app.state.sequencer.sequence_pending()
    before = (_count(factory, AuditEvent), _count(factory, AuditPending))
    party_id = uuid.uuid4()
    with pytest.raises(DBAPIError):
        with transaction(factory) as session:
            ctx = load_case_context(session, principal, case_id, Permission.CASE_MANAGE)
            session.execute(text("INSERT INTO parties (id, case_id, name, side, represented, "
                                 "created_at) VALUES (:id, :case_id, 'Aborted', 'plaintiff', "
                                 "true, now())"), {"id": party_id, "case_id": case_id})
            cases_repository.insert_party(session, {
                "id": taken if failing == "row" else uuid.uuid4(), "case_id": case_id,
                "name": "Held", "side": "plaintiff", "represented": True})
            object_type = "p" * 41 if failing == "event" else "party"  # 41: too long
            record(session, ctx, "party.create", object_type, party_id)
    with factory() as s:
        assert s.execute(text("SELECT count(*) FROM parties WHERE case_id = :id AND name "
                              "<> 'Taken'"), {"id": case_id}).scalar_one() == 0
    app.state.sequencer.sequence_pending()
    assert (_count(factory, AuditEvent), _count(factory, AuditPending)) == before
    _add_party(factory, principal, case_id, "After")  # the pool's connections still work


@needs_pg
def test_an_audited_action_sends_its_row_and_event_as_one_statement(app, owner, monkeypatch):
    principal, case_id = owner
    sent: list[str] = []
    execute = psycopg.Connection.execute

    def spy(self, query, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        sent.append(str(query))
        return execute(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "execute", spy)
    _add_party(app.state.sessionmaker, principal, case_id, "One Statement")
    writes = [q for q in sent if "INSERT" in q]
    assert len(writes) == 1
    assert "INSERT INTO parties" in writes[0] and "INSERT INTO audit_pending" in writes[0]


@needs_pg
def test_an_event_held_for_the_commit_goes_with_the_rollback(app, owner):
    """On one connection, a rolled-back transaction's event never reaches the next one."""
    principal, case_id = owner
    factory = app.state.sessionmaker
    app.state.sequencer.sequence_pending()
    before = (_count(factory, AuditEvent), _count(factory, AuditPending))
    with app.state.engine.connect() as conn, Session(bind=conn) as session:
        ctx = load_case_context(session, principal, case_id, Permission.CASE_MANAGE)
        record(session, ctx, "party.create", "party", uuid.uuid4())
        session.rollback()
        load_case_context(session, principal, case_id, Permission.CASE_MANAGE)
        session.commit()
    app.state.sequencer.sequence_pending()
    assert (_count(factory, AuditEvent), _count(factory, AuditPending)) == before


@needs_pg
def test_a_statement_after_an_event_sees_it(app, owner):
    """Held INSERTs are sent before the transaction's next statement, however it runs."""
    principal, case_id = owner
    factory = app.state.sessionmaker
    app.state.sequencer.sequence_pending()
    pending = _count(factory, AuditPending)
    with transaction(factory) as session:
        ctx = load_case_context(session, principal, case_id, Permission.CASE_MANAGE)
        record(session, ctx, "party.create", "party", uuid.uuid4())
        assert count_pending(session) == pending + 1  # through SQLAlchemy
        record(session, ctx, "party.create", "party", uuid.uuid4())
        load_case_context(session, principal, case_id, Permission.CASE_MANAGE)  # driver
        assert count_pending(session) == pending + 2
        record(session, ctx, "party.create", "party", uuid.uuid4())
        with session.begin_nested():  # SAVEPOINT sends it; inside, events run at once
            record(session, ctx, "party.create", "party", uuid.uuid4())
            assert count_pending(session) == pending + 4
        done = sequencer.sequence_in(session, app.state.sequencer.signer)  # driver pipeline
        assert done is not None and done.count == 4
        record(session, ctx, "party.create", "party", uuid.uuid4())
    app.state.sequencer.sequence_pending()
    with factory() as s:
        assert count_pending(s) == 0
        assert verify_log(s).ok


def test_committed_events_wait_pending_until_a_sequencer_runs(app, owner):
    """A crash between commit and sequencing: the events are pending, never lost."""
    principal, case_id = owner
    factory = app.state.sessionmaker
    app.state.sequencer.stop()  # no sequencer: as if the process died after the commit
    signer = app.state.services.log_signer
    sequence_pending = sequencer.sequence_pending
    sequence_pending(factory, signer)
    size = _count(factory, AuditEvent)
    ids = [_add_party(factory, principal, case_id, f"P{i}") for i in range(3)]
    assert _count(factory, AuditPending) == 3 and _count(factory, AuditEvent) == size
    assert sequence_pending(factory, signer) == 3  # a restarted sequencer catches up
    with factory() as s:
        rows = s.execute(select(AuditEvent.leaf_index, AuditEvent.object_id).where(
            AuditEvent.leaf_index >= size).order_by(AuditEvent.leaf_index)).all()
    assert [r.object_id for r in rows] == [str(i) for i in ids]  # commit order kept
    assert [r.leaf_index for r in rows] == [size, size + 1, size + 2]


def test_the_database_refuses_to_edit_or_drop_a_pending_event(app):
    factory = app.state.sessionmaker
    app.state.sequencer.stop()
    with transaction(factory) as session:
        record(session, None, "test.pending", "case", uuid.uuid4())
    for statement in ("UPDATE audit_pending SET action = 'x'", "DELETE FROM audit_pending"):
        with pytest.raises(DBAPIError):
            with app.state.engine.begin() as conn:
                conn.execute(text(statement))
    assert _count(factory, AuditPending) == 1
    sequencer.sequence_pending(factory, app.state.services.log_signer)
    assert _count(factory, AuditPending) == 0  # deleted once its leaf exists


@needs_pg
def test_a_second_sequencer_cannot_run_while_one_holds_the_lock(app, owner):
    principal, case_id = owner
    factory = app.state.sessionmaker
    signer = app.state.services.log_signer
    app.state.sequencer.stop()
    for i in range(4):
        _add_party(factory, principal, case_id, f"P{i}")
    first = factory()
    first.begin()
    done = sequencer.sequence_in(first, signer)
    assert done is not None and done.count == 4  # holds the lock until it commits
    with factory() as second, second.begin():
        assert sequencer.sequence_in(second, signer, wait=False) is None
    waited: list[int] = []
    third = threading.Thread(target=lambda: waited.append(
        sequencer.sequence_pending(factory, signer)))
    third.start()
    third.join(0.5)
    assert third.is_alive() and not waited  # a waiting sequencer does nothing meanwhile
    first.commit()
    first.close()
    third.join(10)
    assert waited == [0]  # then it finds every event already sequenced, none twice
    with factory() as s:
        assert verify_log(s).ok


def test_a_new_signing_key_is_logged_before_its_first_head(app, owner):
    factory = app.state.sessionmaker
    app.state.sequencer.stop()
    rotated = LogSigner(signing.generate_private_key(), app.state.settings.log_origin, 60)
    with factory() as s, s.begin():
        head = sequencer.head_covering_all(s, rotated)
    with factory() as s:
        last = s.execute(select(AuditEvent).where(AuditEvent.leaf_index == head.tree_size - 1)
                         ).scalar_one()
        assert last.action == "audit.signing_key_added"
        assert last.object_id == signing.key_id(rotated.key)[:64]
        assert verify_log(s).ok


def _case_numbers(factory, case_id: uuid.UUID) -> list[tuple[int | None, int | None]]:  # noqa: ANN001
    """Each event's number as its column and as its hashed entry say, in leaf order."""
    import json

    with factory() as s:
        rows = s.execute(select(AuditEvent.case_seq, AuditEvent.entry)
                         .where(AuditEvent.case_id == case_id)
                         .order_by(AuditEvent.leaf_index)).all()
    return [(seq, json.loads(entry).get("case_seq")) for seq, entry in rows]


def test_each_case_numbers_its_events_without_gaps_across_batches(app, api, owner,
                                                                   monkeypatch):
    principal, case_id = owner
    other = uuid.UUID(api.case(api.user("other-admin")))
    factory = app.state.sessionmaker
    app.state.sequencer.stop()
    signer = app.state.services.log_signer
    sequencer.sequence_pending(factory, signer)
    monkeypatch.setattr(sequencer, "BATCH", 3)  # the cases' events span several batches
    for i in range(5):
        _add_party(factory, principal, case_id, f"P{i}")
        with transaction(factory) as session:
            record(session, None, "test.event", "case", other, case_id=other)
            record(session, None, "test.platform", "user", None)  # no case: no number
    assert sequencer.sequence_pending(factory, signer) == 15
    for case in (case_id, other):
        numbers = _case_numbers(factory, case)
        assert numbers == [(n, n) for n in range(1, len(numbers) + 1)]
    with factory() as s:
        assert s.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "test.platform", AuditEvent.case_seq.is_not(None))
                         ).scalar_one() == 0
        assert verify_log(s, deep=True).ok


def test_a_case_logged_before_the_counter_continues_from_its_event_count(app, owner):
    """Events logged before the counter have no number: the case's first numbered event is
    its count plus one, so numbers stay the events' ranks in the case."""
    principal, case_id = owner
    factory = app.state.sessionmaker
    app.state.sequencer.stop()
    signer = app.state.services.log_signer
    sequencer.sequence_pending(factory, signer)
    before = len(_case_numbers(factory, case_id))
    with app.state.engine.begin() as conn:  # as the migration leaves old rows
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
        conn.execute(text("UPDATE audit_events SET case_seq = NULL"))
    _add_party(factory, principal, case_id, "After the upgrade")
    sequencer.sequence_pending(factory, signer)
    assert _case_numbers(factory, case_id)[-1] == (before + 1, before + 1)
