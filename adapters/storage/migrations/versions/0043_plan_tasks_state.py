"""plan_tasks: a task's state by its id, from an index

A search narrowed by state (the overview's "overdue tasks" links) tests each match's
state on the day, a CASE over its status and dates (`reads.task_states.task_state`). Each
match was looked up in `plan_tasks` itself, whose rows are long (the task's text, and
its words twice for the word index): on SQLite each one read from the file, for every
match up to the count's cap (a staff member's overdue search read all of their unit's
matches).

`(id, status, due_on, closed_on)`: what the test reads, by the task's id, so that SQLite
looks a match up in this short index (a COVERING INDEX, named in the statements:
`reads.task_states.by_state`). At 20k open tasks, old and new alternated call by call, a
staff member's overdue search (its count and first page) took SQLite 219 -> 99 ms (CPU),
the monitor's 146 -> 61.

On SQLite only: PostgreSQL's word index gives a match's row, which it reads anyway (its
words, `search_words`, are a column of it), and its search statements are unchanged.
An index only: no table is rebuilt; SQLite fills it from the existing rows.

Revision ID: 0043_plan_tasks_state
Revises: 0042_unit_task_counts_covering
"""
from alembic import op

revision = "0043_plan_tasks_state"
down_revision = "0042_unit_task_counts_covering"
branch_labels = None
depends_on = None


def _on_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if _on_sqlite():
        op.create_index("ix_plan_tasks_state", "plan_tasks", ["id", "status", "due_on", "closed_on"])


def downgrade() -> None:
    if _on_sqlite():
        op.drop_index("ix_plan_tasks_state", table_name="plan_tasks")
