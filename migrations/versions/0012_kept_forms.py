"""kept forms: what a person typed into a form whose session or CSRF token had
expired, kept for them until they see it back in the form

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

from grantflow.core.db import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kept_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("page_path", sa.String(length=2000), nullable=False),
        sa.Column("action_path", sa.String(length=2000), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("file_fields", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_kept_forms_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kept_forms")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_kept_forms_token_hash")),
    )
    with op.batch_alter_table("kept_forms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kept_forms_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("kept_forms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kept_forms_user_id"))
    op.drop_table("kept_forms")
