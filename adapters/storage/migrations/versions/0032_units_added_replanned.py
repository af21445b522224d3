"""counts: on PostgreSQL, 0031's trigger for new `task_units` rows plans its SQL at each run

0031 counts an INSERT into `task_units` by one trigger run a statement, which joins the
statement's rows (`new_units`) with `task_units`, `unit_tasks` and `plan_tasks`. PL/pgSQL
plans those joins once per connection and keeps the plan; a plan made for a chunk of a
thousand rows (hash joins over whole tables) was then used for a single row, and a
connection that had started a plan read all of `task_units`, `unit_tasks` and
`plan_tasks` for each unit added afterwards. Before the tables' first ANALYZE (a new
office, its first import) the same happened from the first statement. Measured on a new
office of 8,000 tasks: a single-row INSERT into `task_units` 2.2-3.8 ms, against 0.24 ms
with the row triggers of before 0031, and growing with the office.

Run by EXECUTE, each statement is planned for the rows the INSERT wrote, and an index
lookup is chosen when they are few. Planning costs a few tenths of a millisecond a
statement; a chunk pays it once. What the function counts is 0031's, unchanged.

Revision ID: 0032_units_added_replanned
Revises: 0031_counts_per_statement
"""
import importlib

from alembic import op

revision = "0032_units_added_replanned"
down_revision = "0031_counts_per_statement"
branch_labels = None
depends_on = None


# 0031's module, for its SQL (a module whose name starts with a digit is imported by its string).
_0031 = importlib.import_module("adapters.storage.migrations.versions.0031_counts_per_statement")


def _function(*statements: str, dynamic: bool) -> str:
    """`task_units_added()` running `statements`, each by EXECUTE (planned at each run) or
    as PL/pgSQL's own (planned once per connection)."""
    if dynamic:
        body = " ".join(f"EXECUTE $sql${statement}$sql$;" for statement in statements)
    else:
        body = " ".join(f"{statement};" for statement in statements)
    return ("CREATE OR REPLACE FUNCTION task_units_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{body} RETURN NULL; END $$")


# 0031's statements, one a command (EXECUTE runs one).
_STATEMENTS = (_0031._PAIRS + _0031._UNITS_ADDED,
               *(part.strip() for part in _0031._LISTS_ADDED.split(";") if part.strip()))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_function(*_STATEMENTS, dynamic=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_function(*_STATEMENTS, dynamic=False))
