"""deadline notices (with their e-mail outbox) and extension requests

Revision ID: 0002_notices
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "0002_notices"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("plan_task_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("step_task_id", sa.String(length=36), nullable=True),
        sa.Column("step_id", sa.String(length=120), nullable=True),
        sa.Column("step_name", sa.String(length=255), nullable=True),
        sa.Column("rung", sa.String(length=16), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("days_late", sa.Integer(), nullable=True),
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
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"], name=op.f("fk_notices_instance_id_process_instances")),
        sa.ForeignKeyConstraint(["plan_task_id"], ["plan_tasks.id"], name=op.f("fk_notices_plan_task_id_plan_tasks")),
        sa.ForeignKeyConstraint(["recipient_user_id"], ["users.id"], name=op.f("fk_notices_recipient_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("key", name=op.f("uq_notices_key")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notices_plan_task_id"), ["plan_task_id"], unique=False)
        batch_op.create_index("ix_notices_recipient_read", ["recipient_user_id", "read_at"], unique=False)
        batch_op.create_index("ix_notices_outbox", ["email_state", "next_attempt_at"], unique=False)

    op.create_table(
        "extension_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_task_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("work_item_id", sa.Integer(), nullable=False),
        sa.Column("step_task_id", sa.String(length=36), nullable=False),
        sa.Column("step_id", sa.String(length=120), nullable=False),
        sa.Column("step_name", sa.String(length=255), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("old_due", sa.Date(), nullable=True),
        sa.Column("new_due", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("approver_user_id", sa.Integer(), nullable=True),
        sa.Column("approver_unit_id", sa.Integer(), nullable=True),
        sa.Column("approver_role", sa.String(length=16), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["approver_unit_id"], ["units.id"], name=op.f("fk_extension_requests_approver_unit_id_units")),
        sa.ForeignKeyConstraint(["approver_user_id"], ["users.id"], name=op.f("fk_extension_requests_approver_user_id_users")),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"], name=op.f("fk_extension_requests_decided_by_users")),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"], name=op.f("fk_extension_requests_instance_id_process_instances")),
        sa.ForeignKeyConstraint(["plan_task_id"], ["plan_tasks.id"], name=op.f("fk_extension_requests_plan_task_id_plan_tasks")),
        sa.ForeignKeyConstraint(["requested_by"], ["users.id"], name=op.f("fk_extension_requests_requested_by_users")),
        sa.ForeignKeyConstraint(["work_item_id"], ["work_items.id"], name=op.f("fk_extension_requests_work_item_id_work_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extension_requests")),
    )
    with op.batch_alter_table("extension_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_extension_requests_plan_task_id"), ["plan_task_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_extension_requests_work_item_id"), ["work_item_id"], unique=False)
        batch_op.create_index("ix_extension_requests_user_pending", ["state", "approver_user_id"], unique=False)
        batch_op.create_index("ix_extension_requests_unit_pending", ["state", "approver_unit_id", "approver_role"], unique=False)


def downgrade() -> None:
    op.drop_table("extension_requests")
    op.drop_table("notices")
