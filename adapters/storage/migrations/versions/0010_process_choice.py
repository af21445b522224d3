"""plans and tasks choose their process (any process id; plan_task by default)

Revision ID: 0010_process_choice
Revises: 0009_task_word_index
"""
from alembic import op
import sqlalchemy as sa


revision = "0010_process_choice"
down_revision = "0009_task_word_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("plans", "plan_tasks"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("process_key", sa.String(length=120), nullable=False,
                                       server_default="plan_task"))


def downgrade() -> None:
    for table in ("plan_tasks", "plans"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("process_key")
