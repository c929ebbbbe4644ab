"""California superior court cases (court system and county) and section 998 offers.

Revision ID: 0023
Revises: 0024
Create Date: 2026-11-29 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0024"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _fk(column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], ondelete=ondelete,
                                   name=op.f(f"fk_ccp998_offers_{column}_{target}"))


def upgrade() -> None:
    # Plain added columns with a server default: no table rebuild on SQLite.
    op.add_column("cases", sa.Column("court_system", sa.String(length=12), nullable=False,
                                     server_default="federal"))
    op.add_column("cases", sa.Column("county", sa.String(length=40), nullable=True))
    op.create_table(
        "ccp998_offers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("offeror_party_id", sa.Uuid(), nullable=False),
        sa.Column("offeree_party_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("terms_sha256", sa.String(length=64), nullable=False),
        sa.Column("service_method", sa.String(length=30), nullable=False),
        sa.Column("served_at", TZ, nullable=False),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("served_by", sa.Uuid(), nullable=False),
        sa.Column("acceptance_deadline", sa.Date(), nullable=False),
        sa.Column("acceptance_ends_at", TZ, nullable=False),
        sa.Column("cut_by_trial", sa.Boolean(), nullable=False),
        sa.Column("deadline_explanation", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("accepted_at", TZ, nullable=True),
        sa.Column("accepted_by", sa.Uuid(), nullable=True),
        sa.Column("acceptance", sa.LargeBinary(), nullable=True),
        sa.Column("revoked_at", TZ, nullable=True),
        sa.Column("revoked_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        _fk("case_id", "cases", "CASCADE"),
        _fk("offeror_party_id", "parties"),
        _fk("offeree_party_id", "parties"),
        _fk("served_by", "users"),
        _fk("accepted_by", "users"),
        _fk("revoked_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ccp998_offers")),
    )
    op.create_index(op.f("ix_ccp998_offers_case_id"), "ccp998_offers", ["case_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ccp998_offers_case_id"), table_name="ccp998_offers")
    op.drop_table("ccp998_offers")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("county")
        batch.drop_column("court_system")
