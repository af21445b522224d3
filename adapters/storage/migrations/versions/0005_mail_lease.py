"""mail lease: a notice's mail is claimed (owner, expiry) before it is sent

Revision ID: 0005_mail_lease
Revises: 0004_import_drafts
"""
from alembic import op
import sqlalchemy as sa


revision = "0005_mail_lease"
down_revision = "0004_import_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.add_column(sa.Column("mail_claimed_by", sa.String(length=120)))
        batch.add_column(sa.Column("mail_lease_until", sa.DateTime()))


def downgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("mail_lease_until")
        batch.drop_column("mail_claimed_by")
