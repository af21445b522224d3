"""audit_events: a task's notices

A dashboard's page reads the notices sent about its tasks (`reads.page_details.told`:
audit lines whose action starts with "notice"). Through `ix_audit_events_plan_task_id`
it read every audit line of each of the page's tasks and tested its action: 0.1-0.2 ms
on SQLite for a page of 50 tasks that had been told nothing.

`(plan_task_id)` of the notices alone (the query's condition, written the same): a
page's look-ups find only its tasks' notices, and the audit lines of steps are not in
the index, so writing them costs no more.

An index only: no table is rebuilt.

Revision ID: 0039_audit_events_notices
Revises: 0038_plan_tasks_open_due
"""
import sqlalchemy as sa
from alembic import op

revision = "0039_audit_events_notices"
down_revision = "0038_plan_tasks_open_due"
branch_labels = None
depends_on = None


def upgrade() -> None:
    where = sa.text("action LIKE 'notice%' ESCAPE '/'")
    op.create_index("ix_audit_events_notices", "audit_events", ["plan_task_id"],
                    sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    op.drop_index("ix_audit_events_notices", table_name="audit_events")
