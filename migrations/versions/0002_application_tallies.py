"""application tallies: the triggers that keep them, and the counts of existing applications

Written by hand: autogenerate does not see triggers. Retired by 0005, which
drops the table and its triggers; the table is created here (not by 0001, which
``make migration`` regenerates from the models, where it no longer is).

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE = (
    """CREATE TRIGGER application_tallies_after_insert AFTER INSERT ON applications
BEGIN
  INSERT INTO application_tallies (round_id, state, delta) VALUES (NEW.round_id, NEW.state, 1);
END""",
    """CREATE TRIGGER application_tallies_after_delete AFTER DELETE ON applications
BEGIN
  INSERT INTO application_tallies (round_id, state, delta) VALUES (OLD.round_id, OLD.state, -1);
END""",
    """CREATE TRIGGER application_tallies_after_update AFTER UPDATE OF round_id, state ON applications
WHEN OLD.round_id IS NOT NEW.round_id OR OLD.state IS NOT NEW.state
BEGIN
  INSERT INTO application_tallies (round_id, state, delta)
  VALUES (OLD.round_id, OLD.state, -1), (NEW.round_id, NEW.state, 1);
END""",
)
POSTGRESQL = (
    """CREATE OR REPLACE FUNCTION application_tallies_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM application_tallies;
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO application_tallies (round_id, state, delta) VALUES (OLD.round_id, OLD.state, -1);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO application_tallies (round_id, state, delta) VALUES (NEW.round_id, NEW.state, 1);
  END IF;
  RETURN NULL;
END $$""",
    """CREATE TRIGGER application_tallies_after_insert_or_delete AFTER INSERT OR DELETE ON applications
FOR EACH ROW EXECUTE FUNCTION application_tallies_track()""",
    """CREATE TRIGGER application_tallies_after_update AFTER UPDATE OF round_id, state ON applications
FOR EACH ROW WHEN (OLD.round_id IS DISTINCT FROM NEW.round_id OR OLD.state IS DISTINCT FROM NEW.state)
EXECUTE FUNCTION application_tallies_track()""",
    """CREATE TRIGGER application_tallies_after_truncate AFTER TRUNCATE ON applications
FOR EACH STATEMENT EXECUTE FUNCTION application_tallies_track()""",
)


def upgrade():
    bind = op.get_bind()
    if not sa.inspect(bind).has_table("application_tallies"):  # 0001 made it before 0005
        op.create_table("application_tallies", sa.Column("id", sa.Integer(), nullable=False),
                        sa.Column("round_id", sa.Integer(), nullable=False),
                        sa.Column("state", sa.String(length=60), nullable=False),
                        sa.Column("delta", sa.Integer(), nullable=False),
                        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_tallies")))
    # the applications already there, counted once; the triggers keep it exact from here
    bind.exec_driver_sql("DELETE FROM application_tallies")
    bind.exec_driver_sql("INSERT INTO application_tallies (round_id, state, delta) "
                         "SELECT round_id, state, count(*) FROM applications GROUP BY round_id, state")
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(bind.dialect.name, ()):
        bind.exec_driver_sql(statement)


def downgrade():
    bind = op.get_bind()
    for name in ("application_tallies_after_insert", "application_tallies_after_delete",
                 "application_tallies_after_update", "application_tallies_after_insert_or_delete",
                 "application_tallies_after_truncate"):
        if bind.dialect.name == "postgresql":
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON applications")
        else:
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql("DROP FUNCTION IF EXISTS application_tallies_track()")
    op.drop_table("application_tallies")
