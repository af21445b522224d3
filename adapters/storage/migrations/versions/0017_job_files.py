"""jobs: the file a background job made (a report), kept to be downloaded from its page

Revision ID: 0017_job_files
Revises: 0016_inbox_claimed_index
"""
from alembic import op
import sqlalchemy as sa


revision = "0017_job_files"
down_revision = "0016_inbox_claimed_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("file_name", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("file_data", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("file_data")
        batch.drop_column("file_name")
