"""PostgreSQL: a task's state by its id, from an index (0043's, on SQLite only until now)

A search narrowed to a state of few tasks reads the state's ids first and looks each of
them up (`ProgressQueries._state_first`): first 64 of them in id order, to estimate how
many the state holds, then all of them. The state is a CASE over a task's status and
dates (`reads.task_states.task_state`), which no index holds: without this one PostgreSQL
read the overdue and in-progress tasks through `ix_plan_tasks_plan_due`'s range of due
dates and each task's row for its id, and the other states (waiting for a date, done)
through every row of the table, in id order (at 20,000 tasks a state of no task read
6,611 pages, 11 ms, to find none).

`(id, status, due_on, closed_on)`, as on SQLite: the state's ids read in id order from
this short index alone (an index-only scan), stopping at the probe's 64. At 20,000 tasks
(the bench office) the probe of the overdue tasks read 16 pages, 1,645 before; their ids
all 102 pages, 1,639; the state of no task 102, 6,611 (11 ms -> 2.9). The index is 816
kB there (the primary key 496). Every task inserted writes it, as the other indexes
(`ix_plan_tasks_plan_due`, `ix_plan_tasks_status`) on its columns: an update that
changes none of them is still a HOT update, one that changes one of them wrote a new
entry in those indexes already.

An index only: no table is rewritten. Created in the migration's transaction (not
CONCURRENTLY), it holds writes to `plan_tasks` while it is built: 34-84 ms at 20,000
tasks (three builds on a shared machine).

Revision ID: 0045_state_index_on_postgresql
Revises: 0044_task_words_in_row
"""
from alembic import op

revision = "0045_state_index_on_postgresql"
down_revision = "0044_task_words_in_row"
branch_labels = None
depends_on = None


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if _on_postgresql():
        op.create_index("ix_plan_tasks_state", "plan_tasks", ["id", "status", "due_on", "closed_on"])


def downgrade() -> None:
    if _on_postgresql():
        op.drop_index("ix_plan_tasks_state", table_name="plan_tasks")
