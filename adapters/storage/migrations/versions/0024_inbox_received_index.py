"""inbox: the steps waiting for a unit's role in the order received

The inbox sorted by "received" (newest first) sorted every step the person may take: a
unit head's 100,000 at a province's scale. `ix_work_items_unit_received` gives a unit
role's ready steps in that order, so the page reads as many as it shows, as the due
order does (`ix_work_items_unit_ready`). A person's own steps (by name, taken) are few
and keep their indexes. An index only: no table is rebuilt, and the count triggers of
0019 stay.

Revision ID: 0024_inbox_received_index
Revises: 0023_plan_read_indexes
"""
from alembic import op

revision = "0024_inbox_received_index"
down_revision = "0023_plan_read_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_work_items_unit_received", "work_items",
                    ["state", "candidate_unit_id", "candidate_role", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_work_items_unit_received", table_name="work_items")
