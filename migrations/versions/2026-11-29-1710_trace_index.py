"""Trace index: each version's sealed text layer, the keyed anchors of its text, and how
many versions of a case hold each anchor.

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-29 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], ondelete="CASCADE",
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    op.create_table(
        "document_analyses",
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.Column("layer_sealed", sa.LargeBinary(), nullable=False),
        _fk("document_analyses", "version_id", "document_versions"),
        _fk("document_analyses", "case_id", "cases"),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_document_analyses")),
    )
    op.create_index(op.f("ix_document_analyses_case_id"), "document_analyses", ["case_id"])
    op.create_table(
        "document_anchors",
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("anchor", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        _fk("document_anchors", "version_id", "document_versions"),
        _fk("document_anchors", "case_id", "cases"),
        sa.PrimaryKeyConstraint("version_id", "anchor", name=op.f("pk_document_anchors")),
    )
    op.create_index("ix_document_anchors_lookup", "document_anchors",
                    ["case_id", "anchor", "version_id"])
    op.create_table(
        "document_anchor_counts",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("anchor", sa.BigInteger(), nullable=False),
        sa.Column("versions", sa.Integer(), nullable=False),
        _fk("document_anchor_counts", "case_id", "cases"),
        sa.PrimaryKeyConstraint("case_id", "anchor", name=op.f("pk_document_anchor_counts")),
    )


def downgrade() -> None:
    op.drop_table("document_anchor_counts")
    op.drop_index("ix_document_anchors_lookup", table_name="document_anchors")
    op.drop_table("document_anchors")
    op.drop_index(op.f("ix_document_analyses_case_id"), table_name="document_analyses")
    op.drop_table("document_analyses")
