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
reckoning the state after its row from that. SQLite's are unchanged. An office upgraded
keeps any count already wrong: the fold (`compact_inbox_counts`) does not recount.

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

COLUMNS = "unit_id, lead, plan_id, status, due_on, closed_on, n"


def _count(task: str, unit: str, role: str | None = None) -> str:
    lead = f" AND x.role = '{role}'" if role else ""
    return f"(SELECT count(*) FROM task_units x WHERE x.task_id = {task} AND x.unit_id = {unit}{lead})"


def _lead(row: str) -> str:
    return f"(CASE WHEN {row}.role = 'lead' THEN 1 ELSE 0 END)"


def _change(task: str, unit: str, rows_after: str, leads_after: str) -> str:
    """The -1 of the unit's group for the task as it is before the row's change (the rows
    a BEFORE trigger sees) and the +1 as it is after (`rows_after`, `leads_after`)."""
    rows_before, leads_before = _count(task, unit), _count(task, unit, "lead")
    key = "p.plan_id, p.status, p.due_on, p.closed_on"
    return (
        f"INSERT INTO unit_task_counts ({COLUMNS}) "
        f"SELECT {unit}, CASE WHEN {leads_before} > 0 THEN 1 ELSE 0 END, {key}, -1 FROM plan_tasks p "
        f"WHERE p.id = {task} AND {rows_before} > 0 "
        f"UNION ALL SELECT {unit}, CASE WHEN {leads_after} > 0 THEN 1 ELSE 0 END, {key}, 1 FROM plan_tasks p "
        f"WHERE p.id = {task} AND {rows_after} > 0"
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


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # 0021's trigger and function, as that migration wrote them.
    spec = importlib.util.spec_from_file_location("unit_task_counts_0021",
                                                  Path(__file__).with_name("0021_unit_task_counts.py"))
    assert spec is not None and spec.loader is not None
    before = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(before)
    op.execute("DROP TRIGGER task_units_counts ON task_units")
    for statement in before._postgresql()[:2]:
        op.execute(statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
