"""inbox: counts and filter choices kept by triggers; indexes that end in the page's order

A unit head's inbox of 100,000 ready steps was counted (total, late, due soon) and its
filter choices (plans, steps) read over every row at each page. Now:

- `inbox_counts` (holder, step, due date, n) and `inbox_choices` (holder, plan, step, n) are
  kept by triggers on `work_items`, in the transaction of the change, whoever writes it
  (a step, a sweep, a reassignment, a migration, a bulk insert). A trigger only inserts
  a row of +1 or -1 per inbox the step enters or leaves: concurrent writers never wait
  on, or deadlock over, a shared counter row. `compact_inbox_counts` (the scheduler)
  folds the rows into one per key; a count read between two folds is as exact.
- The three inbox indexes end in (due_on, id): each holder's ready steps are read in the
  page's order, a page at a time.

A holder is a person (user, 0, '') for the steps held by name or taken, or a unit's
role (0, unit or 0, role) for the steps nobody holds (the same branches as the inbox).

Revision ID: 0019_inbox_counts
Revises: 0018_calendar_version
"""
import sqlalchemy as sa
from alembic import op

revision = "0019_inbox_counts"
down_revision = "0018_calendar_version"
branch_labels = None
depends_on = None

WATCHED = "state, assignee_user_id, claimed_by, candidate_unit_id, candidate_role, due_on, step_id, step_name"
INDEXES = {
    "ix_work_items_user_ready": (["state", "assignee_user_id"], ["due_on", "id"]),
    "ix_work_items_unit_ready": (["state", "candidate_unit_id", "candidate_role"], ["due_on", "id"]),
    "ix_work_items_claimed_ready": (["state", "claimed_by"], ["due_on", "id"]),
}


def _holders(row: str, value: str, columns: list[str], source: str = "") -> str:
    """SELECT of one row per inbox the work item `row` (NEW, OLD in a trigger, or the
    alias of `source`) is in: the holder, `columns` (expressions) and `value` as n."""
    picked = "".join(f", {c}" for c in columns)
    ready = f"{source and 'FROM ' + source} WHERE {row}.state = 'ready'"
    return (
        f"SELECT {row}.assignee_user_id, 0, ''{picked}, {value} {ready} AND {row}.assignee_user_id IS NOT NULL "
        f"UNION ALL SELECT {row}.claimed_by, 0, ''{picked}, {value} {ready} AND {row}.claimed_by IS NOT NULL "
        f"AND {row}.claimed_by <> coalesce({row}.assignee_user_id, 0) "
        f"UNION ALL SELECT 0, coalesce({row}.candidate_unit_id, 0), {row}.candidate_role{picked}, {value} {ready} "
        f"AND coalesce({row}.assignee_user_id, {row}.claimed_by, 0) = 0 AND {row}.candidate_role IS NOT NULL"
    )


HOLDER = "holder_user_id, holder_unit_id, holder_role"


def _counted(row: str) -> tuple[list[str], list[str]]:
    """What each table counts of the work item `row`: its step and due date; its plan
    (from its task: a work item never changes task) and step."""
    plan = f"(SELECT t.plan_id FROM plan_tasks t WHERE t.id = {row}.plan_task_id)"
    return [f"{row}.step_id", f"{row}.due_on"], [plan, f"{row}.step_id", f"{row}.step_name"]


def _changes(row: str, sign: str) -> list[str]:
    """The statements a trigger runs for the work item `row`, counted with `sign`."""
    counts, choices = _counted(row)
    return [
        f"INSERT INTO inbox_counts ({HOLDER}, step_id, due_on, n) {_holders(row, sign, counts)}",
        f"INSERT INTO inbox_choices ({HOLDER}, plan_id, step_id, step_name, n) {_holders(row, sign, choices)}",
    ]


