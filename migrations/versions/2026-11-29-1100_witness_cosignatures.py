"""Witness cosignatures of the signed tree heads, and how far each witness has been given
the heads (``settleroom witness``, C2SP tlog-witness).

- ``witness_cosignatures``: each verified cosignature line a witness returned for a head.
- ``witness_cursors``: per witness (its verifier key), the last head it cosigned and the
  size it last cosigned, so publishing resumes where it stopped.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "witness_cosignatures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=True, nullable=False),
        sa.Column("tree_head_id", sa.BigInteger(), nullable=False),
        sa.Column("witness_key", sa.String(length=200), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("cosigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signature_line", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tree_head_id"], ["tree_heads.id"],
                                name="fk_witness_cosignatures_tree_head_id_tree_heads"),
        sa.PrimaryKeyConstraint("id", name="pk_witness_cosignatures"),
        sa.UniqueConstraint("tree_head_id", "witness_key",
                            name="uq_witness_cosignatures_tree_head_id_witness_key"),
    )
    op.create_index("ix_witness_cosignatures_tree_head_id", "witness_cosignatures",
                    ["tree_head_id"])
    op.create_table(
        "witness_cursors",
        sa.Column("witness_key", sa.String(length=200), nullable=False),
        sa.Column("last_head_id", sa.BigInteger(), nullable=False),
        sa.Column("witness_size", sa.BigInteger(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=40), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("witness_key", name="pk_witness_cursors"),
    )


def downgrade() -> None:
    op.drop_table("witness_cursors")
    op.drop_index("ix_witness_cosignatures_tree_head_id", table_name="witness_cosignatures")
    op.drop_table("witness_cosignatures")
