"""users.timezone: the zone a person reads times in (NULL: the round's zone for
its deadlines, UTC otherwise).

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))


def downgrade():
    op.execute("ALTER TABLE users DROP COLUMN timezone")
