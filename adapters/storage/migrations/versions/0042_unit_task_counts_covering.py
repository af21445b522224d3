"""unit_task_counts: its two indexes hold every column the unit page and the dashboard read

The unit page's counts and plans sum a unit's groups in `unit_task_counts` (status,
dates and `n` through a CASE, and `n` by plan), and the dashboard's lead units and unit
choices a plan's lead groups (unit, status, dates, `n`). Both indexes held only their
keys (0021, 0023), so each group read went on to its table row; a group holds about two
tasks (deadlines over the year), so the unit head's page read about 6,000 rows at 20k
open tasks. With every column in each index, both databases read the index alone
(SQLite a COVERING INDEX, PostgreSQL an Index Only Scan).

The unit's index now leads with (unit_id, plan_id, lead): the plans part groups the
unit's rows by plan in index order (no sort), one plan's counts are a range of it, and
`lead` is a column it reads, not a range. The plan's index keeps its key (plan_id,
lead, unit_id). They replace the two indexes of the same names, which they serve as
well: a write still updates two indexes of the table. At 20k open tasks (the unit
head's 6,010 groups), old and new alternated call by call, n = 100, the unit page's
counts-and-plans statement: SQLite 2.55 -> 1.86 ms (CPU), PostgreSQL 2.45 -> 1.94 ms
(wall; each part an Index Only Scan in place of a Bitmap Heap Scan).

Only a closing or a change of plan, dates or units writes this table (a -1 and a +1
per unit of the task); an ordinary step writes none. A closing's UPDATE measured
0.64 -> 0.70 ms on SQLite (CPU) and the same on PostgreSQL. On PostgreSQL the
rows added since the last vacuum are on pages not yet all-visible, read from the table
("Heap Fetches"); autovacuum's insert threshold (1000 + 20% of the rows) vacuums them
as the triggers write.

Indexes only: no table is rebuilt, the triggers are unchanged.

Revision ID: 0042_unit_task_counts_covering
Revises: 0041_inbox_counts_one_statement
"""
from alembic import op

revision = "0042_unit_task_counts_covering"
down_revision = "0041_inbox_counts_one_statement"
branch_labels = None
depends_on = None

# What each read takes from a group row besides its index's key.
READ = ["status", "due_on", "closed_on", "n"]


def upgrade() -> None:
    op.drop_index("ix_unit_task_counts_unit", table_name="unit_task_counts")
    op.create_index("ix_unit_task_counts_unit", "unit_task_counts", ["unit_id", "plan_id", "lead", *READ])
    op.drop_index("ix_unit_task_counts_plan", table_name="unit_task_counts")
    op.create_index("ix_unit_task_counts_plan", "unit_task_counts", ["plan_id", "lead", "unit_id", *READ])


def downgrade() -> None:
    op.drop_index("ix_unit_task_counts_plan", table_name="unit_task_counts")
    op.create_index("ix_unit_task_counts_plan", "unit_task_counts", ["plan_id", "lead", "unit_id"])
    op.drop_index("ix_unit_task_counts_unit", table_name="unit_task_counts")
    op.create_index("ix_unit_task_counts_unit", "unit_task_counts", ["unit_id", "lead", "plan_id"])
