"""mentor network: mentor profiles, requests for a mentor, matches and logged
conversations (issue 18, item 1).

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

import grantflow.core.db

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mentor_profiles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('applicant_type', sa.String(length=1), nullable=False),
    sa.Column('us_state', sa.String(length=2), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('max_mentees', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('is_visible', sa.Boolean(), nullable=False),
    sa.Column('opted_in', sa.Boolean(), nullable=False),
    sa.Column('opted_out_at', grantflow.core.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', grantflow.core.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', grantflow.core.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('max_mentees >= 1 AND max_mentees <= 10', name=op.f('ck_mentor_profiles_max_mentees')),
    sa.CheckConstraint('opted_in OR opted_out_at IS NOT NULL', name=op.f('ck_mentor_profiles_opted_out_at')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mentor_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_mentor_profiles'))
    )
    op.create_table('mentor_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('needs', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', grantflow.core.db.UTCDateTime(), nullable=False),
    sa.Column('closed_at', grantflow.core.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint("(status = 'open') = (closed_at IS NULL)", name=op.f('ck_mentor_requests_closed_at')),
    sa.CheckConstraint("status IN ('open', 'matched', 'cancelled')", name=op.f('ck_mentor_requests_status')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_mentor_requests_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mentor_requests_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_requests'))
    )
    with op.batch_alter_table('mentor_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_requests_user_id'), ['user_id'], unique=False)

    op.create_table('mentor_matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('proposed_at', grantflow.core.db.UTCDateTime(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', grantflow.core.db.UTCDateTime(), nullable=True),
    sa.Column('mentor_accepted_at', grantflow.core.db.UTCDateTime(), nullable=True),
    sa.Column('mentee_accepted_at', grantflow.core.db.UTCDateTime(), nullable=True),
    sa.Column('introduced_at', grantflow.core.db.UTCDateTime(), nullable=True),
    sa.Column('closed_at', grantflow.core.db.UTCDateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("(status = 'introduced') = (introduced_at IS NOT NULL AND closed_at IS NULL)", name=op.f('ck_mentor_matches_introduced')),
    sa.CheckConstraint("source IN ('automatic', 'manual')", name=op.f('ck_mentor_matches_source')),
    sa.CheckConstraint("status IN ('proposed', 'approved', 'introduced', 'turned_down', 'rejected', 'cancelled', 'ended')", name=op.f('ck_mentor_matches_status')),
    sa.CheckConstraint('mentor_id <> mentee_id', name=op.f('ck_mentor_matches_two_people')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_mentor_matches_approved_by_id_users')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_mentor_matches_closed_by_id_users')),
    sa.ForeignKeyConstraint(['mentee_id'], ['users.id'], name=op.f('fk_mentor_matches_mentee_id_users')),
    sa.ForeignKeyConstraint(['mentor_id'], ['users.id'], name=op.f('fk_mentor_matches_mentor_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['mentor_requests.id'], name=op.f('fk_mentor_matches_request_id_mentor_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_matches')),
    sa.UniqueConstraint('request_id', 'mentor_id', name=op.f('uq_mentor_matches_request_id'))
    )
    with op.batch_alter_table('mentor_matches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_matches_mentee_id'), ['mentee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentor_matches_mentor_id'), ['mentor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentor_matches_request_id'), ['request_id'], unique=False)

    op.create_table('mentoring_conversations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('logged_by_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('created_at', grantflow.core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['logged_by_id'], ['users.id'], name=op.f('fk_mentoring_conversations_logged_by_id_users')),
    sa.ForeignKeyConstraint(['match_id'], ['mentor_matches.id'], name=op.f('fk_mentoring_conversations_match_id_mentor_matches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentoring_conversations'))
    )
    with op.batch_alter_table('mentoring_conversations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentoring_conversations_match_id'), ['match_id'], unique=False)



def downgrade():
    with op.batch_alter_table('mentoring_conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentoring_conversations_match_id'))

    op.drop_table('mentoring_conversations')
    with op.batch_alter_table('mentor_matches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentor_matches_request_id'))
        batch_op.drop_index(batch_op.f('ix_mentor_matches_mentor_id'))
        batch_op.drop_index(batch_op.f('ix_mentor_matches_mentee_id'))

    op.drop_table('mentor_matches')
    with op.batch_alter_table('mentor_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentor_requests_user_id'))

    op.drop_table('mentor_requests')
    op.drop_table('mentor_profiles')
