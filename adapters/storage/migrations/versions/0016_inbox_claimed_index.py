"""inbox: the steps a person took from their unit ("nhận xử lý") found through an index

The inbox asks for ready steps held by name, taken, or waiting for the unit's role, as
one OR whose branches each use an index; the taken ones had none, so every inbox read
every ready step (100,000 at a province's scale).

Revision ID: 0016_inbox_claimed_index
Revises: 0015_work_arrivals
"""
from alembic import op


revision = "0016_inbox_claimed_index"
down_revision = "0015_work_arrivals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_work_items_claimed_ready", "work_items", ["state", "claimed_by"])


def downgrade() -> None:
    op.drop_index("ix_work_items_claimed_ready", table_name="work_items")
