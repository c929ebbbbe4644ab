"""Document room: folders, numbered productions (Bates) and tombstones of deleted documents.

Revision ID: 0025
Revises: 0023
Create Date: 2026-11-29 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0023"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str | None = None
        ) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], ondelete=ondelete,
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    op.create_table(
        "document_folders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.Column("path_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("path_mac", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        _fk("document_folders", "case_id", "cases", "CASCADE"),
        _fk("document_folders", "party_id", "parties"),
        _fk("document_folders", "created_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_folders")),
        sa.UniqueConstraint("case_id", "party_id", "path_mac",
                            name=op.f("uq_document_folders_case_id_party_id_path_mac")),
    )
    op.create_index(op.f("ix_document_folders_case_id"), "document_folders", ["case_id"])
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("folder_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_documents_folder_id_document_folders"),
                                    "document_folders", ["folder_id"], ["id"],
                                    ondelete="SET NULL")
        batch_op.create_index(batch_op.f("ix_documents_folder_id"), ["folder_id"])
    op.create_table(
        "document_productions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("first_number", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        _fk("document_productions", "case_id", "cases", "CASCADE"),
        _fk("document_productions", "party_id", "parties"),
        _fk("document_productions", "created_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_productions")),
        sa.UniqueConstraint("case_id", "party_id", "first_number",
                            name=op.f("uq_document_productions_case_id_party_id_first_number")),
    )
    op.create_index(op.f("ix_document_productions_case_id"), "document_productions",
                    ["case_id"])
    op.create_table(
        "production_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("production_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("first_number", sa.Integer(), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        _fk("production_items", "production_id", "document_productions", "CASCADE"),
        _fk("production_items", "case_id", "cases", "CASCADE"),
        _fk("production_items", "document_id", "documents", "RESTRICT"),
        _fk("production_items", "version_id", "document_versions", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_production_items")),
        sa.UniqueConstraint("version_id", name=op.f("uq_production_items_version_id")),
        sa.UniqueConstraint("production_id", "position",
                            name=op.f("uq_production_items_production_id_position")),
    )
    for column in ("production_id", "case_id", "document_id"):
        op.create_index(op.f(f"ix_production_items_{column}"), "production_items", [column])
    op.create_table(
        "document_tombstones",
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("uploader_party_id", sa.Uuid(), nullable=False),
        sa.Column("designation", sa.String(length=20), nullable=False),
        sa.Column("versions", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", TZ, nullable=False),
        sa.Column("deleted_by", sa.Uuid(), nullable=False),
        sa.Column("deleted_at", TZ, nullable=False),
        _fk("document_tombstones", "case_id", "cases", "CASCADE"),
        _fk("document_tombstones", "uploader_party_id", "parties"),
        _fk("document_tombstones", "deleted_by", "users"),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_tombstones")),
    )
    op.create_index(op.f("ix_document_tombstones_case_id"), "document_tombstones",
                    ["case_id"])


def downgrade() -> None:
    op.drop_table("document_tombstones")
    op.drop_table("production_items")
    op.drop_table("document_productions")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_folder_id"))
        batch_op.drop_constraint(batch_op.f("fk_documents_folder_id_document_folders"),
                                 type_="foreignkey")
        batch_op.drop_column("folder_id")
    op.drop_table("document_folders")
