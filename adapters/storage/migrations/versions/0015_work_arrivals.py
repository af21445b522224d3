"""work arrivals: people told when work reaches them (engine/tasks/arrivals.py), and how they want mail

Revision ID: 0015_work_arrivals
Revises: 0014_jobs
"""
from alembic import op
import sqlalchemy as sa


revision = "0015_work_arrivals"
down_revision = "0014_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("notice_mail", sa.String(length=8), nullable=False, server_default="each"))
    op.create_table(
        "arrivals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("plan_task_id", sa.Integer(), nullable=False),
        sa.Column("work_item_id", sa.Integer(), nullable=True),
        sa.Column("extension_request_id", sa.Integer(), nullable=True),
        sa.Column("step_name", sa.String(length=255), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("recipient_user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("email_to", sa.String(length=255), nullable=True),
        sa.Column("email_state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("mail_claimed_by", sa.String(length=120), nullable=True),
        sa.Column("mail_lease_until", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["plan_task_id"], ["plan_tasks.id"], name=op.f("fk_arrivals_plan_task_id_plan_tasks")),
        sa.ForeignKeyConstraint(["work_item_id"], ["work_items.id"], name=op.f("fk_arrivals_work_item_id_work_items")),
        sa.ForeignKeyConstraint(["extension_request_id"], ["extension_requests.id"],
                                name=op.f("fk_arrivals_extension_request_id_extension_requests")),
        sa.ForeignKeyConstraint(["recipient_user_id"], ["users.id"], name=op.f("fk_arrivals_recipient_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arrivals")),
        sa.UniqueConstraint("key", name=op.f("uq_arrivals_key")),
    )
    op.create_index("ix_arrivals_recipient_read", "arrivals", ["recipient_user_id", "read_at"])
    op.create_index("ix_arrivals_outbox", "arrivals", ["email_state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_arrivals_outbox", table_name="arrivals")
    op.drop_index("ix_arrivals_recipient_read", table_name="arrivals")
    op.drop_table("arrivals")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("notice_mail")
