"""Where the visible legend of a case's downloaded copies is drawn (footer, header, diagonal).

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-29 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain added column with a server default: no table rebuild on SQLite, and every
    # existing case keeps the footer its copies always carried.
    op.add_column("cases", sa.Column("legend_position", sa.String(length=10), nullable=False,
                                     server_default="footer"))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("legend_position")
