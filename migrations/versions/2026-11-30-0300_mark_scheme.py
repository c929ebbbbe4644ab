"""The scheme a download's PDF text layer was marked with (app.watermark.model): 1 for every
download issued before this revision (a bit in every character slot), 2 from now on (sparse
character variants and a token at every line end). Tracing scores each download by its own.

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-30 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document_downloads") as batch:
        batch.add_column(sa.Column("mark_scheme", sa.SmallInteger(), nullable=False,
                                   server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("document_downloads") as batch:
        batch.drop_column("mark_scheme")
