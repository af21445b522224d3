"""inbox_counts: its holder index lists the due date before the step

Every inbox read sums a person's holders' count rows four times: all of them, the
overdue, those due soon and the undated (`inbox_totals._inbox_counts`). By (holder, step,
due date) a holder's rows of one date range were spread over its steps, so SQLite read
every row of the holder once and tested each against the three ranges (the sums under
FILTER). By (holder, due date, step) each range is one range of the index: the overdue,
soon and undated sums read their own rows alone, and only the total reads them all, for
`n` alone. At 100,000 open the unit head's 435 count rows (95 overdue, 6 soon, 1 undated):
0.25 ms -> 0.12 of SQLite's time for that holder's four sums.

The same columns in another order, replacing the index of the same name: a write of a
count row still updates one index of its table. A fold finds a key's rows by all its
columns, as well in this order; `inbox_counts.KEYS` lists them in it, so that a fold of
every key reads the table in its index's order as before.

PostgreSQL reads a person's holders' count rows in one scan as before (the holders' OR,
`inbox_totals._counted`); built afresh (as here, or by any REINDEX), the compact index led
it to read the whole index and filter it, unless the holder columns bound its scan too.

Index only: no table is rebuilt, the triggers are unchanged.

Revision ID: 0047_inbox_counts_by_due_date
Revises: 0046_inbox_counts_covering
"""
from alembic import op

revision = "0047_inbox_counts_by_due_date"
down_revision = "0046_inbox_counts_covering"
branch_labels = None
depends_on = None

HOLDER = ["holder_user_id", "holder_unit_id", "holder_role"]


def upgrade() -> None:
    op.drop_index("ix_inbox_counts_holder", table_name="inbox_counts")
    op.create_index("ix_inbox_counts_holder", "inbox_counts", [*HOLDER, "due_on", "step_id", "n"])


def downgrade() -> None:
    op.drop_index("ix_inbox_counts_holder", table_name="inbox_counts")
    op.create_index("ix_inbox_counts_holder", "inbox_counts", [*HOLDER, "step_id", "due_on", "n"])
