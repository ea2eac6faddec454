"""drop the application tallies and the round list changes, with their triggers

The staff list counts applications with a plain count(*) on an index, and reads
its rounds on every request: the tables kept by triggers (0002, 0003) are gone.
Written by hand: autogenerate does not see triggers.

Revision ID: 0005
Revises: 0004
"""
import importlib.util
from pathlib import Path

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: (trigger, table) of both sets, under every name 0002 and 0003 gave them on either database
TRIGGERS = (
    ("application_tallies_after_insert", "applications"), ("application_tallies_after_delete", "applications"),
    ("application_tallies_after_update", "applications"),
    ("application_tallies_after_insert_or_delete", "applications"),
    ("application_tallies_after_truncate", "applications"),
    ("round_list_after_round_insert", "rounds"), ("round_list_after_round_delete", "rounds"),
    ("round_list_after_round_update", "rounds"), ("round_list_after_round_insert_delete_truncate", "rounds"),
    ("round_list_after_fund_update", "funds"),
)
FUNCTIONS = ("application_tallies_track", "round_list_changed")
TABLES = ("application_tallies", "round_list_changes")


def upgrade():
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    for name, table in TRIGGERS:
        bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
    if postgresql:
        for name in FUNCTIONS:
            bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")
    for table in TABLES:
        op.drop_table(table)


def _revision(file_name: str):
    path = Path(__file__).with_name(file_name)
    spec = importlib.util.spec_from_file_location(f"grantflow_revision_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade():
    # the tables and triggers exactly as the revisions that made them (the tallies recounted)
    for file_name in ("0002_application_tallies.py", "0003_round_list_changes.py"):
        _revision(file_name).upgrade()
