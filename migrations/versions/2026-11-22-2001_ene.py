"""Early Neutral Evaluation: sessions, participants, sealed messages, statements and
evaluations, evaluation shares, releases by consent and attendance.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-22 20:01:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ene_sessions',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('evaluator_user_id', sa.Uuid(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('court_timezone', sa.String(length=64), nullable=False),
    sa.Column('statement_due_date', sa.Date(), nullable=False),
    sa.Column('statement_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('statement_due_days_before', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_ene_sessions_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_ene_sessions_created_by_users')),
    sa.ForeignKeyConstraint(['evaluator_user_id'], ['users.id'], name=op.f('fk_ene_sessions_evaluator_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ene_sessions'))
    )
    with op.batch_alter_table('ene_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ene_sessions_case_id'), ['case_id'], unique=False)

    op.create_table('ene_attendance',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('party_id', sa.Uuid(), nullable=True),
    sa.Column('party_key', sa.String(length=36), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_ene_attendance_party_id_parties')),
    sa.ForeignKeyConstraint(['session_id'], ['ene_sessions.id'], name=op.f('fk_ene_attendance_session_id_ene_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ene_attendance_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ene_attendance')),
    sa.UniqueConstraint('session_id', 'user_id', 'role', 'party_key', name=op.f('uq_ene_attendance_session_id_user_id_role_party_key'))
    )
    with op.batch_alter_table('ene_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ene_attendance_session_id'), ['session_id'], unique=False)

    op.create_table('ene_evaluations',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('written_by', sa.Uuid(), nullable=False),
    sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('body_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_ene_evaluations_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['ene_sessions.id'], name=op.f('fk_ene_evaluations_session_id_ene_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['written_by'], ['users.id'], name=op.f('fk_ene_evaluations_written_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ene_evaluations')),
    sa.UniqueConstraint('session_id', name=op.f('uq_ene_evaluations_session_id'))
    )
    op.create_table('ene_messages',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('channel_party_id', sa.Uuid(), nullable=True),
    sa.Column('author_user_id', sa.Uuid(), nullable=False),
    sa.Column('author_role', sa.String(length=20), nullable=False),
    sa.Column('author_party_id', sa.Uuid(), nullable=True),
    sa.Column('body_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_party_id'], ['parties.id'], name=op.f('fk_ene_messages_author_party_id_parties')),
    sa.ForeignKeyConstraint(['author_user_id'], ['users.id'], name=op.f('fk_ene_messages_author_user_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_ene_messages_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['channel_party_id'], ['parties.id'], name=op.f('fk_ene_messages_channel_party_id_parties')),
    sa.ForeignKeyConstraint(['session_id'], ['ene_sessions.id'], name=op.f('fk_ene_messages_session_id_ene_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ene_messages'))
    )
    with op.batch_alter_table('ene_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ene_messages_session_id'), ['session_id'], unique=False)

    op.create_table('ene_participants',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('party_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_ene_participants_party_id_parties')),
    sa.ForeignKeyConstraint(['session_id'], ['ene_sessions.id'], name=op.f('fk_ene_participants_session_id_ene_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'party_id', name=op.f('pk_ene_participants'))
    )
    op.create_table('ene_releases',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('item_type', sa.String(length=20), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('from_party_id', sa.Uuid(), nullable=False),
    sa.Column('to_party_id', sa.Uuid(), nullable=False),
    sa.Column('released_by', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_ene_releases_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['from_party_id'], ['parties.id'], name=op.f('fk_ene_releases_from_party_id_parties')),
    sa.ForeignKeyConstraint(['released_by'], ['users.id'], name=op.f('fk_ene_releases_released_by_users')),
    sa.ForeignKeyConstraint(['session_id'], ['ene_sessions.id'], name=op.f('fk_ene_releases_session_id_ene_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_party_id'], ['parties.id'], name=op.f('fk_ene_releases_to_party_id_parties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ene_releases')),
    sa.UniqueConstraint('item_type', 'item_id', 'to_party_id', name=op.f('uq_ene_releases_item_type_item_id_to_party_id'))
    )
    with op.batch_alter_table('ene_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ene_releases_session_id'), ['session_id'], unique=False)

    op.create_table('ene_statements',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('party_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('shared_with_parties', sa.Boolean(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('submitted_by', sa.Uuid(), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('body_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_ene_statements_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_ene_statements_party_id_parties')),
    sa.ForeignKeyConstraint(['session_id'], ['ene_sessions.id'], name=op.f('fk_ene_statements_session_id_ene_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_ene_statements_submitted_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ene_statements')),
    sa.UniqueConstraint('session_id', 'party_id', 'version', name=op.f('uq_ene_statements_session_id_party_id_version'))
    )
    with op.batch_alter_table('ene_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ene_statements_session_id'), ['session_id'], unique=False)

    op.create_table('ene_evaluation_shares',
    sa.Column('evaluation_id', sa.Uuid(), nullable=False),
    sa.Column('party_id', sa.Uuid(), nullable=False),
    sa.Column('shared_by', sa.Uuid(), nullable=False),
    sa.Column('shared_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['ene_evaluations.id'], name=op.f('fk_ene_evaluation_shares_evaluation_id_ene_evaluations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_ene_evaluation_shares_party_id_parties')),
    sa.ForeignKeyConstraint(['shared_by'], ['users.id'], name=op.f('fk_ene_evaluation_shares_shared_by_users')),
    sa.PrimaryKeyConstraint('evaluation_id', 'party_id', name=op.f('pk_ene_evaluation_shares'))
    )


def downgrade() -> None:
    op.drop_table('ene_evaluation_shares')
    with op.batch_alter_table('ene_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ene_statements_session_id'))

    op.drop_table('ene_statements')
    with op.batch_alter_table('ene_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ene_releases_session_id'))

    op.drop_table('ene_releases')
    op.drop_table('ene_participants')
    with op.batch_alter_table('ene_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ene_messages_session_id'))

    op.drop_table('ene_messages')
    op.drop_table('ene_evaluations')
    with op.batch_alter_table('ene_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ene_attendance_session_id'))

    op.drop_table('ene_attendance')
    with op.batch_alter_table('ene_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ene_sessions_case_id'))

    op.drop_table('ene_sessions')
