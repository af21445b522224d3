"""director: an index of the tasks a person directs

A reader who does not read every task (engine/access/task_access.py's `may_read`) reads
those they direct among others: `plan_tasks.director_user_id = u`, which no index held.
A search or plan page narrowed to such a reader then tested every task of the office
against an OR of its conditions (a staff member's search read all 20,000 tasks on
PostgreSQL, a quarter of a second). The reader's tasks are now one UNION of ids, each
part read through an index, and this is the directed part's.

`(director_user_id, id)`, holding only the tasks with a director: the id, what the read
wants, is in the key (PostgreSQL answers from the index alone; SQLite's rowid is in
every index anyway).

An index only: no table is rebuilt.

Revision ID: 0036_director_index
Revises: 0035_task_people
"""
import sqlalchemy as sa
from alembic import op

revision = "0036_director_index"
down_revision = "0035_task_people"
branch_labels = None
depends_on = None


def upgrade() -> None:
    where = sa.text("director_user_id IS NOT NULL")
    op.create_index("ix_plan_tasks_director", "plan_tasks", ["director_user_id", "id"],
                    sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    op.drop_index("ix_plan_tasks_director", table_name="plan_tasks")
