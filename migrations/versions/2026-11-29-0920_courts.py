"""Courts: cases name their district (CM/ECF court id) and division; closure days per district.

- ``cases.district`` / ``cases.division``: the district the case is in, from which its
  state and time zone are derived. Cases created before stay NULL (their state and time
  zone stay as given).
- ``court_closures``: days a district's clerk's office was inaccessible or closed by
  order, recorded by a platform admin with a source.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 09:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("district", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("division", sa.String(length=40), nullable=True))
    op.create_table(
        "court_closures",
        sa.Column("district", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=1000), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"],
                                name=op.f("fk_court_closures_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_court_closures")),
        sa.UniqueConstraint("district", "day", name=op.f("uq_court_closures_district_day")),
    )
    with op.batch_alter_table("court_closures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_court_closures_district"), ["district"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("court_closures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_court_closures_district"))
    op.drop_table("court_closures")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("division")
        batch_op.drop_column("district")
