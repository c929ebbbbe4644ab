"""Invitations to seats, and mails addressed to an e-mail address rather than to a user.

- ``invitations``: a seat (role, party) offered to an address; only the token's hash.
- ``address_mails``: a mail to someone who may have no account yet (an invitation), with
  the nonce its capability token is derived from at delivery (erased once sent).
- ``mail_outbox.notification_id`` becomes nullable and ``address_mail_id`` is added: each
  outbox row delivers exactly one of them (``ck_mail_outbox_one_source``).

Existing memberships are kept as they are; the new rules govern every change from now on.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("party_id", sa.Uuid(), nullable=True),
        sa.Column("invited_by", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sa.Uuid(), nullable=True),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_invitations_case_id_cases")),
        sa.ForeignKeyConstraint(["party_id"], ["parties.id"], ondelete="CASCADE",
                                name=op.f("fk_invitations_party_id_parties")),
        sa.ForeignKeyConstraint(["invited_by"], ["users.id"],
                                name=op.f("fk_invitations_invited_by_users")),
        sa.ForeignKeyConstraint(["accepted_by"], ["users.id"],
                                name=op.f("fk_invitations_accepted_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    op.create_index("ix_invitations_case_status", "invitations", ["case_id", "status"])
    op.create_table(
        "address_mails",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.Uuid(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("token_purpose", sa.String(length=32), nullable=True),
        sa.Column("token_nonce", sa.LargeBinary(length=32), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_address_mails_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_address_mails")),
    )
    op.create_index(op.f("ix_address_mails_case_id"), "address_mails", ["case_id"])
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.alter_column("notification_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.add_column(sa.Column("address_mail_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_mail_outbox_address_mail_id_address_mails"), "address_mails",
            ["address_mail_id"], ["id"], ondelete="CASCADE")
        batch_op.create_unique_constraint(batch_op.f("uq_mail_outbox_address_mail_id"),
                                          ["address_mail_id"])
        batch_op.create_check_constraint(
            "one_source", "(notification_id IS NULL) <> (address_mail_id IS NULL)")


def downgrade() -> None:
    # Address mails cannot live in an outbox that knows only notifications.
    op.execute("DELETE FROM mail_outbox WHERE notification_id IS NULL")
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_mail_outbox_one_source"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_mail_outbox_address_mail_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_mail_outbox_address_mail_id_address_mails"),
                                 type_="foreignkey")
        batch_op.drop_column("address_mail_id")
        batch_op.alter_column("notification_id", existing_type=sa.Uuid(), nullable=False)
    op.drop_index(op.f("ix_address_mails_case_id"), table_name="address_mails")
    op.drop_table("address_mails")
    op.drop_index("ix_invitations_case_status", table_name="invitations")
    op.drop_table("invitations")
