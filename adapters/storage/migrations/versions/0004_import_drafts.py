"""import drafts: a parsed plan waiting for its review (adapters/storage/import_drafts.py)

Revision ID: 0004_import_drafts
Revises: 0003_office_days_audit
"""
from alembic import op
import sqlalchemy as sa


revision = "0004_import_drafts"
down_revision = "0003_office_days_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("source_name", sa.String(length=255), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_import_drafts_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_drafts")),
    )


def downgrade() -> None:
    op.drop_table("import_drafts")
