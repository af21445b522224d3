"""inbox: the indexes of `work_items` hold only the ready steps of their kind of holder

The seven inbox indexes (0016, 0019, 0024, 0028) held every work item ever, led by
`state`: completed and cancelled ones, and those whose holder column is NULL (a unit's
step sat in the person indexes under NULL). A step moved its item in all seven and its
new item entered all seven: about half of the pages a step wrote to SQLite's WAL. On
PostgreSQL, an UPDATE of `state` (an indexed column) is not HOT, so the completed row's
new version entered every index.

Each is now partial, `WHERE state = 'ready' AND <holder> IS NOT NULL`, its keys without
`state`: the person indexes hold steps held by name, the claimed ones taken steps, the
unit ones steps waiting for a role. A completed step leaves the indexes it was in, and
its new version on PostgreSQL enters none of them. The inbox's queries already name the
state as the literal `'ready'` and compare the holder column, which both databases need
to read a partial index.

`ix_work_items_instance_id` goes: `uq_work_items_instance_task` (instance, task) serves
every look-up by instance on both databases.

Indexes only: no table is rebuilt, and the triggers of 0019, 0028 and 0031 stay.

Revision ID: 0033_inbox_partial_indexes
Revises: 0032_units_added_replanned
"""
import sqlalchemy as sa
from alembic import op

revision = "0033_inbox_partial_indexes"
down_revision = "0032_units_added_replanned"
branch_labels = None
depends_on = None

# Each index: its holder column (the one the condition asks to be set) and its columns after `state`.
INDEXES = {
    "ix_work_items_user_ready": ("assignee_user_id", ["assignee_user_id", "due_on", "id"]),
    "ix_work_items_unit_ready": ("candidate_role", ["candidate_unit_id", "candidate_role", "due_on", "id"]),
    "ix_work_items_claimed_ready": ("claimed_by", ["claimed_by", "due_on", "id"]),
    "ix_work_items_unit_received": ("candidate_role", ["candidate_unit_id", "candidate_role", "created_at", "id"]),
    "ix_work_items_user_plan": ("assignee_user_id", ["assignee_user_id", "plan_id", "due_on", "id"]),
    "ix_work_items_unit_plan": ("candidate_role", ["candidate_unit_id", "candidate_role", "plan_id", "due_on", "id"]),
    "ix_work_items_claimed_plan": ("claimed_by", ["claimed_by", "plan_id", "due_on", "id"]),
}


def upgrade() -> None:
    op.drop_index("ix_work_items_instance_id", table_name="work_items")
    for name, (holder, columns) in INDEXES.items():
        where = sa.text(f"state = 'ready' AND {holder} IS NOT NULL")
        op.drop_index(name, table_name="work_items")
        op.create_index(name, "work_items", columns, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name, (_, columns) in INDEXES.items():
        op.drop_index(name, table_name="work_items")
        op.create_index(name, "work_items", ["state", *columns])
    op.create_index("ix_work_items_instance_id", "work_items", ["instance_id"])
