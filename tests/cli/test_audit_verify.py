"""``settleroom audit verify`` against a tampered database: each attack is caught and the
first bad entry is named."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from app import cli
from app.audit import verify
from app.audit.verify import build_levels, verify_log
from app.models.audit import AuditEvent
from crypto import merkle
from tests.conftest import make_settings


@pytest.fixture(params=[verify.BATCH, 4], ids=["one-batch", "batches-of-4"])
def logged(request, api, app, monkeypatch):
    """A room's worth of events with a signed head covering all of them; verified in one
    batch, and in batches of four so that the damage lies in a later batch while the next
    ones are being read ahead."""
    monkeypatch.setattr(verify, "BATCH", request.param)
    room = api.room()
    assert api.client.get("/api/v1/audit/tree-head", headers=room.admin.headers).status_code == 200
    return app


def raw(app, statements, params=None):
    """Run statements with the append-only triggers out of the way (an attacker with DB
    superuser rights)."""
    engine = app.state.engine
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            for t in ("audit_events", "audit_subtrees"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {t}_no_update"))
                conn.execute(text(f"DROP TRIGGER IF EXISTS {t}_no_delete"))
        for statement in statements:
            conn.execute(text(statement), params or {})


def report(app):
    with app.state.sessionmaker() as session:
        return verify_log(session)


def entry_of(app, index):
    with app.state.sessionmaker() as s:
        return s.execute(select(AuditEvent.entry).where(AuditEvent.leaf_index == index)
                         ).scalar_one()


def size(app):
    with app.state.sessionmaker() as s:
        return s.execute(text("SELECT tree_size FROM audit_log_state")).scalar_one()


def test_a_clean_log_verifies(logged, app, monkeypatch, capsys):
    r = report(app)
    assert r.ok and r.events == size(app) and r.heads >= 1
    monkeypatch.setattr(cli, "get_settings", lambda: make_settings(
        app.state.settings.data_dir, app.state.settings.database_url))
    assert cli.main(["audit", "verify"]) == 0
    assert "ok:" in capsys.readouterr().out


def test_an_edited_row_is_named(logged, app, monkeypatch, capsys):
    fields = json.loads(entry_of(app, 7))
    fields["action"] = "member.remove"
    canonical = json.dumps(fields, separators=(",", ":"), sort_keys=True).encode()
    raw(app, ["UPDATE audit_events SET entry = :e WHERE leaf_index = 7"], {"e": canonical})
    r = report(app)
    assert not r.ok and r.first_bad_leaf == 7
    monkeypatch.setattr(cli, "get_settings", lambda: make_settings(
        app.state.settings.data_dir, app.state.settings.database_url))
    assert cli.main(["audit", "verify"]) == 1
    assert "first bad entry: leaf 7" in capsys.readouterr().err


def test_an_edited_column_is_named_by_the_deep_check(logged, app):
    raw(app, ["UPDATE audit_events SET action = 'case.read' WHERE leaf_index = 5"])
    assert report(app).ok  # the signed log itself is intact
    with app.state.sessionmaker() as session:
        assert verify_log(session, deep=True).first_bad_leaf == 5


def test_a_deleted_row_is_named(logged, app):
    raw(app, ["DELETE FROM audit_events WHERE leaf_index = 11"])
    r = report(app)
    assert not r.ok and r.first_bad_leaf == 11


def test_two_swapped_rows_are_named(logged, app):
    a, b = entry_of(app, 12), entry_of(app, 13)
    raw(app, ["UPDATE audit_events SET entry = :e, leaf_hash = :h WHERE leaf_index = 12",
              ], {"e": b, "h": merkle.leaf_hash(b)})
    raw(app, ["UPDATE audit_events SET entry = :e, leaf_hash = :h WHERE leaf_index = 13",
              ], {"e": a, "h": merkle.leaf_hash(a)})
    r = report(app)
    assert not r.ok and r.first_bad_leaf == 12


def test_a_truncated_tail_is_named_even_with_the_counter_rewound(logged, app):
    n = size(app)
    raw(app, [f"DELETE FROM audit_events WHERE leaf_index >= {n - 3}",
              f"UPDATE audit_log_state SET tree_size = {n - 3}"])
    r = report(app)
    assert not r.ok and r.first_bad_leaf == n - 3


def test_a_rewritten_history_with_recomputed_hashes_is_caught_by_a_signed_head(logged, app):
    n = size(app)
    fields = json.loads(entry_of(app, 9))
    fields["outcome"] = "denied"
    forged = json.dumps(fields, separators=(",", ":"), sort_keys=True).encode()
    with app.state.sessionmaker() as s:
        leaves = [bytes(h) for h in s.execute(
            select(AuditEvent.leaf_hash).order_by(AuditEvent.leaf_index)).scalars()]
    leaves[9] = merkle.leaf_hash(forged)
    levels = build_levels(leaves)
    statements = ["UPDATE audit_events SET entry = :e, leaf_hash = :h, outcome = 'denied' "
                  "WHERE leaf_index = 9", "DELETE FROM audit_subtrees"]
    params = {"e": forged, "h": leaves[9]}
    raw(app, statements, params)
    rows = [(start << k, (start + 1) << k, h) for k, level in enumerate(levels)
            for start, h in enumerate(level)]
    with app.state.engine.begin() as conn:
        for s_, e_, h_ in rows:
            conn.execute(text('INSERT INTO audit_subtrees (start, "end", hash) '
                              "VALUES (:s, :e, :h)"), {"s": s_, "e": e_, "h": h_})
    r = report(app)
    assert not r.ok
    assert r.first_bad_leaf is not None and r.first_bad_leaf <= 9
    assert any("was rewritten" in p for p in r.problems)
    assert n == size(app)


def test_a_damaged_subtree_row_is_found_with_the_subtree_check(logged, app):
    raw(app, ["UPDATE audit_subtrees SET hash = :h WHERE start = 4 AND \"end\" = 8"],
              {"h": b"\x01" * 32})
    assert report(app).ok  # entries and signed heads are intact
    with app.state.sessionmaker() as session:
        deep = verify_log(session, deep=True)
    assert not deep.ok and deep.first_bad_leaf == 4


def test_progress_is_reported_for_every_entry(logged, app):
    steps = []
    with app.state.sessionmaker() as session:
        r = verify_log(session, progress=steps.append)
    assert r.ok and sum(steps) == r.events == size(app)
    assert len(steps) >= r.events // verify.BATCH  # one step per batch, not one at the end
