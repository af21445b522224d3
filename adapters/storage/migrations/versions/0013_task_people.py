"""the people an assignment names beside the main handler: co-handlers and for information

`plan_tasks.people`: {"co_handlers": [user ids], "informed": [user ids]}, written by the
assign step (engine/tasks/steps.py); they read the task (engine/access/task_access.py).

Revision ID: 0013_task_people
Revises: 0012_incidents
"""
from alembic import op
import sqlalchemy as sa

revision = "0013_task_people"
down_revision = "0012_incidents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("plan_tasks", sa.Column("people", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_tasks") as batch:
        batch.drop_column("people")
