"""plan_task_counts: a plan's tasks counted by status and dates, kept by triggers

A plan's dashboard counts its tasks by state and by the months of their due and
closing dates (its five counts and its completion chart), and the statement grouped the
plan's tasks to do so at each read: on SQLite the 1,000 entries of a plan's range of
`ix_plan_tasks_plan_due` grouped into 280 groups of (due date, closing date, status),
two thirds of the counts statement. `plan_task_counts` holds those groups, one row per
(plan, due date, closing date, status) with how many tasks: a task's state on a day
follows from them (`reads.task_states.task_state`), so the dashboard reads its plan's few
rows by their key and groups no task.

Triggers keep it in the transaction of the change, as `unit_task_counts` (0021): a row
of +1 or -1 per change, folded by the scheduler (`inbox_counts.compact`). They follow
`plan_tasks` alone: a task inserted, deleted, or updated in its plan, status, due or
closing date (units and people do not count here, nor the working-day calendar: a state
is a comparison of dates). On PostgreSQL an INSERT is counted once a statement (a
chunk of a plan's starts: one INSERT of its tasks, one row a group), as 0031 counts
`task_units`; an update or a delete a row at a time, only when the key changed.

Revision ID: 0048_plan_task_counts
Revises: 0047_inbox_counts_by_due_date
"""
import sqlalchemy as sa
from alembic import op

revision = "0048_plan_task_counts"
down_revision = "0047_inbox_counts_by_due_date"
branch_labels = None
depends_on = None

KEY = "plan_id, due_on, closed_on, status"
COLUMNS = f"{KEY}, n"
INDEX = ["plan_id", "due_on", "closed_on", "status", "n"]
ADDED = "new_tasks"  # the rows an INSERT wrote, as PostgreSQL's statement trigger reads them


def _counted(row: str, sign: str) -> str:
    """The task `row`'s group (OLD or NEW), counted with `sign`."""
    return (f"INSERT INTO plan_task_counts ({COLUMNS}) "
            f"VALUES ({row}.plan_id, {row}.due_on, {row}.closed_on, {row}.status, {sign})")


def _changed(distinct: str) -> str:
    """Whether an update changed the task's group, `distinct` the dialect's IS DISTINCT FROM."""
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in KEY.split(", "))


def _sqlite() -> list[str]:
    return [
        f"CREATE TRIGGER plan_tasks_plan_counts_insert AFTER INSERT ON plan_tasks BEGIN {_counted('NEW', '1')}; END",
        f"CREATE TRIGGER plan_tasks_plan_counts_delete AFTER DELETE ON plan_tasks BEGIN {_counted('OLD', '-1')}; END",
        (f"CREATE TRIGGER plan_tasks_plan_counts_update AFTER UPDATE OF {KEY} ON plan_tasks "
         f"WHEN {_changed('IS NOT')} BEGIN {_counted('OLD', '-1')}; {_counted('NEW', '1')}; END"),
    ]


def _postgresql() -> list[str]:
    return [
        ("CREATE FUNCTION plan_tasks_plan_counts_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
         f"INSERT INTO plan_task_counts ({COLUMNS}) SELECT {KEY}, count(*) FROM {ADDED} GROUP BY {KEY}; "
         "RETURN NULL; END $$"),
        (f"CREATE TRIGGER plan_tasks_plan_counts_added AFTER INSERT ON plan_tasks REFERENCING NEW TABLE AS {ADDED} "
         "FOR EACH STATEMENT EXECUTE FUNCTION plan_tasks_plan_counts_added()"),
        ("CREATE FUNCTION plan_tasks_plan_counts() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
         f"{_counted('OLD', '-1')}; IF TG_OP = 'UPDATE' THEN {_counted('NEW', '1')}; END IF; RETURN NULL; END $$"),
        ("CREATE TRIGGER plan_tasks_plan_counts_delete AFTER DELETE ON plan_tasks "
         "FOR EACH ROW EXECUTE FUNCTION plan_tasks_plan_counts()"),
        (f"CREATE TRIGGER plan_tasks_plan_counts_update AFTER UPDATE OF {KEY} ON plan_tasks "
         f"FOR EACH ROW WHEN ({_changed('IS DISTINCT FROM')}) EXECUTE FUNCTION plan_tasks_plan_counts()"),
    ]


BACKFILL = (f"INSERT INTO plan_task_counts ({COLUMNS}) "
            f"SELECT {KEY}, count(*) FROM plan_tasks GROUP BY {KEY}")


def upgrade() -> None:
    op.create_table(
        "plan_task_counts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.Integer, nullable=False),
        sa.Column("due_on", sa.Date),
        sa.Column("closed_on", sa.Date),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_index("ix_plan_task_counts_plan", "plan_task_counts", INDEX)
    op.execute(BACKFILL)
    for statement in _sqlite() if op.get_bind().dialect.name == "sqlite" else _postgresql():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER plan_tasks_plan_counts_{name}")
    else:
        for name in ("added", "delete", "update"):
            op.execute(f"DROP TRIGGER plan_tasks_plan_counts_{name} ON plan_tasks")
        op.execute("DROP FUNCTION plan_tasks_plan_counts_added()")
        op.execute("DROP FUNCTION plan_tasks_plan_counts()")
    op.drop_table("plan_task_counts")
