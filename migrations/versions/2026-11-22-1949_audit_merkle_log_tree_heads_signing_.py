"""The audit log as an RFC 9162 Merkle tree: stored subtree hashes, signed tree heads, signing keys;
case destruction certificates and resumable key rotations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 19:49:31.591991
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# The function settleroom_audit_append_only() comes from revision 0001.
APPEND_ONLY_TABLES = ("audit_subtrees", "tree_heads", "signing_keys")


def _append_only(table: str) -> list[str]:
    if op.get_bind().dialect.name == "postgresql":
        return [f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION settleroom_audit_append_only()"]
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
    ]


def _drop_append_only(table: str) -> list[str]:
    if op.get_bind().dialect.name == "postgresql":
        return [f"DROP TRIGGER {table}_append_only ON {table}"]
    return [f"DROP TRIGGER {table}_no_update", f"DROP TRIGGER {table}_no_delete"]


def upgrade() -> None:
    op.create_table('audit_subtrees',
    sa.Column('start', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('end', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('hash', sa.LargeBinary(length=32), nullable=False),
    sa.PrimaryKeyConstraint('start', 'end', name=op.f('pk_audit_subtrees'))
    )
    op.create_table('signing_keys',
    sa.Column('key_id', sa.String(length=64), nullable=False),
    sa.Column('algorithm', sa.String(length=20), nullable=False),
    sa.Column('public_key_pem', sa.Text(), nullable=False),
    sa.Column('note_name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key_id', name=op.f('pk_signing_keys'))
    )
    op.create_table('tree_heads',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('tree_size', sa.BigInteger(), nullable=False),
    sa.Column('root_hash', sa.LargeBinary(length=32), nullable=False),
    sa.Column('timestamp_ms', sa.BigInteger(), nullable=False),
    sa.Column('key_id', sa.String(length=64), nullable=False),
    sa.Column('signature', sa.LargeBinary(length=64), nullable=False),
    sa.Column('checkpoint', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tree_heads'))
    )
    with op.batch_alter_table('tree_heads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tree_heads_tree_size'), ['tree_size'], unique=False)

    op.create_table('case_destructions',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('destroyed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('certificate', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_destructions_case_id_cases')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_destructions'))
    )
    op.create_table('key_rotations',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('target_version', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_key_rotations_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_rotations'))
    )
    with op.batch_alter_table('key_rotations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_rotations_case_id'), ['case_id'], unique=False)
    for table in APPEND_ONLY_TABLES:
        for statement in _append_only(table):
            op.execute(statement)


def downgrade() -> None:
    for table in APPEND_ONLY_TABLES:
        for statement in _drop_append_only(table):
            op.execute(statement)
    with op.batch_alter_table('key_rotations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_rotations_case_id'))

    op.drop_table('key_rotations')
    op.drop_table('case_destructions')
    with op.batch_alter_table('tree_heads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tree_heads_tree_size'))

    op.drop_table('tree_heads')
    op.drop_table('signing_keys')
    op.drop_table('audit_subtrees')
