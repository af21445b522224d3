"""named people: only the ids of each kind's list, whatever else `people` holds

0035's triggers copy `plan_tasks.people`, `{"co_handlers": [ids], "informed": [ids]}`,
into `task_people`. They took any value under a kind for a list of ids: a kind written
as JSON `null` (a repair by hand, a bulk copy) gave SQLite's `json_each` one NULL row,
refused by `task_people`'s NOT NULL, and PostgreSQL's `json_array_elements_text` an
error ("cannot extract elements from a scalar"): the write failed. A kind now names the
integers of its list, and anything else (null, a scalar, an object, an element that is
no integer) names no one, as `engine.access.task_access.named` reads it in Python.

The triggers are rewritten; no row changes (a row 0035 kept was an integer of a list).

Revision ID: 0037_task_people_lists
Revises: 0036_director_index
"""
import importlib

from alembic import op

revision = "0037_task_people_lists"
down_revision = "0036_director_index"
branch_labels = None
depends_on = None

# 0035's module, for its triggers (a module whose name starts with a digit is imported by its string).
_0035 = importlib.import_module("adapters.storage.migrations.versions.0035_task_people")


def _rows(sqlite: bool) -> str:
    """SELECT of the rows NEW's `people` names: the integers of each kind's list."""
    if sqlite:
        kinds = " UNION ALL ".join(f"SELECT '{k}' AS kind" for k in _0035.KINDS)
        return (f"SELECT DISTINCT NEW.id, u.value, k.kind FROM ({kinds}) AS k, "
                "json_each(NEW.people, '$.' || k.kind) AS u "
                "WHERE json_type(NEW.people, '$.' || k.kind) = 'array' AND u.type = 'integer'")
    kinds = ", ".join(f"('{k}')" for k in _0035.KINDS)
    listed = "NEW.people -> k.kind"
    # (json_array_elements of NULL reads nothing: the CASE keeps a kind that is no list out)
    return (f"SELECT DISTINCT NEW.id, (u.value #>> '{{}}')::integer, k.kind FROM (VALUES {kinds}) AS k (kind) "
            f"CROSS JOIN LATERAL json_array_elements(CASE WHEN json_typeof({listed}) = 'array' THEN {listed} END) "
            "AS u (value) WHERE json_typeof(u.value) = 'number' AND (u.value #>> '{}') ~ '^-?[0-9]+$'")


def _sqlite_triggers() -> list[str]:
    return [
        "CREATE TRIGGER plan_tasks_people_insert AFTER INSERT ON plan_tasks "
        "WHEN NEW.people IS NOT NULL AND json_type(NEW.people) = 'object' "
        f"BEGIN {_0035.INSERT}{_rows(True)}; END",
        "CREATE TRIGGER plan_tasks_people_update AFTER UPDATE OF people ON plan_tasks "
        "WHEN NEW.people IS NOT OLD.people "
        f"BEGIN DELETE FROM task_people WHERE task_id = NEW.id; {_0035.INSERT}{_rows(True)}; END",
    ]


def _postgresql_function() -> str:
    return ("CREATE OR REPLACE FUNCTION plan_tasks_people() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'UPDATE' THEN DELETE FROM task_people WHERE task_id = NEW.id; END IF; "
            f"{_0035.INSERT}{_rows(False)}; RETURN NULL; END $$")


def _drop_sqlite_triggers() -> None:
    for name in ("plan_tasks_people_insert", "plan_tasks_people_update"):
        op.execute(f"DROP TRIGGER {name}")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _drop_sqlite_triggers()
        for statement in _sqlite_triggers():
            op.execute(statement)
    else:  # the triggers stay; their function is replaced
        op.execute(_postgresql_function())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _drop_sqlite_triggers()
        for statement in _0035._sqlite_triggers():
            op.execute(statement)
    else:
        function = _0035._postgresql_triggers()[0]
        op.execute(function.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
