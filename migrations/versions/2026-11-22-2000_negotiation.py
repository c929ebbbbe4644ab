"""Negotiation: FRE 408 settlement offers, idempotent responses, Rule 68 offers of judgment
and their offerees, consents to electronic service, 68(c) liability hearings.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 19:58:13.215017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('idempotent_responses',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('request_sha256', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_idempotent_responses_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotent_responses_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotent_responses')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_idempotent_responses_user_id_key'))
    )
    op.create_table('liability_hearings',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('hearing_date', sa.Date(), nullable=False),
    sa.Column('set_by', sa.Uuid(), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_liability_hearings_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by'], ['users.id'], name=op.f('fk_liability_hearings_set_by_users')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_liability_hearings'))
    )
    op.create_table('service_consents',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('party_id', sa.Uuid(), nullable=False),
    sa.Column('consented_by', sa.Uuid(), nullable=False),
    sa.Column('consented_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_service_consents_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['consented_by'], ['users.id'], name=op.f('fk_service_consents_consented_by_users')),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_service_consents_party_id_parties')),
    sa.PrimaryKeyConstraint('case_id', 'party_id', name=op.f('pk_service_consents'))
    )
    op.create_table('settlement_offers',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('from_party_id', sa.Uuid(), nullable=False),
    sa.Column('to_party_id', sa.Uuid(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('terms_sha256', sa.String(length=64), nullable=False),
    sa.Column('designation', sa.String(length=20), nullable=False),
    sa.Column('share_with_neutral', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('replies_to', sa.Uuid(), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.Uuid(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by', sa.Uuid(), nullable=True),
    sa.Column('signature', sa.Text(), nullable=True),
    sa.Column('key_id', sa.String(length=64), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['accepted_by'], ['users.id'], name=op.f('fk_settlement_offers_accepted_by_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_settlement_offers_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['closed_by'], ['users.id'], name=op.f('fk_settlement_offers_closed_by_users')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_settlement_offers_created_by_users')),
    sa.ForeignKeyConstraint(['from_party_id'], ['parties.id'], name=op.f('fk_settlement_offers_from_party_id_parties')),
    sa.ForeignKeyConstraint(['replies_to'], ['settlement_offers.id'], name=op.f('fk_settlement_offers_replies_to_settlement_offers')),
    sa.ForeignKeyConstraint(['to_party_id'], ['parties.id'], name=op.f('fk_settlement_offers_to_party_id_parties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_offers'))
    )
    with op.batch_alter_table('settlement_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_offers_case_id'), ['case_id'], unique=False)

    op.create_table('rule68_offers',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('offeror_party_id', sa.Uuid(), nullable=False),
    sa.Column('claim_id', sa.Uuid(), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('terms_sha256', sa.String(length=64), nullable=False),
    sa.Column('costs', sa.String(length=20), nullable=False),
    sa.Column('service_method', sa.String(length=20), nullable=False),
    sa.Column('served_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('served_on', sa.Date(), nullable=False),
    sa.Column('served_by', sa.Uuid(), nullable=False),
    sa.Column('acceptance_deadline', sa.Date(), nullable=False),
    sa.Column('acceptance_ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline_explanation', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_rule68_offers_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_rule68_offers_claim_id_claims')),
    sa.ForeignKeyConstraint(['offeror_party_id'], ['parties.id'], name=op.f('fk_rule68_offers_offeror_party_id_parties')),
    sa.ForeignKeyConstraint(['served_by'], ['users.id'], name=op.f('fk_rule68_offers_served_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule68_offers'))
    )
    with op.batch_alter_table('rule68_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rule68_offers_case_id'), ['case_id'], unique=False)

    op.create_table('rule68_offerees',
    sa.Column('offer_id', sa.Uuid(), nullable=False),
    sa.Column('party_id', sa.Uuid(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by'], ['users.id'], name=op.f('fk_rule68_offerees_accepted_by_users')),
    sa.ForeignKeyConstraint(['offer_id'], ['rule68_offers.id'], name=op.f('fk_rule68_offerees_offer_id_rule68_offers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_rule68_offerees_party_id_parties')),
    sa.PrimaryKeyConstraint('offer_id', 'party_id', name=op.f('pk_rule68_offerees'))
    )


def downgrade() -> None:
    op.drop_table('rule68_offerees')
    with op.batch_alter_table('rule68_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rule68_offers_case_id'))

    op.drop_table('rule68_offers')
    with op.batch_alter_table('settlement_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_offers_case_id'))

    op.drop_table('settlement_offers')
    op.drop_table('service_consents')
    op.drop_table('liability_hearings')
    op.drop_table('idempotent_responses')
