"""inbox_counts, inbox_choices: their holder indexes hold every column the inbox reads

Every inbox page sums a person's holders' rows in `inbox_counts` (its counts, under
FILTERs of `due_on`, of `n`) and in `inbox_choices` (its plans and steps to filter by,
grouped, of `n`). Each index held its key but not `n` (0019; the choices' not even
their plan and step), so each count row read went on to its table row: the unit head's
435 count rows and 100 choice rows at 100,000 open. With every column the reads take in
each index, SQLite reads the index alone (a COVERING INDEX). The choices' index now
lists the rest of their key in the order of `inbox_counts.KEYS` (plan, step id, step
name), as the counts' did: a fold of every key reads them in that order.

They replace the two indexes of the same names, which they serve as well: a write of a
count row still updates one index of its table. At 100,000 open on SQLite (the kept
bench office, CPU time of the whole inbox read, old and new indexes alternated call by
call on two copies, 4,000 pairs, twice, on a machine shared with other work): the unit
head's first page -0.11 ms (1.54 -> 1.42 and 1.72 -> 1.62 under that load; new faster
in two pairs of three), a staff member's -0.02 ms; the same copy against itself, -0.01.
PostgreSQL plans the head's read the same at 20,000 open: the counts in a BitmapOr of
the holders' ranges, then their rows (a bitmap is no Index Only Scan), the choices (161
rows) by a scan of their table.

Indexes only: no table is rebuilt, the triggers are unchanged.

Revision ID: 0046_inbox_counts_covering
Revises: 0045_state_index_on_postgresql
"""
from alembic import op

revision = "0046_inbox_counts_covering"
down_revision = "0045_state_index_on_postgresql"
branch_labels = None
depends_on = None

HOLDER = ["holder_user_id", "holder_unit_id", "holder_role"]
# Each index as it was (0019), and the columns it now holds after them.
INDEXES = {
    "ix_inbox_counts_holder": ("inbox_counts", [*HOLDER, "step_id", "due_on"], ["n"]),
    "ix_inbox_choices_holder": ("inbox_choices", HOLDER, ["plan_id", "step_id", "step_name", "n"]),
}


def upgrade() -> None:
    for name, (table, columns, added) in INDEXES.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns + added)


def downgrade() -> None:
    for name, (table, columns, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns)
