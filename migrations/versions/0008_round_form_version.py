"""round form and rubric versions: a round names the application form version
its new applications start on and the rubric version new reviews use (NULL:
the newest, as before).

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rubric_version", sa.Integer(), nullable=True))


def downgrade():
    # a plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch copy of rounds
    # would break the applications' foreign keys to it
    op.execute("ALTER TABLE rounds DROP COLUMN rubric_version")
    op.execute("ALTER TABLE rounds DROP COLUMN form_version")
