"""dashboard and plan page: a plan's tasks in plan order, and its lead units' counts, through indexes

- The plan page and the dashboard list a plan's tasks 50 at a time in plan order. Found
  through `plan_id` alone, every task of the plan was read and sorted for each page;
  `(plan_id, position, id)` gives them in that order, so a page reads its own rows. It
  replaces the index on `plan_id` alone, which it serves as well.
- The dashboard counted its plan's tasks per lead unit, and listed the units leading one,
  by joining every task of the plan to its units at each read. `unit_task_counts` (0021)
  holds those counts per unit and plan already; `(plan_id, lead, unit_id)` finds a plan's
  groups without reading every unit's.

Revision ID: 0023_plan_read_indexes
Revises: 0022_unit_tasks
"""
from alembic import op


revision = "0023_plan_read_indexes"
down_revision = "0022_unit_tasks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_plan_tasks_plan_position", "plan_tasks", ["plan_id", "position", "id"])
    op.drop_index("ix_plan_tasks_plan_id", table_name="plan_tasks")
    op.create_index("ix_unit_task_counts_plan", "unit_task_counts", ["plan_id", "lead", "unit_id"])


def downgrade() -> None:
    op.drop_index("ix_unit_task_counts_plan", table_name="unit_task_counts")
    op.create_index("ix_plan_tasks_plan_id", "plan_tasks", ["plan_id"])
    op.drop_index("ix_plan_tasks_plan_position", table_name="plan_tasks")
