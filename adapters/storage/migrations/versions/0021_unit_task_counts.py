"""unit page: a unit's tasks counted by plan, lead or not, status and dates, kept by triggers

The unit head's page counted the states of every task the unit leads or coordinates
(100,000 at a province's scale) at each read, and listed the plans they are in over the
same rows. `unit_task_counts` holds, per unit, one row per (led by it or only
coordinated, plan, status, due date, closing date) with how many tasks: a task's state on
a day follows from those (`reads.task_states.task_state`), so the counts on any day and the
plans are sums over a unit's groups, not its tasks.

Triggers keep it in the transaction of the change, as the inbox's counts (0019): a row of
+1 or -1 per change, folded by the scheduler. A unit counts a task once even when it
both leads and coordinates it (then as leading). They follow `task_units` (insert,
delete, update) and `plan_tasks` (a change of plan, status, due or closing date, and a
delete: its -1 come before the cascade deletes its units, whose own triggers then find
no task and add nothing).

Revision ID: 0021_unit_task_counts
Revises: 0020_task_words_column
"""
import sqlalchemy as sa
from alembic import op

revision = "0021_unit_task_counts"
down_revision = "0020_task_words_column"
branch_labels = None
depends_on = None

COLUMNS = "unit_id, lead, plan_id, status, due_on, closed_on, n"


def _count(task: str, unit: str, role: str | None = None) -> str:
    lead = f" AND x.role = '{role}'" if role else ""
    return f"(SELECT count(*) FROM task_units x WHERE x.task_id = {task} AND x.unit_id = {unit}{lead})"


def _lead(row: str) -> str:
    return f"(CASE WHEN {row}.role = 'lead' THEN 1 ELSE 0 END)"


def _pair(task: str, unit: str, rows_before: str, leads_before: str, when: str = "1 = 1") -> str:
    """The -1 of the unit's group for the task as it was (`rows_before`, `leads_before`:
    its rows in `task_units` before the change, as expressions) and the +1 as it is now."""
    rows_now, leads_now = _count(task, unit), _count(task, unit, "lead")
    key = "p.plan_id, p.status, p.due_on, p.closed_on"
    return (
        f"INSERT INTO unit_task_counts ({COLUMNS}) "
        f"SELECT {unit}, CASE WHEN {leads_before} > 0 THEN 1 ELSE 0 END, {key}, -1 FROM plan_tasks p "
        f"WHERE p.id = {task} AND {rows_before} > 0 AND {when} "
        f"UNION ALL SELECT {unit}, CASE WHEN {leads_now} > 0 THEN 1 ELSE 0 END, {key}, 1 FROM plan_tasks p "
        f"WHERE p.id = {task} AND {rows_now} > 0 AND {when}"
    )


def _task_units(op_name: str) -> list[str]:
    """What a change of one `task_units` row does to its unit's count of its task."""
    new_pair = (_count("NEW.task_id", "NEW.unit_id") + " - 1", _count("NEW.task_id", "NEW.unit_id", "lead")
                + f" - {_lead('NEW')}")
    old_pair = (_count("OLD.task_id", "OLD.unit_id") + " + 1", _count("OLD.task_id", "OLD.unit_id", "lead")
                + f" + {_lead('OLD')}")
    if op_name == "INSERT":
        return [_pair("NEW.task_id", "NEW.unit_id", *new_pair)]
    if op_name == "DELETE":
        return [_pair("OLD.task_id", "OLD.unit_id", *old_pair)]
    same = "(NEW.task_id = OLD.task_id AND NEW.unit_id = OLD.unit_id)"
    return [
        # The same task and unit: only the role can have changed.
        _pair("NEW.task_id", "NEW.unit_id", _count("NEW.task_id", "NEW.unit_id"),
              _count("NEW.task_id", "NEW.unit_id", "lead") + f" - {_lead('NEW')} + {_lead('OLD')}", same),
        _pair("OLD.task_id", "OLD.unit_id", *old_pair, f"NOT {same}"),
        _pair("NEW.task_id", "NEW.unit_id", *new_pair, f"NOT {same}"),
    ]


