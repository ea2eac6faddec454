"""job leases: when a job was handed to Redis, its worker's heartbeat, its next retry

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

from grantflow.core.db import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = ("enqueued_at", "heartbeat_at", "retry_at")


def upgrade():
    with op.batch_alter_table("background_jobs") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("background_jobs") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
