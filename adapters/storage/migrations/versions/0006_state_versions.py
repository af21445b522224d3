"""process instances: planflow's state version and SpiffWorkflow's format stored apart

`serializer_version` held "planflow-1+spiff-3.2.0" (planflow's layout and the exact
SpiffWorkflow release); it now holds SpiffWorkflow's serialization format alone
(3.2.x writes "1.5"), and `state_version` planflow's layout. The texts themselves are
read either way (engine/workflow/serializer.py) and rewritten on their next save.

Revision ID: 0006_state_versions
Revises: 0005_mail_lease
"""
from alembic import op
import sqlalchemy as sa


revision = "0006_state_versions"
down_revision = "0005_mail_lease"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_instances") as batch:
        batch.add_column(sa.Column("state_version", sa.String(length=40), nullable=False,
                                   server_default="planflow-1"))
    op.execute("UPDATE process_instances SET serializer_version = '1.5' "
               "WHERE serializer_version LIKE 'planflow-1+spiff-3.2.%'")


def downgrade() -> None:
    op.execute("UPDATE process_instances SET serializer_version = 'planflow-1+spiff-3.2.0' "
               "WHERE serializer_version = '1.5'")
    with op.batch_alter_table("process_instances") as batch:
        batch.drop_column("state_version")
