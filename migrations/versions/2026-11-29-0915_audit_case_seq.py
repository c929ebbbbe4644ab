"""A per-case event counter in the audit log: ``audit_events.case_seq``.

The sequencer numbers each case's events 1, 2, 3... in leaf order and writes the number
into the hashed entry (entry format 2), so an exported case bundle shows a missing event
as a gap. Events logged before this revision have no number (NULL, and none in their
entries, which stay as they were hashed); a case's first numbered event continues from the
number of its events already in the log.

Unique per case: the database refuses two events with the same number in one case.
Plain ALTER TABLE on both dialects: SQLite's batch mode would rebuild audit_events and lose
its append-only triggers.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 09:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("case_seq", sa.BigInteger(), nullable=True))
    op.create_index("ix_audit_events_case_seq", "audit_events", ["case_id", "case_seq"],
                    unique=True)


def downgrade() -> None:
    # The numbers stay inside the hashed entries of events logged meanwhile; only the
    # queryable copy goes.
    op.drop_index("ix_audit_events_case_seq", table_name="audit_events")
    op.execute("ALTER TABLE audit_events DROP COLUMN case_seq")
