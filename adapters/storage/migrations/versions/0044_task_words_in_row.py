"""PostgreSQL: each task's words (`search_words`, 0020) kept in its row, compressed

A task's text (about 600 characters) gives a tsvector of over 1 KB compressed, and its
row, with the texts the ranking reads, is over the 2 KB past which PostgreSQL moves its
longest values out of the row (EXTENDED storage, the default): the vector went to the
TOAST table. A search tests its words on the vector of each task it reads (its count
reads up to 10,001 matches, by a scan of the table when most tasks hold the words; the
words side by side are tested on the vector after the GIN index too): each test read
the vector's chunks from the TOAST table and its index besides the row. MAIN storage
keeps the vector in the row, compressed (out of it only if the row would not fit in a
page). At 20,000 tasks (the bench office, after VACUUM) the monitor's
search of a word every task holds read 32,163 pages for its count and 14,571 for its
page, 6,849 and 6,785 after; a staff member's 47,980 and 24,348, 8,128 and 13,715; their
searches, paired 40 times on a shared machine, took 110 -> 40 ms and 184 -> 88 (median).

STORAGE applies to values written after it: every row is written again here, so that
the existing vectors move into their rows. `search_words` is generated (it cannot be
set): setting `search_folded` to itself has PostgreSQL compute it again and store it
so. No trigger fires (none is on an UPDATE OF `search_folded`). The old row versions and
vector chunks stay in the table's files until VACUUM, which cannot run in a
migration's transaction: the table is bigger until the next (auto)vacuum (at 20,000
tasks the migration took 6.7 s; the table and its TOAST table, 36 and 35 MB, were 77 and
59 MB after it, 41 and 32 MB after VACUUM FULL).

On PostgreSQL only: SQLite's words are in its FTS5 table (0009).

Revision ID: 0044_task_words_in_row
Revises: 0043_plan_tasks_state
"""
from alembic import op

revision = "0044_task_words_in_row"
down_revision = "0043_plan_tasks_state"
branch_labels = None
depends_on = None


def _store_words(storage: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE plan_tasks ALTER COLUMN search_words SET STORAGE {storage}")
    op.execute("UPDATE plan_tasks SET search_folded = search_folded")


def upgrade() -> None:
    _store_words("MAIN")


def downgrade() -> None:
    _store_words("EXTENDED")
