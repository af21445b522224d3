"""office days: who added each one, and when

Revision ID: 0003_office_days_audit
Revises: 0002_notices
"""
from alembic import op
import sqlalchemy as sa


revision = "0003_office_days_audit"
down_revision = "0002_notices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: days stored before this revision have no known author.
    with op.batch_alter_table("office_days", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("created_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_office_days_created_by_users"), "users",
                                    ["created_by"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("office_days", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_office_days_created_by_users"), type_="foreignkey")
        batch_op.drop_column("created_at")
        batch_op.drop_column("created_by")
