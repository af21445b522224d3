"""history: indexes of the steps a person holds by name or completed, whatever their state

The person page and a reader-scoped search (engine/access/task_access.py's `may_read`)
ask for the tasks with a step `assignee_user_id = u OR completed_by = u`. The inbox's
indexes (0033) hold only ready steps, and `completed_by` had none, so that read scanned
`work_items` whole (at 100,000 open instances ~40 ms of each statement on either
database).

Two partial indexes, one for each side of the OR, so that SQLite's OR optimisation and
PostgreSQL's BitmapOr read both: `(assignee_user_id, plan_task_id)` of the steps held by
name and `(completed_by, plan_task_id)` of the completed ones. `plan_task_id`, what the
read wants, is in the key: SQLite answers from the index alone. Each holds only rows with
its column set: a step waiting for a unit's role enters neither until it is completed.

Indexes only: no table is rebuilt.

Revision ID: 0034_history_indexes
Revises: 0033_inbox_partial_indexes
"""
import sqlalchemy as sa
from alembic import op

revision = "0034_history_indexes"
down_revision = "0033_inbox_partial_indexes"
branch_labels = None
depends_on = None

# Each index: the person column it is looked up by (and holds only rows with it set).
INDEXES = {
    "ix_work_items_assignee_tasks": "assignee_user_id",
    "ix_work_items_completed_by_tasks": "completed_by",
}


def upgrade() -> None:
    for name, person in INDEXES.items():
        where = sa.text(f"{person} IS NOT NULL")
        op.create_index(name, "work_items", [person, "plan_task_id"], sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="work_items")
