"""A client's access to its party's offers, and the parties' confirmation of an evaluator.

- ``members.reads_offers``: whether a client seat reads its party's settlement and Rule 68
  offers in the room; set by the party's own counsel (or the party pro se). Every existing
  seat keeps reading what it read before (true).
- ``ene_evaluator_decisions``: each participating party's ``confirm`` or ``object`` for a
  session's evaluator. Existing sessions are marked confirmed by every participating party
  for their current evaluator (``decided_by`` NULL: recorded by this migration), so rooms
  from before the rule keep working as they were; the rule governs every session from now.

Revision ID: 0019
Revises: 0016
Create Date: 2026-11-29 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reads_offers", sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    op.create_table(
        "ene_evaluator_decisions",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("evaluator_user_id", sa.Uuid(), nullable=False),
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["ene_sessions.id"], ondelete="CASCADE",
                                name=op.f("fk_ene_evaluator_decisions_session_id_ene_sessions")),
        sa.ForeignKeyConstraint(["evaluator_user_id"], ["users.id"],
                                name=op.f("fk_ene_evaluator_decisions_evaluator_user_id_users")),
        sa.ForeignKeyConstraint(["party_id"], ["parties.id"],
                                name=op.f("fk_ene_evaluator_decisions_party_id_parties")),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"],
                                name=op.f("fk_ene_evaluator_decisions_decided_by_users")),
        sa.PrimaryKeyConstraint("session_id", "evaluator_user_id", "party_id",
                                name=op.f("pk_ene_evaluator_decisions")),
    )
    # Sessions scheduled before confirmations existed stay as they were: confirmed.
    op.execute(
        "INSERT INTO ene_evaluator_decisions "
        "(session_id, evaluator_user_id, party_id, decision, decided_by, decided_at) "
        "SELECT s.id, s.evaluator_user_id, p.party_id, 'confirm', NULL, s.created_at "
        "FROM ene_sessions s JOIN ene_participants p ON p.session_id = s.id"
    )


def downgrade() -> None:
    op.drop_table("ene_evaluator_decisions")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("reads_offers")
