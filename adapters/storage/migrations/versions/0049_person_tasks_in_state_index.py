"""plan_tasks: a task's plan and place in it beside its status and dates, by its id

A person page reads the tasks the person took part in (`reads.reader_scope.TookPart`), a
set of ids from the work items and the people named, and looks each one up: its plan and
state for the counts, and its state, due date, plan and position for the page's order
(most urgent first). Only its row held its plan and position, and the rows are long (the
task's text, its words twice): a unit head who completed the assignment of 13,980 tasks
(100,000 open, the bench office) had each of those rows read twice, by the counts and by
the page, which sorted all 13,980 rows with their texts to show 50. SQLite read them from
the file: 62 ms for the counts, 70 for the page (CPU).

`ix_plan_tasks_state` (0043, 0045) with `plan_id` and `position` after its columns: the
person's tasks are then looked up in this short index alone (on SQLite named in the
statements, `reads.task_states.by_state`), the page's order worked out there and only its
50 rows read (`reads.page_statements._most_urgent`). Its first columns are as before: a search narrowed by state
reads it as it did. That head's person page, old and new alternated on a shared machine:
SQLite 100,000 open 116 -> 54 ms CPU (10 rounds, new faster in all); PostgreSQL 20,000 open
(2,876 tasks) 124 -> 73 ms wall (6 of 6). The index: SQLite 3.1 -> 3.2 MB at 100,000 tasks,
built in 0.3 s; PostgreSQL 816 -> 992 kB at 20,000.

An index only, made again with two more integer columns: no table is rebuilt.

Revision ID: 0049_person_tasks_in_state_index
Revises: 0048_plan_task_counts
"""
from alembic import op

revision = "0049_person_tasks_in_state_index"
down_revision = "0048_plan_task_counts"
branch_labels = None
depends_on = None

COLUMNS = ["id", "status", "due_on", "closed_on"]
ADDED = ["plan_id", "position"]


def upgrade() -> None:
    op.drop_index("ix_plan_tasks_state", table_name="plan_tasks")
    op.create_index("ix_plan_tasks_state", "plan_tasks", COLUMNS + ADDED)


def downgrade() -> None:
    op.drop_index("ix_plan_tasks_state", table_name="plan_tasks")
    op.create_index("ix_plan_tasks_state", "plan_tasks", COLUMNS)
