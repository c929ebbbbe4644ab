"""Protective orders: the order (sealed), Exhibit A acknowledgments, designation
challenges, clawbacks and their certifications.

Revision ID: 0022
Revises: 0020
Create Date: 2026-11-29 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0017"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str | None = None
        ) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], ondelete=ondelete,
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def _case(table: str) -> list[sa.SchemaItem]:
    return [sa.Column("id", sa.Uuid(), nullable=False),
            sa.Column("case_id", sa.Uuid(), nullable=False),
            _fk(table, "case_id", "cases", "CASCADE"),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))]


def upgrade() -> None:
    op.create_table(
        "protective_orders", *_case("protective_orders"),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=50), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("meet_confer_days", sa.Integer(), nullable=False),
        sa.Column("motion_days", sa.Integer(), nullable=False),
        sa.Column("motion_days_after_impasse", sa.Integer(), nullable=False),
        sa.Column("clawback_days", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.Column("replaced_at", TZ, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        _fk("protective_orders", "recorded_by", "users"),
    )
    op.create_index(op.f("ix_protective_orders_case_id"), "protective_orders", ["case_id"])
    op.create_table(
        "order_acknowledgments", *_case("order_acknowledgments"),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("typed_name", sa.String(length=200), nullable=False),
        sa.Column("acknowledged_at", TZ, nullable=False),
        _fk("order_acknowledgments", "order_id", "protective_orders", "CASCADE"),
        _fk("order_acknowledgments", "user_id", "users"),
        sa.UniqueConstraint("order_id", "user_id",
                            name=op.f("uq_order_acknowledgments_order_id_user_id")),
    )
    op.create_index(op.f("ix_order_acknowledgments_case_id"), "order_acknowledgments",
                    ["case_id"])
    op.create_index(op.f("ix_order_acknowledgments_order_id"), "order_acknowledgments",
                    ["order_id"])
    op.create_table(
        "designation_challenges", *_case("designation_challenges"),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("challenger_party_id", sa.Uuid(), nullable=False),
        sa.Column("designating_party_id", sa.Uuid(), nullable=False),
        sa.Column("designation", sa.String(length=20), nullable=False),
        sa.Column("challenged_by", sa.Uuid(), nullable=False),
        sa.Column("reason_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("noticed_at", TZ, nullable=False),
        sa.Column("meet_confer_due", sa.Date(), nullable=False),
        sa.Column("meet_confer_ends_at", TZ, nullable=False),
        sa.Column("motion_due", sa.Date(), nullable=False),
        sa.Column("motion_ends_at", TZ, nullable=False),
        sa.Column("impasse_on", sa.Date(), nullable=True),
        sa.Column("motion_filed_on", sa.Date(), nullable=True),
        sa.Column("motion_recorded_by", sa.Uuid(), nullable=True),
        _fk("designation_challenges", "document_id", "documents", "CASCADE"),
        _fk("designation_challenges", "order_id", "protective_orders"),
        _fk("designation_challenges", "challenger_party_id", "parties"),
        _fk("designation_challenges", "designating_party_id", "parties"),
        _fk("designation_challenges", "challenged_by", "users"),
        _fk("designation_challenges", "motion_recorded_by", "users"),
    )
    op.create_index(op.f("ix_designation_challenges_case_id"), "designation_challenges",
                    ["case_id"])
    op.create_index(op.f("ix_designation_challenges_document_id"), "designation_challenges",
                    ["document_id"])
    op.create_table(
        "clawbacks", *_case("clawbacks"),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("producing_party_id", sa.Uuid(), nullable=False),
        sa.Column("clawed_back_by", sa.Uuid(), nullable=False),
        sa.Column("basis_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("noticed_at", TZ, nullable=False),
        sa.Column("certify_days", sa.Integer(), nullable=False),
        sa.Column("certify_due", sa.Date(), nullable=False),
        sa.Column("certify_ends_at", TZ, nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        _fk("clawbacks", "document_id", "documents", "CASCADE"),
        _fk("clawbacks", "order_id", "protective_orders"),
        _fk("clawbacks", "producing_party_id", "parties"),
        _fk("clawbacks", "clawed_back_by", "users"),
        sa.UniqueConstraint("document_id", name=op.f("uq_clawbacks_document_id")),
    )
    op.create_index(op.f("ix_clawbacks_case_id"), "clawbacks", ["case_id"])
    op.create_table(
        "clawback_certifications", *_case("clawback_certifications"),
        sa.Column("clawback_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("party_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("certified_at", TZ, nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        _fk("clawback_certifications", "clawback_id", "clawbacks", "CASCADE"),
        _fk("clawback_certifications", "user_id", "users"),
        _fk("clawback_certifications", "party_id", "parties"),
        sa.UniqueConstraint("clawback_id", "user_id",
                            name=op.f("uq_clawback_certifications_clawback_id_user_id")),
    )
    op.create_index(op.f("ix_clawback_certifications_case_id"), "clawback_certifications",
                    ["case_id"])
    op.create_index(op.f("ix_clawback_certifications_clawback_id"),
                    "clawback_certifications", ["clawback_id"])


def downgrade() -> None:
    for table, columns in (
        ("clawback_certifications", ("case_id", "clawback_id")),
        ("clawbacks", ("case_id",)),
        ("designation_challenges", ("case_id", "document_id")),
        ("order_acknowledgments", ("case_id", "order_id")),
        ("protective_orders", ("case_id",)),
    ):
        for column in columns:
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        op.drop_table(table)
