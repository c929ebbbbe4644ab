"""ENE content never leaves its seal: not in audit events (every read and write is one,
ids only), not in the database in clear, and a sealed blob moved to another row fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.models.audit import AuditEvent
from tests import dbutil
from tests.api.ene.conftest import ROLES, Ene

SEALED_TABLES = ("ene_messages", "ene_statements", "ene_evaluations")


def _exercise(seeded: Ene) -> None:
    """Every kind of ENE read and write, by every role, allowed or refused."""
    seeded.post("plaintiff_counsel", f"/messages/{seeded.messages['plaintiff']}/release",
                {"to_party_id": seeded.party("defendant")})
    seeded.post("pro_se", f"/statements/{seeded.statements['defendant2']}/release",
                {"to_party_id": seeded.party("plaintiff")})
    seeded.post("neutral", "/evaluation/share", {"party_ids": [seeded.party("defendant")]})
    seeded.post("defense_counsel", "/attendance")
    for role in ROLES:
        for path in ("/messages", "/statements", "/evaluation", "/releases", "/report", ""):
            seeded.get(role, path)
        seeded.get(role, f"/messages/{seeded.messages['defendant']}")
        seeded.get(role, f"/statements/{seeded.statements['plaintiff']}")
    seeded.post("neutral", "/close", {"outcome": "settled"})


def test_every_read_and_write_is_an_audit_event_without_content(seeded: Ene, app):
    _exercise(seeded)
    with app.state.sessionmaker() as s:
        events = list(s.execute(select(AuditEvent).order_by(AuditEvent.leaf_index)).scalars())
    actions = {(e.action, e.outcome) for e in events}
    for action in ("ene.session.create", "ene.message.post", "ene.message.read",
                   "ene.statement.submit", "ene.statement.read", "ene.evaluation.write",
                   "ene.evaluation.share", "ene.evaluation.read", "ene.release",
                   "ene.release.read", "ene.attendance.check_in", "ene.session.close",
                   "ene.report.read", "ene.session.read"):
        assert (action, "ok") in actions, action
    for action in ("ene.message.read", "ene.statement.read", "ene.evaluation.read"):
        assert (action, "denied") in actions, action  # the 404s of invisible content
    denied = [e for e in events if e.outcome == "denied" and e.action.startswith("ene.")]
    assert {e.details["reason"] for e in denied} >= {"not_visible"}
    assert seeded.markers
    for e in events:
        blob = e.entry + str(e.details).encode()
        leaked = [m for m in seeded.markers if m.encode() in blob]
        assert not leaked, (e.action, leaked)
        assert b"SECRET" not in blob


@pytest.mark.skipif(dbutil.pg_server_url() is not None, reason="scans the SQLite file")
def test_bodies_are_not_in_the_sqlite_file_in_clear(seeded: Ene, app):
    _exercise(seeded)
    db = Path(app.state.engine.url.database)
    raw = b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal")) if p.exists())
    assert b"Jane Doe" in raw  # the scan does see clear text where there is some
    assert [m for m in seeded.markers if m.encode() in raw] == []
    assert b"SECRET" not in raw


def test_sealed_columns_hold_no_clear_text(seeded: Ene, app):
    with app.state.engine.connect() as conn:
        for table in SEALED_TABLES:
            blobs = conn.execute(text(f"SELECT body_sealed FROM {table}")).scalars().all()
            assert blobs, table
            for blob in blobs:
                assert b"SECRET" not in bytes(blob), table


def test_a_blob_moved_to_another_row_fails_to_open(seeded: Ene, app):
    joint, caucus = seeded.messages["joint"], seeded.messages["plaintiff"]
    with app.state.engine.begin() as conn:
        conn.execute(text("UPDATE ene_messages SET body_sealed = "
                          "(SELECT body_sealed FROM ene_messages WHERE id = :src) "
                          "WHERE id = :dst"),
                     {"src": _db_id(app, caucus), "dst": _db_id(app, joint)})
    r = seeded.get("defense_counsel", f"/messages/{joint}")
    assert r.status_code == 500 and r.json()["code"] == "integrity_failure"
    assert "SECRET" not in r.text


def _db_id(app, value: str):
    """UUIDs are stored as 32 hex characters on SQLite and as uuid on PostgreSQL."""
    return value.replace("-", "") if app.state.engine.dialect.name == "sqlite" else value
