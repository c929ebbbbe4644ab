"""An insider with database rights edits what the audit API and page show: every column of
an event row, the entry itself, the tree behind it. ``audit verify --deep`` names the
leaf, and the API never serves the edited value as authentic: it serves the hashed entry,
proven against the service's own signed head, or refuses with ``audit_log_damaged``."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select, text, update

from app import cli
from app.audit.verify import build_levels, verify_log
from app.models.audit import AuditEvent, TreeHead
from crypto import merkle, signing
from tests.conftest import make_settings


def superuser(app, *statements):
    """Run statements with the append-only triggers out of the way."""
    engine = app.state.engine
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            for t in ("audit_events", "audit_subtrees"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {t}_no_update"))
                conn.execute(text(f"DROP TRIGGER IF EXISTS {t}_no_delete"))
        for statement in statements:
            conn.execute(statement)


def listed(api, room, who="auditor"):
    return api.client.get(f"/api/v1/audit/events?case_id={room.id}&limit=200",
                          headers=room.users[who].headers)


@pytest.fixture
def room(api):
    room = api.room()
    # A head covers every event so far: the events listed are proven against it.
    assert api.client.get("/api/v1/audit/tree-head",
                          headers=room.admin.headers).status_code == 200
    return room


def a_leaf(api, room) -> dict:
    """An event with an actor, in the middle of the case."""
    events = listed(api, room).json()
    assert all(e["verified"] for e in events)
    with_actor = [e for e in events if e["actor_user_id"]]
    return with_actor[len(with_actor) // 2]


def deep_cli(app, monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.setattr(cli, "get_settings", lambda: make_settings(
        app.state.settings.data_dir, app.state.settings.database_url))
    code = cli.main(["audit", "verify", "--deep"])
    return code, capsys.readouterr().err


# Each column the API and the audit page show, and what an insider would write into it.
FORGED = {
    "timestamp": datetime(2020, 1, 1, tzinfo=UTC),
    "actor_user_id": uuid.UUID("00000000-0000-4000-8000-00000000beef"),
    "actor_party_id": uuid.UUID("00000000-0000-4000-8000-00000000cafe"),
    "action": "document.download",
    "outcome": "denied",
    "object_type": "document",
    "object_id": "forged-object",
    "details": {"reason": "rewritten_reason"},
    "case_seq": 999,
}


@pytest.mark.parametrize("column", sorted(FORGED))
def test_an_edited_column_fails_deep_verification_and_is_not_served(api, app, room, column,
                                                                    monkeypatch, capsys):
    original = a_leaf(api, room)
    leaf = original["leaf_index"]
    superuser(app, update(AuditEvent).where(AuditEvent.leaf_index == leaf)
              .values({column: FORGED[column]}))
    with app.state.sessionmaker() as s:  # the edit is in the database
        assert getattr(s.get(AuditEvent, leaf), column) != getattr(
            s.get(AuditEvent, leaf + 1), column) or column in ("case_seq", "details")
    with app.state.sessionmaker() as s:
        deep = verify_log(s, deep=True)
    assert not deep.ok and deep.first_bad_leaf == leaf
    assert any(column in p for p in deep.problems), deep.problems
    code, err = deep_cli(app, monkeypatch, capsys)
    assert code == 1 and f"first bad entry: leaf {leaf}" in err
    # The API serves what the hashed entry says, proven against the signed head.
    served = {e["leaf_index"]: e for e in listed(api, room).json()}[leaf]
    assert served == original


def test_an_event_moved_out_of_its_case_leaves_a_gap_in_the_case_numbers(api, app, room):
    original = a_leaf(api, room)
    superuser(app, update(AuditEvent).where(AuditEvent.leaf_index == original["leaf_index"])
              .values(case_id=uuid.uuid4()))
    with app.state.sessionmaker() as s:
        deep = verify_log(s, deep=True)
    assert not deep.ok and deep.first_bad_leaf == original["leaf_index"]
    numbers = [e["case_seq"] for e in listed(api, room).json()]
    assert original["case_seq"] not in numbers
    assert numbers != list(range(1, len(numbers) + 1))  # the gap shows


def test_an_event_moved_into_another_case_is_refused(api, app, room):
    other = api.room()
    foreign = listed(api, other).json()[0]["leaf_index"]
    superuser(app, update(AuditEvent).where(AuditEvent.leaf_index == foreign)
              .values(case_id=uuid.UUID(room.id), case_seq=None))
    r = listed(api, room)
    assert r.status_code == 409 and r.json()["code"] == "audit_log_damaged"
    assert r.json()["leaf_index"] == foreign


def _forge(app, leaf: int, **changes) -> tuple[bytes, list[bytes]]:
    """The entry of ``leaf`` with ``changes``, and every leaf hash with the forged one."""
    with app.state.sessionmaker() as s:
        entry = s.execute(select(AuditEvent.entry).where(AuditEvent.leaf_index == leaf)
                          ).scalar_one()
        leaves = [bytes(h) for h in s.execute(
            select(AuditEvent.leaf_hash).order_by(AuditEvent.leaf_index)).scalars()]
    fields = {**json.loads(entry), **changes}
    forged = json.dumps(fields, separators=(",", ":"), sort_keys=True).encode()
    leaves[leaf] = merkle.leaf_hash(forged)
    return forged, leaves


def test_an_edited_entry_with_its_hash_is_refused(api, app, room):
    original = a_leaf(api, room)
    leaf = original["leaf_index"]
    forged, leaves = _forge(app, leaf, actor_user_id=str(FORGED["actor_user_id"]))
    superuser(app, update(AuditEvent).where(AuditEvent.leaf_index == leaf).values(
        entry=forged, leaf_hash=leaves[leaf], actor_user_id=FORGED["actor_user_id"]))
    r = listed(api, room)
    assert r.status_code == 409 and r.json()["code"] == "audit_log_damaged"
    assert r.json()["leaf_index"] == leaf and str(FORGED["actor_user_id"]) not in r.text
    with app.state.sessionmaker() as s:
        assert not verify_log(s).ok  # the signed head no longer matches the entries
    # The inclusion proof endpoint hashes the entry: its proof no longer reaches the head.
    head = api.client.get("/api/v1/audit/tree-head", headers=room.admin.headers).json()
    p = api.client.get(f"/api/v1/audit/events/{leaf}/inclusion-proof?tree_size="
                       f"{head['tree_size']}", headers=room.users["auditor"].headers).json()
    assert p["leaf_hash"] == leaves[leaf].hex()
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(leaves[leaf], leaf, p["tree_size"],
                                [bytes.fromhex(x) for x in p["proof"]],
                                bytes.fromhex(head["root_hash"]))


def test_a_rewritten_tree_with_a_head_signed_by_another_key_is_refused(api, app, room):
    """The insider recomputes every subtree and signs a head with a key of their own,
    registered in the database: the API trusts only heads of the service's own key."""
    leaf = a_leaf(api, room)["leaf_index"]
    forged, leaves = _forge(app, leaf, outcome="denied")
    levels = build_levels(leaves)
    root = merkle.Frontier(len(leaves), tuple(
        levels[(e - s).bit_length() - 1][s >> ((e - s).bit_length() - 1)]
        for s, e in merkle.frontier_ranges(len(leaves)))).root()
    rogue = signing.generate_private_key()
    signed = signing.sign_tree_head(rogue, len(leaves), root, 2**41)
    rows = [{"start": start << k, "end": (start + 1) << k, "hash": h}
            for k, level in enumerate(levels) for start, h in enumerate(level)]
    superuser(
        app,
        update(AuditEvent).where(AuditEvent.leaf_index == leaf).values(
            entry=forged, leaf_hash=leaves[leaf], outcome="denied"),
        text("DELETE FROM audit_subtrees"),
        insert(merkle_subtrees_table()).values(rows),
        insert(TreeHead).values(
            tree_size=len(leaves), root_hash=root, timestamp_ms=signed.timestamp_ms,
            key_id=signed.key_id, signature=signed.signature, checkpoint="forged"),
    )
    r = listed(api, room)
    # Every proof through the rewritten subtrees fails: the first event of the page is named.
    assert r.status_code == 409 and r.json()["code"] == "audit_log_damaged"
    assert "not in the tree head" in r.json()["detail"]
    with app.state.sessionmaker() as s:
        assert not verify_log(s).ok


