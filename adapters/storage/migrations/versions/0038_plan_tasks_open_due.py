"""plan_tasks: a plan's open tasks by due date, in plan order

The dashboard lists a plan's most overdue tasks, 20 of them: open ones first, then by
due date, in plan order (`reads.page_statements._most_overdue`). No index held that order,
so each read worked out the state of every task due before the day and sorted them
all: once a plan's 1,000 tasks were overdue on one due date (after the sweep's
notices), its page took SQLite 0.8 ms for 0.15 read in order.

`(plan_id, due_on, position, id, status)` of the tasks with no closing date: the page's
open part reads the plan's range in that order, tells an overdue task from one waiting
for a date by its status, and stops at the page's end. A task leaves the index when it
closes, so it holds the open tasks only.

An index only: no table is rebuilt.

Revision ID: 0038_plan_tasks_open_due
Revises: 0037_task_people_lists
"""
import sqlalchemy as sa
from alembic import op

revision = "0038_plan_tasks_open_due"
down_revision = "0037_task_people_lists"
branch_labels = None
depends_on = None


def upgrade() -> None:
    where = sa.text("closed_on IS NULL")
    op.create_index("ix_plan_tasks_open_due", "plan_tasks", ["plan_id", "due_on", "position", "id", "status"],
                    sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    op.drop_index("ix_plan_tasks_open_due", table_name="plan_tasks")
