"""named: the people each task's assignment named, one row each, kept by the database

The person page and a reader-scoped search (engine/access/task_access.py's `may_read`)
ask for the tasks "whose assignment named the person": `plan_tasks.people`, a JSON object
`{"co_handlers": [ids], "informed": [ids]}` written at the assign step. Read by a LIKE on
that JSON, it scanned every task of the office (most of the person page's time at 20,000
open instances, on either database). `task_people (task_id, user_id, kind)`, indexed by
person, answers it through an index.

The copy is the database's, whoever writes `people` (a step, a test, a bulk copy, a repair
by hand): a trigger on INSERT and one on UPDATE OF people of `plan_tasks` rewrite the
task's rows from the JSON (SQLite's `json_each`, PostgreSQL's `json_array_elements_text`);
the rows go with their task (ON DELETE CASCADE). Each trigger runs only for a task whose
`people` holds an object: a start inserts thousands of tasks naming no one (`people`
NULL or JSON `null`), and pays one cheap condition a row. A kind absent from the object
names no one.

The upgrade fills the rows of the tasks stored before it.

Revision ID: 0035_task_people
Revises: 0034_history_indexes
"""
import sqlalchemy as sa
from alembic import op

revision = "0035_task_people"
down_revision = "0034_history_indexes"
branch_labels = None
depends_on = None

KINDS = ("co_handlers", "informed")


def _rows(sqlite: bool, row: str, tasks: str = "") -> str:
    """SELECT of the rows `row`'s `people` names (NEW in a trigger; in the fill, `t` of
    `tasks`, the FROM item of the stored tasks), one a person and kind."""
    if sqlite:
        kinds = " UNION ALL ".join(f"SELECT '{k}' AS kind" for k in KINDS)
        return (f"SELECT DISTINCT {row}.id, CAST(u.value AS INTEGER), k.kind FROM {tasks}({kinds}) AS k, "
                f"json_each({row}.people, '$.' || k.kind) AS u")
    kinds = ", ".join(f"('{k}')" for k in KINDS)
    return (f"SELECT DISTINCT {row}.id, u.value::integer, k.kind FROM {tasks}(VALUES {kinds}) AS k (kind) "
            f"CROSS JOIN LATERAL json_array_elements_text({row}.people -> k.kind) AS u (value)")


INSERT = "INSERT INTO task_people (task_id, user_id, kind) "


def _sqlite_triggers() -> list[str]:
    named = "json_type(NEW.people) = 'object'"
    return [
        f"CREATE TRIGGER plan_tasks_people_insert AFTER INSERT ON plan_tasks "
        f"WHEN NEW.people IS NOT NULL AND {named} "
        f"BEGIN {INSERT}{_rows(True, 'NEW')}; END",
        "CREATE TRIGGER plan_tasks_people_update AFTER UPDATE OF people ON plan_tasks "
        "WHEN NEW.people IS NOT OLD.people "
        f"BEGIN DELETE FROM task_people WHERE task_id = NEW.id; "
        f"{INSERT}{_rows(True, 'NEW')} WHERE {named}; END",
    ]


def _postgresql_triggers() -> list[str]:
    named = "json_typeof(NEW.people) = 'object'"
    return [
        "CREATE FUNCTION plan_tasks_people() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'UPDATE' THEN DELETE FROM task_people WHERE task_id = NEW.id; END IF; "
        f"IF {named} THEN {INSERT}{_rows(False, 'NEW')}; END IF; RETURN NULL; END $$",
        "CREATE TRIGGER plan_tasks_people_insert AFTER INSERT ON plan_tasks FOR EACH ROW "
        f"WHEN (NEW.people IS NOT NULL AND {named}) EXECUTE FUNCTION plan_tasks_people()",
        "CREATE TRIGGER plan_tasks_people_update AFTER UPDATE OF people ON plan_tasks FOR EACH ROW "
        "WHEN (NEW.people::text IS DISTINCT FROM OLD.people::text) EXECUTE FUNCTION plan_tasks_people()",
    ]


def upgrade() -> None:
    op.create_table(
        "task_people",
        sa.Column("task_id", sa.Integer, sa.ForeignKey("plan_tasks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("task_id", "kind", "user_id"),
    )
    op.create_index("ix_task_people_user", "task_people", ["user_id", "task_id"])
    sqlite = op.get_bind().dialect.name == "sqlite"
    # (a `people` that is no object, or NULL, names no one: each function reads nothing of it)
    op.execute(f"{INSERT}{_rows(sqlite, 't', 'plan_tasks AS t, ')}")
    for statement in _sqlite_triggers() if sqlite else _postgresql_triggers():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("plan_tasks_people_insert", "plan_tasks_people_update"):
            op.execute(f"DROP TRIGGER {name}")
    else:
        for name in ("plan_tasks_people_insert", "plan_tasks_people_update"):
            op.execute(f"DROP TRIGGER {name} ON plan_tasks")
        op.execute("DROP FUNCTION plan_tasks_people()")
    op.drop_table("task_people")
