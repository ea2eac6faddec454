"""round list changes: the triggers that count changes to what lists of rounds show

Written by hand: autogenerate does not see triggers. Retired by 0005, which
drops the table and its triggers; the table is created here (not by 0001, which
``make migration`` regenerates from the models, where it no longer is).

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SQLITE = (
    """CREATE TRIGGER round_list_after_round_insert AFTER INSERT ON rounds
BEGIN
  INSERT INTO round_list_changes (changed_at) VALUES (strftime('%Y-%m-%d %H:%M:%f', 'now'));
END""",
    """CREATE TRIGGER round_list_after_round_delete AFTER DELETE ON rounds
BEGIN
  INSERT INTO round_list_changes (changed_at) VALUES (strftime('%Y-%m-%d %H:%M:%f', 'now'));
END""",
    """CREATE TRIGGER round_list_after_round_update AFTER UPDATE OF name, fund_id, opens_at, workflow_key, workflow_version ON rounds
WHEN OLD.name IS NOT NEW.name OR OLD.fund_id IS NOT NEW.fund_id OR OLD.opens_at IS NOT NEW.opens_at OR OLD.workflow_key IS NOT NEW.workflow_key OR OLD.workflow_version IS NOT NEW.workflow_version
BEGIN
  INSERT INTO round_list_changes (changed_at) VALUES (strftime('%Y-%m-%d %H:%M:%f', 'now'));
END""",
    """CREATE TRIGGER round_list_after_fund_update AFTER UPDATE OF name ON funds
WHEN OLD.name IS NOT NEW.name
BEGIN
  INSERT INTO round_list_changes (changed_at) VALUES (strftime('%Y-%m-%d %H:%M:%f', 'now'));
END""",
)
POSTGRESQL = (
    """CREATE OR REPLACE FUNCTION round_list_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO round_list_changes (changed_at) VALUES (clock_timestamp());
  RETURN NULL;
END $$""",
    """CREATE TRIGGER round_list_after_round_insert_delete_truncate AFTER INSERT OR DELETE OR TRUNCATE ON rounds
FOR EACH STATEMENT EXECUTE FUNCTION round_list_changed()""",
    """CREATE TRIGGER round_list_after_round_update AFTER UPDATE OF name, fund_id, opens_at, workflow_key,
workflow_version ON rounds FOR EACH ROW
WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.fund_id IS DISTINCT FROM NEW.fund_id
  OR OLD.opens_at IS DISTINCT FROM NEW.opens_at OR OLD.workflow_key IS DISTINCT FROM NEW.workflow_key
  OR OLD.workflow_version IS DISTINCT FROM NEW.workflow_version)
EXECUTE FUNCTION round_list_changed()""",
    """CREATE TRIGGER round_list_after_fund_update AFTER UPDATE OF name ON funds FOR EACH ROW
WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION round_list_changed()""",
)
SQLITE_NAMES = ("round_list_after_round_insert", "round_list_after_round_delete", "round_list_after_round_update",
                "round_list_after_fund_update")
POSTGRESQL_NAMES = (("round_list_after_round_insert_delete_truncate", "rounds"),
                    ("round_list_after_round_update", "rounds"), ("round_list_after_fund_update", "funds"))


def upgrade():
    bind = op.get_bind()
    if not sa.inspect(bind).has_table("round_list_changes"):  # 0001 made it before 0005
        op.create_table("round_list_changes", sa.Column("id", sa.Integer(), nullable=False),
                        sa.Column("changed_at", sa.DateTime(), nullable=False),
                        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_list_changes")))
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(bind.dialect.name, ()):
        bind.exec_driver_sql(statement)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name, table in POSTGRESQL_NAMES:
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        bind.exec_driver_sql("DROP FUNCTION IF EXISTS round_list_changed()")
    else:
        for name in SQLITE_NAMES:
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("round_list_changes")
