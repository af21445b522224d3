"""process events: deploys and migration batches kept with who, when, from, to and results

Revision ID: 0008_process_events
Revises: 0007_claims_search_text
"""
from alembic import op
import sqlalchemy as sa


revision = "0008_process_events"
down_revision = "0007_claims_search_text"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "process_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_key", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("from_version_id", sa.Integer(), nullable=True),
        sa.Column("to_version_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_user_id"], ["users.id"], name=op.f("fk_process_events_actor_user_id_users")),
        sa.ForeignKeyConstraint(["from_version_id"], ["process_versions.id"],
                                name=op.f("fk_process_events_from_version_id_process_versions")),
        sa.ForeignKeyConstraint(["to_version_id"], ["process_versions.id"],
                                name=op.f("fk_process_events_to_version_id_process_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_events")),
    )
    op.create_index(op.f("ix_process_events_process_key"), "process_events", ["process_key"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_process_events_process_key"), table_name="process_events")
    op.drop_table("process_events")
