"""inbox: on PostgreSQL each count trigger writes both count tables in one statement

A step's UPDATE of its item (ready -> completed) ran `work_items_inbox` (0019), and the
INSERT of its next item `work_items_inbox_added` (0031): each sent two statements, one
per count table, each listing the item's holders again, and each choice looked its plan
up in `plan_tasks`. Each now lists the holders once, as a CTE that one INSERT into
`inbox_counts` and one into `inbox_choices` both read (one statement, one pass over the
statement's new rows), and takes the plan from the item's own `plan_id`, which 0028's
trigger sets from the task before any AFTER trigger runs (and moves with it). Server
time of the step's write, which runs both: 1.41 -> 1.19 and 1.55 -> 1.37 ms in two runs
(pg_stat_statements, 20k open, old and new alternated in 16 + 16 blocks of 25 steps; new
lower in 15 and 11 of 16 block pairs); the two triggers' own time 0.47 -> 0.36 ms
(auto_explain, n = 120 each).

The rows written are the same: one per holder a changed item leaves or enters, counted
by group for an INSERT's rows. The triggers themselves, their events and columns are
unchanged; only their functions are replaced. SQLite's triggers are untouched.

Revision ID: 0041_inbox_counts_one_statement
Revises: 0040_people_trigger_when_named
"""
import importlib

from alembic import op

revision = "0041_inbox_counts_one_statement"
down_revision = "0040_people_trigger_when_named"
branch_labels = None
depends_on = None

# The functions as 0019 and 0031 left them (a module whose name starts with a digit is imported by its string).
_0019 = importlib.import_module("adapters.storage.migrations.versions.0019_inbox_counts")
_0031 = importlib.import_module("adapters.storage.migrations.versions.0031_counts_per_statement")

HOLDER = "holder_user_id, holder_unit_id, holder_role"
# What each holder's row carries: the counts' step and due date, the choices' plan and step.
HELD = "a, b, c, step_id, due_on, plan_id, step_name"


def _holders(row: str, source: str = "") -> str:
    """One row per inbox the work item `row` (OLD or NEW, or the ready rows of `source`,
    aliased `row`) is in, as 0019's `_holders` says: a person by name or who took it, else
    a unit's role."""
    carried = f"{row}.step_id, {row}.due_on, {row}.plan_id, {row}.step_name"
    found = f" FROM {source} WHERE {row}.state = 'ready' AND" if source else " WHERE"
    return (
        f"SELECT {row}.assignee_user_id, 0, '', {carried}{found} {row}.assignee_user_id IS NOT NULL "
        f"UNION ALL SELECT {row}.claimed_by, 0, '', {carried}{found} {row}.claimed_by IS NOT NULL "
        f"AND {row}.claimed_by <> coalesce({row}.assignee_user_id, 0) "
        f"UNION ALL SELECT 0, coalesce({row}.candidate_unit_id, 0), {row}.candidate_role, {carried}{found} "
        f"coalesce({row}.assignee_user_id, {row}.claimed_by, 0) = 0 AND {row}.candidate_role IS NOT NULL"
    )


def _counted(held: str, n: str, grouped: bool) -> str:
    """One INSERT into each count table from the holders `held`, each row counted `n`
    (by group, when `grouped`)."""
    counts, choices = "a, b, c, step_id, due_on", "a, b, c, plan_id, step_id, step_name"
    by = (lambda columns: f" GROUP BY {columns}") if grouped else (lambda columns: "")
    return (
        f"WITH held ({HELD}) AS ({held}), "
        f"counted AS (INSERT INTO inbox_counts ({HOLDER}, step_id, due_on, n) SELECT {counts}, {n} FROM held{by(counts)}) "
        f"INSERT INTO inbox_choices ({HOLDER}, plan_id, step_id, step_name, n) SELECT {choices}, {n} FROM held{by(choices)};"
    )


UPGRADE = [
    "CREATE OR REPLACE FUNCTION work_items_inbox() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    # OLD is no row in an INSERT, NEW none in a DELETE: each is read only when there.
    f"IF TG_OP <> 'INSERT' THEN IF OLD.state = 'ready' THEN {_counted(_holders('OLD'), '-1', False)} END IF; END IF; "
    f"IF TG_OP <> 'DELETE' THEN IF NEW.state = 'ready' THEN {_counted(_holders('NEW'), '1', False)} END IF; END IF; "
    "RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION work_items_inbox_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"{_counted(_holders('w', f'{_0031.ITEMS} w'), 'count(*)', True)} RETURN NULL; END $$",
]

# 0019's row function and 0031's statement function, as they were.
DOWNGRADE = [
    _0019._postgresql_triggers()[0].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1),
    next(s for s in _0031.UPGRADE if s.startswith("CREATE FUNCTION work_items_inbox_added()"))
    .replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1),
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in DOWNGRADE:
        op.execute(statement)