def _task_groups(row: str, sign: str) -> str:
    """The task `row`'s group in each of its units, counted with `sign`."""
    return (f"INSERT INTO unit_task_counts ({COLUMNS}) "
            f"SELECT x.unit_id, max(CASE WHEN x.role = 'lead' THEN 1 ELSE 0 END), {row}.plan_id, {row}.status, "
            f"{row}.due_on, {row}.closed_on, {sign} FROM task_units x WHERE x.task_id = {row}.id GROUP BY x.unit_id")


WATCHED = "plan_id, status, due_on, closed_on"
UNIT_WATCHED = "task_id, unit_id, role"


def _body(*statements: str) -> str:
    return " ".join(f"{s};" for s in statements)


def _sqlite() -> list[str]:
    return [
        *(f"CREATE TRIGGER task_units_counts_{name.lower()} AFTER {name}"
          f"{' OF ' + UNIT_WATCHED if name == 'UPDATE' else ''} ON task_units BEGIN {_body(*_task_units(name))} END"
          for name in ("INSERT", "DELETE", "UPDATE")),
        f"CREATE TRIGGER plan_tasks_counts_update AFTER UPDATE OF {WATCHED} ON plan_tasks "
        f"BEGIN {_body(_task_groups('OLD', '-1'), _task_groups('NEW', '1'))} END",
        f"CREATE TRIGGER plan_tasks_counts_delete BEFORE DELETE ON plan_tasks BEGIN {_body(_task_groups('OLD', '-1'))} END",
    ]


def _postgresql() -> list[str]:
    return [
        "CREATE FUNCTION task_units_counts() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {_body(*_task_units('INSERT'))} "
        f"ELSIF TG_OP = 'DELETE' THEN {_body(*_task_units('DELETE'))} "
        f"ELSE {_body(*_task_units('UPDATE'))} END IF; RETURN NULL; END $$",
        f"CREATE TRIGGER task_units_counts AFTER INSERT OR DELETE OR UPDATE OF {UNIT_WATCHED} ON task_units "
        "FOR EACH ROW EXECUTE FUNCTION task_units_counts()",
        "CREATE FUNCTION plan_tasks_counts() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'DELETE' THEN {_body(_task_groups('OLD', '-1'))} RETURN OLD; END IF; "
        f"{_body(_task_groups('OLD', '-1'), _task_groups('NEW', '1'))} RETURN NULL; END $$",
        f"CREATE TRIGGER plan_tasks_counts_update AFTER UPDATE OF {WATCHED} ON plan_tasks "
        "FOR EACH ROW EXECUTE FUNCTION plan_tasks_counts()",
        "CREATE TRIGGER plan_tasks_counts_delete BEFORE DELETE ON plan_tasks "
        "FOR EACH ROW EXECUTE FUNCTION plan_tasks_counts()",
    ]


BACKFILL = (
    f"INSERT INTO unit_task_counts ({COLUMNS}) "
    "SELECT m.unit_id, m.lead, p.plan_id, p.status, p.due_on, p.closed_on, count(*) "
    "FROM (SELECT task_id, unit_id, max(CASE WHEN role = 'lead' THEN 1 ELSE 0 END) AS lead FROM task_units "
    "GROUP BY task_id, unit_id) AS m JOIN plan_tasks p ON p.id = m.task_id "
    "GROUP BY m.unit_id, m.lead, p.plan_id, p.status, p.due_on, p.closed_on"
)


def upgrade() -> None:
    op.create_table(
        "unit_task_counts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, nullable=False),
        sa.Column("lead", sa.Integer, nullable=False),
        sa.Column("plan_id", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("due_on", sa.Date),
        sa.Column("closed_on", sa.Date),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_index("ix_unit_task_counts_unit", "unit_task_counts", ["unit_id", "lead", "plan_id"])
    op.execute(BACKFILL)
    for statement in _sqlite() if op.get_bind().dialect.name == "sqlite" else _postgresql():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("task_units_counts_insert", "task_units_counts_delete", "task_units_counts_update",
                     "plan_tasks_counts_update", "plan_tasks_counts_delete"):
            op.execute(f"DROP TRIGGER {name}")
    else:
        op.execute("DROP TRIGGER task_units_counts ON task_units")
        op.execute("DROP TRIGGER plan_tasks_counts_update ON plan_tasks")
        op.execute("DROP TRIGGER plan_tasks_counts_delete ON plan_tasks")
        op.execute("DROP FUNCTION task_units_counts()")
        op.execute("DROP FUNCTION plan_tasks_counts()")
    op.drop_table("unit_task_counts")
