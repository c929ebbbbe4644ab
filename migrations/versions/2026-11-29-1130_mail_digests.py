"""Daily digests: a kind may be mailed once a day, gathered per user and day.

- ``mail_digests``: one row per (user, day), the digest's idempotency key.
- ``notifications.awaits_digest`` / ``digest_id``: waiting for, or gathered into, a digest.
- ``mail_outbox.digest_id``: an outbox row may deliver a digest; ``ck_mail_outbox_one_source``
  now says exactly one of notification, address mail or digest.
- ``notification_preferences.digest`` (kinds) and ``digest_timezone``.

Revision ID: 0017
Revises: 0020
Create Date: 2026-11-29 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0019"
branch_labels = None
depends_on = None

ONE_SOURCE = ("(CASE WHEN notification_id IS NULL THEN 0 ELSE 1 END)"
              " + (CASE WHEN address_mail_id IS NULL THEN 0 ELSE 1 END)"
              " + (CASE WHEN digest_id IS NULL THEN 0 ELSE 1 END) = 1")


def upgrade() -> None:
    op.create_table(
        "mail_digests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("fire_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_mail_digests_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_digests")),
        sa.UniqueConstraint("user_id", "day", name=op.f("uq_mail_digests_user_id_day")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("awaits_digest", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("digest_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_notifications_digest_id_mail_digests"),
                                    "mail_digests", ["digest_id"], ["id"], ondelete="SET NULL")
        batch_op.create_index(batch_op.f("ix_notifications_digest_id"), ["digest_id"])
        batch_op.create_index("ix_notifications_awaiting", ["awaits_digest", "user_id"])
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column("awaits_digest", existing_type=sa.Boolean(), server_default=None)
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_mail_outbox_one_source"), type_="check")
        batch_op.add_column(sa.Column("digest_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_mail_outbox_digest_id_mail_digests"),
                                    "mail_digests", ["digest_id"], ["id"], ondelete="CASCADE")
        batch_op.create_unique_constraint(batch_op.f("uq_mail_outbox_digest_id"), ["digest_id"])
        batch_op.create_check_constraint("one_source", ONE_SOURCE)
    with op.batch_alter_table("notification_preferences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest", sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column("digest_timezone", sa.String(length=64), nullable=True))
    with op.batch_alter_table("notification_preferences", schema=None) as batch_op:
        batch_op.alter_column("digest", existing_type=sa.JSON(), server_default=None)


def downgrade() -> None:
    # Digests cannot live in an outbox that knows only notifications and address mails;
    # what waited for a digest is in the inbox still.
    op.execute("DELETE FROM mail_outbox WHERE digest_id IS NOT NULL")
    with op.batch_alter_table("notification_preferences", schema=None) as batch_op:
        batch_op.drop_column("digest_timezone")
        batch_op.drop_column("digest")
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_mail_outbox_one_source"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_mail_outbox_digest_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_mail_outbox_digest_id_mail_digests"),
                                 type_="foreignkey")
        batch_op.drop_column("digest_id")
        batch_op.create_check_constraint(
            "one_source", "(notification_id IS NULL) <> (address_mail_id IS NULL)")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_awaiting")
        batch_op.drop_index(batch_op.f("ix_notifications_digest_id"))
        batch_op.drop_constraint(batch_op.f("fk_notifications_digest_id_mail_digests"),
                                 type_="foreignkey")
        batch_op.drop_column("digest_id")
        batch_op.drop_column("awaits_digest")
    op.drop_table("mail_digests")
