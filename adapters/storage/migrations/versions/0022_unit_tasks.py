"""unit page: a unit's tasks with the columns its list sorts by, kept by triggers

The unit page lists a unit's tasks most urgent first. Its task list joined every task the
unit leads or coordinates (100,000 at a province's scale) to sort them for one page.
`unit_tasks` holds one row per (unit, task), led by it or only coordinated, with a copy
of the task's plan, position, status and dates and its `sort_group`:

- 0: open (no closing date) and not waiting for a date;
- 1: waiting for a date (no closing date);
- 2: closed with a closing date;
- 3: anything else (a closing date on a task not closed).

Within a group, the list's order on any day is the order of the index ending in
(due_on, plan_id, position, task_id): the page is read a part at a time, each in index
order up to the page's end (`reads.page_statements.unit_page`).

Triggers keep it in the transaction of the change: a change of a `task_units` row
rewrites the row of its unit and task from the units it has now (a unit that leads and
coordinates a task has one row, as leading); a change of a task's plan, position,
status or dates rewrites its rows; a deleted task's rows go before the cascade deletes
its units, whose own triggers then find no task and write nothing.

Revision ID: 0022_unit_tasks
Revises: 0021_unit_task_counts
"""
import sqlalchemy as sa
from alembic import op

revision = "0022_unit_tasks"
down_revision = "0021_unit_task_counts"
branch_labels = None
depends_on = None

COLUMNS = "unit_id, task_id, lead, plan_id, position, status, due_on, closed_on, sort_group"


def _group(row: str) -> str:
    return (f"(CASE WHEN {row}.closed_on IS NULL THEN (CASE WHEN {row}.status = 'waiting_date' THEN 1 ELSE 0 END) "
            f"WHEN {row}.status = 'closed' THEN 2 ELSE 3 END)")


def _rows_of(where: str) -> str:
    """The rows of `unit_tasks` for the pairs of `task_units` (as `x`) that `where` keeps."""
    return (f"INSERT INTO unit_tasks ({COLUMNS}) "
            f"SELECT x.unit_id, x.task_id, max(CASE WHEN x.role = 'lead' THEN 1 ELSE 0 END), p.plan_id, p.position, "
            f"p.status, p.due_on, p.closed_on, {_group('p')} "
            f"FROM task_units x JOIN plan_tasks p ON p.id = x.task_id WHERE {where} "
            f"GROUP BY x.unit_id, x.task_id, p.plan_id, p.position, p.status, p.due_on, p.closed_on")


def _pair(row: str) -> list[str]:
    """The row of `row`'s unit and task, rewritten from the units the task has now."""
    return [f"DELETE FROM unit_tasks WHERE unit_id = {row}.unit_id AND task_id = {row}.task_id",
            _rows_of(f"x.task_id = {row}.task_id AND x.unit_id = {row}.unit_id")]


def _task(row: str) -> str:
    return (f"UPDATE unit_tasks SET plan_id = {row}.plan_id, position = {row}.position, status = {row}.status, "
            f"due_on = {row}.due_on, closed_on = {row}.closed_on, sort_group = {_group(row)} "
            f"WHERE task_id = {row}.id")


DROP_TASK = "DELETE FROM unit_tasks WHERE task_id = OLD.id"
WATCHED = "plan_id, position, status, due_on, closed_on"
UNIT_WATCHED = "task_id, unit_id, role"


def _body(*statements: str) -> str:
    return " ".join(f"{s};" for s in statements)


def _sqlite() -> list[str]:
    return [
        f"CREATE TRIGGER task_units_list_insert AFTER INSERT ON task_units BEGIN {_body(*_pair('NEW'))} END",
        f"CREATE TRIGGER task_units_list_delete AFTER DELETE ON task_units BEGIN {_body(*_pair('OLD'))} END",
        f"CREATE TRIGGER task_units_list_update AFTER UPDATE OF {UNIT_WATCHED} ON task_units "
        f"BEGIN {_body(*_pair('OLD'), *_pair('NEW'))} END",
        f"CREATE TRIGGER plan_tasks_list_update AFTER UPDATE OF {WATCHED} ON plan_tasks BEGIN {_body(_task('NEW'))} END",
        f"CREATE TRIGGER plan_tasks_list_delete BEFORE DELETE ON plan_tasks BEGIN {_body(DROP_TASK)} END",
    ]


def _postgresql() -> list[str]:
    return [
        "CREATE FUNCTION task_units_list() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {_body(*_pair('NEW'))} "
        f"ELSIF TG_OP = 'DELETE' THEN {_body(*_pair('OLD'))} "
        f"ELSE {_body(*_pair('OLD'), *_pair('NEW'))} END IF; RETURN NULL; END $$",
        f"CREATE TRIGGER task_units_list AFTER INSERT OR DELETE OR UPDATE OF {UNIT_WATCHED} ON task_units "
        "FOR EACH ROW EXECUTE FUNCTION task_units_list()",
        "CREATE FUNCTION plan_tasks_list() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'DELETE' THEN {_body(DROP_TASK)} RETURN OLD; END IF; "
        f"{_body(_task('NEW'))} RETURN NULL; END $$",
        f"CREATE TRIGGER plan_tasks_list_update AFTER UPDATE OF {WATCHED} ON plan_tasks "
        "FOR EACH ROW EXECUTE FUNCTION plan_tasks_list()",
        "CREATE TRIGGER plan_tasks_list_delete BEFORE DELETE ON plan_tasks "
        "FOR EACH ROW EXECUTE FUNCTION plan_tasks_list()",
    ]


def upgrade() -> None:
    op.create_table(
        "unit_tasks",
        sa.Column("unit_id", sa.Integer, primary_key=True),
        sa.Column("task_id", sa.Integer, primary_key=True),
        sa.Column("lead", sa.Integer, nullable=False),
        sa.Column("plan_id", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("due_on", sa.Date),
        sa.Column("closed_on", sa.Date),
        sa.Column("sort_group", sa.Integer, nullable=False),
    )
    op.create_index("ix_unit_tasks_order", "unit_tasks",
                    ["unit_id", "sort_group", "due_on", "plan_id", "position", "task_id"])
    op.create_index("ix_unit_tasks_plan_order", "unit_tasks",
                    ["unit_id", "plan_id", "sort_group", "due_on", "position", "task_id"])
    op.create_index("ix_unit_tasks_closed", "unit_tasks", ["unit_id", "sort_group", "closed_on"])
    op.create_index("ix_unit_tasks_task", "unit_tasks", ["task_id"])
    op.execute(_rows_of("1 = 1"))
    for statement in _sqlite() if op.get_bind().dialect.name == "sqlite" else _postgresql():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("task_units_list_insert", "task_units_list_delete", "task_units_list_update",
                     "plan_tasks_list_update", "plan_tasks_list_delete"):
            op.execute(f"DROP TRIGGER {name}")
    else:
        op.execute("DROP TRIGGER task_units_list ON task_units")
        op.execute("DROP TRIGGER plan_tasks_list_update ON plan_tasks")
        op.execute("DROP TRIGGER plan_tasks_list_delete ON plan_tasks")
        op.execute("DROP FUNCTION task_units_list()")
        op.execute("DROP FUNCTION plan_tasks_list()")
    op.drop_table("unit_tasks")
