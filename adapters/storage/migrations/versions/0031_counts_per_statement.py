"""counts: on PostgreSQL, new rows of `task_units` and `work_items` counted once a statement

The count tables (0019 `inbox_counts` and `inbox_choices`, 0021 `unit_task_counts`, 0022
`unit_tasks`) followed every inserted row of `task_units` and `work_items` with a trigger
run for that row: a chunk of starts (one INSERT of a thousand tasks' units, one of their
work items) ran four statements or more a row, about a tenth of a start's time. On
PostgreSQL an INSERT is now counted by one trigger run for the whole statement, which
reads the rows it wrote as a table (`REFERENCING NEW TABLE`) and adds them up by group:
one INSERT into each count table a statement, one row a group, not one a work item.

An update or a delete still runs the row triggers of 0019, 0022 and 0026, unchanged (their
functions are kept; only their events lose INSERT). A statement trigger runs once its
statement is done, so it sees all of its rows: a unit's count of a task is its rows now
less the statement's own rows of that task and unit before, plus them after (0026's rule
for a statement that writes a task's lead and coordinator rows of one unit at once).

SQLite has no statement triggers: its row triggers stay. Nothing is counted again: the
counts were right before and each new trigger counts what its old one did.

Revision ID: 0031_counts_per_statement
Revises: 0030_plan_tasks_due_covering
"""
import importlib.util
from pathlib import Path

from alembic import op

revision = "0031_counts_per_statement"
down_revision = "0030_plan_tasks_due_covering"
branch_labels = None
depends_on = None


