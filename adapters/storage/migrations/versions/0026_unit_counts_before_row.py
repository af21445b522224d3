"""unit page: on PostgreSQL a unit's counts follow `task_units` a row at a time, before it

0021's trigger on `task_units` worked out each row's change to its unit's count of its
task from the rows of that task and unit it sees: the rows now, less (or plus) the row
changed. SQLite runs a row trigger right after its row; PostgreSQL runs AFTER ROW
triggers once the whole statement is done, so each sees every row the statement wrote.
When one statement writes two rows of one task and unit (a plan stating a unit as both
lead and coordinator of a task: a plan's units come in one INSERT), both rows' triggers
took the other for an earlier one and the unit lost the task from its counts.

A BEFORE ROW trigger sees the rows earlier rows of its statement wrote, and not its own:
the state just before its row, on both databases' terms. PostgreSQL's trigger is now one,
reckoning the state after its row from that. SQLite's are unchanged. The upgrade then
counts every unit's tasks again from `task_units` (0021's backfill), on PostgreSQL: an
office upgraded would otherwise keep the counts the old trigger got wrong, since the fold
(`compact_inbox_counts`) only adds up the rows it finds.

Revision ID: 0026_unit_counts_before_row
Revises: 0025_state_lz4
"""
import importlib.util
from pathlib import Path

from alembic import op

revision = "0026_unit_counts_before_row"
down_revision = "0025_state_lz4"
branch_labels = None
depends_on = None


def _migration_0021():
    """0021's module: its trigger's SQL helpers (`_count`, `_lead`, `COLUMNS`) and, for the
    downgrade, its trigger as it wrote it."""
    spec = importlib.util.spec_from_file_location("unit_task_counts_0021",
                                                  Path(__file__).with_name("0021_unit_task_counts.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_0021 = _migration_0021()
COLUMNS, _count, _lead = _0021.COLUMNS, _0021._count, _0021._lead


def _change(task: str, unit: str, rows_after: str, leads_after: str) -> str:
    """The -1 of the unit's group for the task as it is before the row's change (the rows
    a BEFORE trigger sees) and the +1 as it is after (`rows_after`, `leads_after`); none
    for a side where the unit has no row of the task."""
    return (
        f"INSERT INTO unit_task_counts ({COLUMNS}) "
        f"SELECT {unit}, CASE WHEN s.leads > 0 THEN 1 ELSE 0 END, p.plan_id, p.status, p.due_on, p.closed_on, s.n "
        f"FROM plan_tasks p, (VALUES ({_count(task, unit)}, {_count(task, unit, 'lead')}, -1), "
        f"({rows_after}, {leads_after}, 1)) AS s (row_count, leads, n) WHERE p.id = {task} AND s.row_count > 0"
    )


def _added(row: str) -> str:
    return _change(f"{row}.task_id", f"{row}.unit_id", _count(f"{row}.task_id", f"{row}.unit_id") + " + 1",
                   _count(f"{row}.task_id", f"{row}.unit_id", "lead") + f" + {_lead(row)}")


def _removed(row: str) -> str:
    return _change(f"{row}.task_id", f"{row}.unit_id", _count(f"{row}.task_id", f"{row}.unit_id") + " - 1",
                   _count(f"{row}.task_id", f"{row}.unit_id", "lead") + f" - {_lead(row)}")


SAME = "NEW.task_id = OLD.task_id AND NEW.unit_id = OLD.unit_id"
ROLE_CHANGED = _change("NEW.task_id", "NEW.unit_id", _count("NEW.task_id", "NEW.unit_id"),
                       _count("NEW.task_id", "NEW.unit_id", "lead") + f" - {_lead('OLD')} + {_lead('NEW')}")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER task_units_counts ON task_units")
    op.execute(
        "CREATE OR REPLACE FUNCTION task_units_counts() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {_added('NEW')}; RETURN NEW; END IF; "
        f"IF TG_OP = 'DELETE' THEN {_removed('OLD')}; RETURN OLD; END IF; "
        f"IF {SAME} THEN {ROLE_CHANGED}; ELSE {_removed('OLD')}; {_added('NEW')}; END IF; "
        "RETURN NEW; END $$"
    )
    op.execute("CREATE TRIGGER task_units_counts BEFORE INSERT OR DELETE OR UPDATE OF task_id, unit_id, role "
               "ON task_units FOR EACH ROW EXECUTE FUNCTION task_units_counts()")
    op.execute("DELETE FROM unit_task_counts")
    op.execute(_0021.BACKFILL)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER task_units_counts ON task_units")
    for statement in _0021._postgresql()[:2]:  # 0021's function and trigger
        op.execute(statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
