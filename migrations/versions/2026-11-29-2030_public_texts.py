"""Public texts a party registered in a case (opinions, rules, its own public filings): the
filing guard never counts their windows in that party's checks. Text and label sealed.

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-29 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def _fk(column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], ondelete=ondelete,
                                   name=op.f(f"fk_public_texts_{column}_{target}"))


def upgrade() -> None:
    op.create_table(
        "public_texts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.Column("added_by", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.Column("label_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("text_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("case_id", "cases", "CASCADE"),
        _fk("party_id", "parties"),
        _fk("added_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_texts")),
    )
    op.create_index(op.f("ix_public_texts_case_id"), "public_texts", ["case_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_public_texts_case_id"), table_name="public_texts")
    op.drop_table("public_texts")
