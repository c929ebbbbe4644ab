"""Audit events are written unsequenced to audit_pending and moved into the Merkle log by one
sequencer in batches; document downloads find their event by object id.

- ``audit_pending``: immutable rows; a row can only be deleted once ``audit_events`` holds
  its sequenced copy (``audit_events.pending_id``, unique), so the database itself refuses
  to drop an event on its way into the log or to sequence one twice.
- ``audit_events.object_id`` is indexed: a download's event is looked up by the download's
  id, which replaces ``document_downloads.audit_leaf_index`` (the index is not known when
  the download commits).

Downgrade refuses while events are pending (they would be lost): run
``settleroom audit sequence`` first. It restores ``document_downloads.audit_leaf_index``
from the log.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 05:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PENDING_GUARD_PG = """
CREATE FUNCTION settleroom_audit_pending_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit_pending rows are immutable';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM audit_events WHERE pending_id = OLD.id) THEN
        RAISE EXCEPTION 'audit_pending: event % is not in the log yet', OLD.id;
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_pending_guard BEFORE UPDATE OR DELETE ON audit_pending
    FOR EACH ROW EXECUTE FUNCTION settleroom_audit_pending_guard();
"""
PENDING_GUARD_SQLITE = [
    "CREATE TRIGGER audit_pending_no_update BEFORE UPDATE ON audit_pending "
    "BEGIN SELECT RAISE(ABORT, 'audit_pending rows are immutable'); END",
    "CREATE TRIGGER audit_pending_sequenced_only BEFORE DELETE ON audit_pending "
    "WHEN NOT EXISTS (SELECT 1 FROM audit_events WHERE pending_id = OLD.id) "
    "BEGIN SELECT RAISE(ABORT, 'audit_pending: the event is not in the log yet'); END",
]
# A download's id as audit_events.object_id spells it (SQLite keeps 32 hex digits).
DOWNLOAD_ID_TEXT = {
    "postgresql": "d.id::text",
    "sqlite": ("lower(substr(d.id, 1, 8) || '-' || substr(d.id, 9, 4) || '-' || "
               "substr(d.id, 13, 4) || '-' || substr(d.id, 17, 4) || '-' || substr(d.id, 21))"),
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "audit_pending",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=True, nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("actor_party_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_pending")),
        sqlite_autoincrement=True,
    )
    # Plain ALTER TABLE on both dialects: SQLite's batch mode would rebuild audit_events
    # and lose its append-only triggers.
    op.add_column("audit_events", sa.Column("pending_id", sa.BigInteger(), nullable=True))
    op.create_index("ix_audit_events_pending_id", "audit_events", ["pending_id"], unique=True)
    op.create_index(op.f("ix_audit_events_object_id"), "audit_events", ["object_id"])
    if dialect == "postgresql":
        op.execute(PENDING_GUARD_PG)
    else:
        for statement in PENDING_GUARD_SQLITE:
            op.execute(statement)
    op.execute("ALTER TABLE document_downloads DROP COLUMN audit_leaf_index")


def downgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    waiting = bind.execute(sa.text("SELECT count(*) FROM audit_pending")).scalar_one()
    if waiting:
        raise RuntimeError(f"{waiting} audit events are not sequenced yet; run "
                           "`settleroom audit sequence` before downgrading")
    op.add_column("document_downloads",
                  sa.Column("audit_leaf_index", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE document_downloads AS d SET audit_leaf_index = ("  # noqa: S608 - constants
        "SELECT e.leaf_index FROM audit_events AS e WHERE e.object_type = "
        "'document_download' AND e.action = 'document.download' AND e.object_id = "
        f"{DOWNLOAD_ID_TEXT[dialect]})"
    )
    if dialect == "postgresql":
        op.execute("DROP TRIGGER audit_pending_guard ON audit_pending")
        op.execute("DROP FUNCTION settleroom_audit_pending_guard()")
    else:
        op.execute("DROP TRIGGER audit_pending_no_update")
        op.execute("DROP TRIGGER audit_pending_sequenced_only")
    op.drop_index(op.f("ix_audit_events_object_id"), table_name="audit_events")
    op.drop_index("ix_audit_events_pending_id", table_name="audit_events")
    op.execute("ALTER TABLE audit_events DROP COLUMN pending_id")
    op.drop_table("audit_pending")
