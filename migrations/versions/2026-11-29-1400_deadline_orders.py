"""Deadline orders: court orders, stipulations and Rule 6(b) extensions of a case's deadlines.

- ``deadline_orders``: what deadline an order sets (a Rule 68 offer's time to accept or a
  named deadline), the new last day or the days added, the order's date and docket
  source, and the resulting last day with its explanation.

Revision ID: 0024
Revises: 0018
Create Date: 2026-11-29 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0024"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deadline_orders",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("applies_to", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=True),
        sa.Column("base_deadline", sa.Date(), nullable=True),
        sa.Column("new_deadline", sa.Date(), nullable=True),
        sa.Column("extra_days", sa.Integer(), nullable=True),
        sa.Column("effective_deadline", sa.Date(), nullable=False),
        sa.Column("effective_ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_deadline_orders_case_id_cases")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"],
                                name=op.f("fk_deadline_orders_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_orders")),
    )
    with op.batch_alter_table("deadline_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadline_orders_case_id"), ["case_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deadline_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadline_orders_case_id"))
    op.drop_table("deadline_orders")