def _migration(name: str):
    """An earlier migration's module, for its SQL helpers."""
    spec = importlib.util.spec_from_file_location(f"counts_{name}", Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_0019, _0021, _0022 = (_migration(n) for n in ("0019_inbox_counts", "0021_unit_task_counts", "0022_unit_tasks"))

# The rows an INSERT wrote, as a trigger run for the statement reads them.
ITEMS, UNITS = "new_items", "new_units"


def _inbox_added() -> str:
    """0019's counts of work items (its backfill's), of the statement's new rows."""
    counts, choices = _0019._counted("w")
    holder = _0019.HOLDER
    return (
        f"INSERT INTO inbox_counts ({holder}, step_id, due_on, n) "
        f"SELECT a, b, c, d, e, sum(n) FROM ({_0019._holders('w', '1', counts, f'{ITEMS} w')}) AS held (a, b, c, d, e, n) "
        "GROUP BY a, b, c, d, e; "
        f"INSERT INTO inbox_choices ({holder}, plan_id, step_id, step_name, n) "
        f"SELECT a, b, c, d, e, f, sum(n) FROM ({_0019._holders('w', '1', choices, f'{ITEMS} w')}) "
        "AS held (a, b, c, d, e, f, n) GROUP BY a, b, c, d, e, f;"
    )


# Each unit's change to its count of a task: the -1 of its group before the statement (its
# rows now less the statement's, if any were left) and the +1 of its group now.
_UNITS_ADDED = (
    f"INSERT INTO unit_task_counts ({_0021.COLUMNS}) "
    "SELECT s.unit_id, s.lead, p.plan_id, p.status, p.due_on, p.closed_on, sum(s.n) FROM ("
    "SELECT c.task_id, c.unit_id, CASE WHEN c.leads - c.added_leads > 0 THEN 1 ELSE 0 END AS lead, -1 AS n "
    "FROM pairs c WHERE c.row_count - c.added > 0 "
    "UNION ALL SELECT c.task_id, c.unit_id, CASE WHEN c.leads > 0 THEN 1 ELSE 0 END, 1 FROM pairs c "
    "WHERE c.row_count > 0) AS s JOIN plan_tasks p ON p.id = s.task_id "
    "GROUP BY s.unit_id, s.lead, p.plan_id, p.status, p.due_on, p.closed_on HAVING sum(s.n) <> 0"
)
_PAIRS = (
    "WITH pairs AS (SELECT m.task_id, m.unit_id, m.added, m.added_leads, count(*) AS row_count, "
    "count(*) FILTER (WHERE x.role = 'lead') AS leads FROM (SELECT task_id, unit_id, count(*) AS added, "
    f"count(*) FILTER (WHERE role = 'lead') AS added_leads FROM {UNITS} GROUP BY task_id, unit_id) AS m "
    "JOIN task_units x ON x.task_id = m.task_id AND x.unit_id = m.unit_id "
    "GROUP BY m.task_id, m.unit_id, m.added, m.added_leads) "
)
# 0022's rows of `unit_tasks` for each unit and task the statement wrote, rewritten.
_LISTS_ADDED = (
    f"DELETE FROM unit_tasks u USING {UNITS} n WHERE u.unit_id = n.unit_id AND u.task_id = n.task_id; "
    + _0022._rows_of(f"(x.task_id, x.unit_id) IN (SELECT task_id, unit_id FROM {UNITS})") + ";"
)

UPGRADE = [
    # The row triggers keep counting updates and deletes.
    "DROP TRIGGER work_items_inbox ON work_items",
    f"CREATE TRIGGER work_items_inbox AFTER DELETE OR UPDATE OF {_0019.WATCHED} ON work_items "
    "FOR EACH ROW EXECUTE FUNCTION work_items_inbox()",
    "DROP TRIGGER task_units_counts ON task_units",
    f"CREATE TRIGGER task_units_counts BEFORE DELETE OR UPDATE OF {_0021.UNIT_WATCHED} ON task_units "
    "FOR EACH ROW EXECUTE FUNCTION task_units_counts()",
    "DROP TRIGGER task_units_list ON task_units",
    f"CREATE TRIGGER task_units_list AFTER DELETE OR UPDATE OF {_0022.UNIT_WATCHED} ON task_units "
    "FOR EACH ROW EXECUTE FUNCTION task_units_list()",
    # An INSERT's rows, once a statement.
    "CREATE FUNCTION work_items_inbox_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"{_inbox_added()} RETURN NULL; END $$",
    f"CREATE TRIGGER work_items_inbox_added AFTER INSERT ON work_items REFERENCING NEW TABLE AS {ITEMS} "
    "FOR EACH STATEMENT EXECUTE FUNCTION work_items_inbox_added()",
    "CREATE FUNCTION task_units_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"{_PAIRS}{_UNITS_ADDED}; {_LISTS_ADDED} RETURN NULL; END $$",
    f"CREATE TRIGGER task_units_added AFTER INSERT ON task_units REFERENCING NEW TABLE AS {UNITS} "
    "FOR EACH STATEMENT EXECUTE FUNCTION task_units_added()",
]

DOWNGRADE = [
    "DROP TRIGGER work_items_inbox_added ON work_items",
    "DROP FUNCTION work_items_inbox_added()",
    "DROP TRIGGER task_units_added ON task_units",
    "DROP FUNCTION task_units_added()",
    "DROP TRIGGER work_items_inbox ON work_items",
    f"CREATE TRIGGER work_items_inbox AFTER INSERT OR DELETE OR UPDATE OF {_0019.WATCHED} ON work_items "
    "FOR EACH ROW EXECUTE FUNCTION work_items_inbox()",
    "DROP TRIGGER task_units_counts ON task_units",
    f"CREATE TRIGGER task_units_counts BEFORE INSERT OR DELETE OR UPDATE OF {_0021.UNIT_WATCHED} ON task_units "
    "FOR EACH ROW EXECUTE FUNCTION task_units_counts()",
    "DROP TRIGGER task_units_list ON task_units",
    f"CREATE TRIGGER task_units_list AFTER INSERT OR DELETE OR UPDATE OF {_0022.UNIT_WATCHED} ON task_units "
    "FOR EACH ROW EXECUTE FUNCTION task_units_list()",
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
