"""letter kinds from workflows: a letter's kind is the folder a workflow's
``letters:`` names, so the fixed list of four kinds goes and the column widens.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_letters_kind"), type_="check")
        batch_op.alter_column("kind", existing_type=sa.String(length=20), type_=sa.String(length=40),
                              existing_nullable=False)


def downgrade():
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=40), type_=sa.String(length=20),
                              existing_nullable=False)
        batch_op.create_check_constraint(batch_op.f("ck_letters_kind"),
                                         "kind IN ('award', 'decline', 'waitlist', 'closeout')")