def _backfill() -> list[str]:
    counts, choices = _counted("w")
    return [
        f"WITH held (a, b, c, d, e, n) AS ({_holders('w', '1', counts, 'work_items w')}) "
        f"INSERT INTO inbox_counts ({HOLDER}, step_id, due_on, n) SELECT a, b, c, d, e, sum(n) FROM held "
        "GROUP BY a, b, c, d, e",
        f"WITH held (a, b, c, d, e, f, n) AS ({_holders('w', '1', choices, 'work_items w')}) "
        f"INSERT INTO inbox_choices ({HOLDER}, plan_id, step_id, step_name, n) "
        "SELECT a, b, c, d, e, f, sum(n) FROM held GROUP BY a, b, c, d, e, f",
    ]


def _body(*statements: str) -> str:
    return " ".join(f"{s};" for s in statements)


def _sqlite_triggers() -> list[str]:
    return [
        f"CREATE TRIGGER work_items_inbox_insert AFTER INSERT ON work_items WHEN NEW.state = 'ready' "
        f"BEGIN {_body(*_changes('NEW', '1'))} END",
        f"CREATE TRIGGER work_items_inbox_delete AFTER DELETE ON work_items WHEN OLD.state = 'ready' "
        f"BEGIN {_body(*_changes('OLD', '-1'))} END",
        f"CREATE TRIGGER work_items_inbox_update AFTER UPDATE OF {WATCHED} ON work_items "
        f"WHEN OLD.state = 'ready' OR NEW.state = 'ready' "
        f"BEGIN {_body(*_changes('OLD', '-1'), *_changes('NEW', '1'))} END",
    ]


def _postgresql_triggers() -> list[str]:
    return [
        "CREATE FUNCTION work_items_inbox() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        # OLD is no row in an INSERT, NEW none in a DELETE: each is read only when there.
        f"IF TG_OP <> 'INSERT' THEN IF OLD.state = 'ready' THEN {_body(*_changes('OLD', '-1'))} END IF; END IF; "
        f"IF TG_OP <> 'DELETE' THEN IF NEW.state = 'ready' THEN {_body(*_changes('NEW', '1'))} END IF; END IF; "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER work_items_inbox AFTER INSERT OR DELETE OR UPDATE OF {WATCHED} ON work_items "
        "FOR EACH ROW EXECUTE FUNCTION work_items_inbox()",
    ]


def _holder_columns() -> list[sa.Column]:
    return [sa.Column("holder_user_id", sa.Integer, nullable=False),
            sa.Column("holder_unit_id", sa.Integer, nullable=False),
            sa.Column("holder_role", sa.String(16), nullable=False)]


def upgrade() -> None:
    op.create_table("inbox_counts", sa.Column("id", sa.Integer, primary_key=True), *_holder_columns(),
                    sa.Column("step_id", sa.String(120), nullable=False), sa.Column("due_on", sa.Date),
                    sa.Column("n", sa.Integer, nullable=False))
    op.create_index("ix_inbox_counts_holder", "inbox_counts",
                    ["holder_user_id", "holder_unit_id", "holder_role", "step_id", "due_on"])
    op.create_table("inbox_choices", sa.Column("id", sa.Integer, primary_key=True), *_holder_columns(),
                    sa.Column("plan_id", sa.Integer, nullable=False), sa.Column("step_id", sa.String(120), nullable=False),
                    sa.Column("step_name", sa.String(255), nullable=False), sa.Column("n", sa.Integer, nullable=False))
    op.create_index("ix_inbox_choices_holder", "inbox_choices", ["holder_user_id", "holder_unit_id", "holder_role"])
    for name, (holder, order) in INDEXES.items():
        op.drop_index(name, table_name="work_items")
        op.create_index(name, "work_items", holder + order)
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _backfill() + (_sqlite_triggers() if sqlite else _postgresql_triggers()):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER work_items_inbox_{name}")
    else:
        op.execute("DROP TRIGGER work_items_inbox ON work_items")
        op.execute("DROP FUNCTION work_items_inbox()")
    for name, (holder, _order) in INDEXES.items():
        op.drop_index(name, table_name="work_items")
        op.create_index(name, "work_items", holder)
    op.drop_table("inbox_choices")
    op.drop_table("inbox_counts")
