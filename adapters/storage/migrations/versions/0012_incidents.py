"""incidents: a step or timer whose workflow failed (engine/process/incidents.py)

Revision ID: 0012_incidents
Revises: 0011_sessions_logins
"""
from alembic import op
import sqlalchemy as sa


revision = "0012_incidents"
down_revision = "0011_sessions_logins"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("plan_task_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("element", sa.String(length=120)),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("work_item_id", sa.Integer()),
        sa.Column("user_id", sa.Integer()),
        sa.Column("data", sa.JSON()),
        sa.Column("resolved_at", sa.DateTime()),
        sa.Column("resolved_by", sa.Integer()),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"],
                                name=op.f("fk_incidents_instance_id_process_instances")),
        sa.ForeignKeyConstraint(["plan_task_id"], ["plan_tasks.id"], name=op.f("fk_incidents_plan_task_id_plan_tasks")),
        sa.ForeignKeyConstraint(["work_item_id"], ["work_items.id"], name=op.f("fk_incidents_work_item_id_work_items")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_incidents_user_id_users")),
        sa.ForeignKeyConstraint(["resolved_by"], ["users.id"], name=op.f("fk_incidents_resolved_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    op.create_index(op.f("ix_incidents_instance_id"), "incidents", ["instance_id"])
    op.create_index("ix_incidents_state", "incidents", ["state"])


def downgrade() -> None:
    op.drop_index("ix_incidents_state", table_name="incidents")
    op.drop_index(op.f("ix_incidents_instance_id"), table_name="incidents")
    op.drop_table("incidents")
