"""plan_tasks: the (plan_id, due_on) index of 0029 also holds closed_on and status

The dashboard counts a plan's tasks by due date, closing date and state (a CASE over
these columns and status) at every read. With the index holding every column it reads,
SQLite counts from the index alone instead of looking each task's row up (a plan of
1,000: 0.47 -> 0.37 ms of SQLite's time for the counts statement). The index's leading
columns, and so the ranges of 0029, are unchanged.

Revision ID: 0030_plan_tasks_due_covering
Revises: 0029_plan_tasks_due_index
"""
from alembic import op

revision = "0030_plan_tasks_due_covering"
down_revision = "0029_plan_tasks_due_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_plan_tasks_plan_due", table_name="plan_tasks")
    op.create_index("ix_plan_tasks_plan_due", "plan_tasks", ["plan_id", "due_on", "closed_on", "status"])


def downgrade() -> None:
    op.drop_index("ix_plan_tasks_plan_due", table_name="plan_tasks")
    op.create_index("ix_plan_tasks_plan_due", "plan_tasks", ["plan_id", "due_on"])
