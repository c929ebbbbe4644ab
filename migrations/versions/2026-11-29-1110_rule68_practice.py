"""Rule 68 as practiced: attorney's-fees term, service and acceptance made outside the room
with certificates of service, consent to other means of service, the parties held liable.

- ``rule68_offers.attorney_fees`` (included | excluded | silent; existing offers said nothing,
  so ``silent``) and ``backdated``;
- ``rule68_offerees.acceptance_method``, ``acceptance_recorded_at``, ``acceptance_backdated``;
- ``rule68_certificates``: sealed certificates of service of offers and acceptances;
- ``other_means_consents``: written consents to service by other means (FRCP 5(b)(2)(F));
- ``liability_hearings.liable_party_ids`` and ``claim_ids`` (68(c)); null on existing rows
  keeps their reading: every party defending a claim.

Revision ID: 0020
Revises: 0016
Create Date: 2026-11-29 11:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rule68_offers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attorney_fees", sa.String(length=10), nullable=False,
                                      server_default="silent"))
        batch_op.add_column(sa.Column("backdated", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table("rule68_offers", schema=None) as batch_op:
        batch_op.alter_column("attorney_fees", server_default=None)
        batch_op.alter_column("backdated", server_default=None)
    with op.batch_alter_table("rule68_offerees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("acceptance_method", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("acceptance_recorded_at", sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("acceptance_backdated", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table("rule68_offerees", schema=None) as batch_op:
        batch_op.alter_column("acceptance_backdated", server_default=None)
    with op.batch_alter_table("liability_hearings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("liable_party_ids", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("claim_ids", sa.JSON(), nullable=True))
    op.create_table(
        "rule68_certificates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("offer_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("party_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("served_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("backdated", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["offer_id"], ["rule68_offers.id"], ondelete="CASCADE",
                                name=op.f("fk_rule68_certificates_offer_id_rule68_offers")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_rule68_certificates_case_id_cases")),
        sa.ForeignKeyConstraint(["party_id"], ["parties.id"],
                                name=op.f("fk_rule68_certificates_party_id_parties")),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"],
                                name=op.f("fk_rule68_certificates_recorded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule68_certificates")),
    )
    with op.batch_alter_table("rule68_certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rule68_certificates_offer_id"), ["offer_id"],
                              unique=False)
    op.create_table(
        "other_means_consents",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.Column("means", sa.String(length=200), nullable=False),
        sa.Column("consented_by", sa.Uuid(), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_other_means_consents_case_id_cases")),
        sa.ForeignKeyConstraint(["party_id"], ["parties.id"],
                                name=op.f("fk_other_means_consents_party_id_parties")),
        sa.ForeignKeyConstraint(["consented_by"], ["users.id"],
                                name=op.f("fk_other_means_consents_consented_by_users")),
        sa.PrimaryKeyConstraint("case_id", "party_id", name=op.f("pk_other_means_consents")),
    )


def downgrade() -> None:
    op.drop_table("other_means_consents")
    with op.batch_alter_table("rule68_certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rule68_certificates_offer_id"))
    op.drop_table("rule68_certificates")
    with op.batch_alter_table("liability_hearings", schema=None) as batch_op:
        batch_op.drop_column("claim_ids")
        batch_op.drop_column("liable_party_ids")
    with op.batch_alter_table("rule68_offerees", schema=None) as batch_op:
        batch_op.drop_column("acceptance_backdated")
        batch_op.drop_column("acceptance_recorded_at")
        batch_op.drop_column("acceptance_method")
    with op.batch_alter_table("rule68_offers", schema=None) as batch_op:
        batch_op.drop_column("backdated")
        batch_op.drop_column("attorney_fees")
