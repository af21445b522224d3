"""task_units: an index on (task_id, unit_id), for the count and list triggers

The triggers of 0021, 0022 and 0026 look up a task's rows of one unit (`task_id = ? AND
unit_id = ?`) several times for every `task_units` row written. SQLite, without
statistics, chose the index on `unit_id` for that lookup and read every task of the unit:
starting a task cost time in proportion to its unit's tasks (8.7 ms a task for a unit of
20,000, against 1.9 ms with this index). With both columns in one index the lookup reads
the task's own rows. The index on `task_id` alone stays: PostgreSQL reads a plan's units
by task ids through it (the dashboard), and took the wider one for a scan.

Revision ID: 0027_task_units_pair_index
Revises: 0026_unit_counts_before_row
"""
from alembic import op

revision = "0027_task_units_pair_index"
down_revision = "0026_unit_counts_before_row"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_task_units_task_unit", "task_units", ["task_id", "unit_id"])


def downgrade() -> None:
    op.drop_index("ix_task_units_task_unit", table_name="task_units")