def merkle_subtrees_table():
    from app.models.audit import AuditSubtree

    return AuditSubtree.__table__


def test_an_event_deleted_from_the_log_shows_as_a_gap_in_the_exported_bundle(api, app, room,
                                                                            tmp_path, capsys):
    """The subtree hashes still cover the deleted leaf, so every other event's inclusion
    proof holds: only the case's numbering shows that an event is missing."""
    from app.audit.bundle import BundleError, verify_bundle

    victim = a_leaf(api, room)
    path = tmp_path / "bundle.json"
    path.write_bytes(api.client.get(f"/api/v1/cases/{room.id}/audit/export",
                                    headers=room.users["auditor"].headers).content)
    assert cli.main(["audit", "verify-bundle", str(path)]) == 0
    assert "complete: the case's events 1 to " in capsys.readouterr().out
    superuser(app, text(f"DELETE FROM audit_events WHERE leaf_index = {victim['leaf_index']}"))
    r = api.client.get(f"/api/v1/cases/{room.id}/audit/export",
                       headers=room.users["auditor"].headers)
    assert r.status_code == 200
    with pytest.raises(BundleError, match=f"event {victim['case_seq']} of the case missing"):
        verify_bundle(r.content)
    path.write_bytes(r.content)
    assert cli.main(["audit", "verify-bundle", str(path)]) == 1
    assert "missing from the bundle" in capsys.readouterr().err
