"""inbox: a work item's plan on its row, and indexes of a holder's steps of one plan

The inbox filtered by a plan found the plan's steps through its tasks: a join from
`plan_tasks` (PostgreSQL planned it, at some sizes, as a scan of every ready step of the
holder), or a lookup by an array of the plan's task ids (at others slower than the
join). `work_items.plan_id`, a copy of its task's plan, lets each holder's steps of one
plan be one range of an index ending in the page's order (due date, then id):
`ix_work_items_user_plan`, `_unit_plan`, `_claimed_plan`, as 0019's indexes do for the
whole inbox. No planner can read more than the holder's steps of that plan.

The copy is the database's own, whoever writes a work item (a step, a sweep, a bulk
copy, a test): the code never writes it. On PostgreSQL a BEFORE trigger sets it from the
task; on SQLite, which cannot change the row a trigger is run for, an AFTER trigger
writes it when the row holds another (NULL, as inserted). A task moved to another plan
takes its steps along. The upgrade fills the rows stored before it.

Revision ID: 0028_work_items_plan
Revises: 0027_task_units_pair_index
"""
import sqlalchemy as sa
from alembic import op

revision = "0028_work_items_plan"
down_revision = "0027_task_units_pair_index"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_work_items_user_plan": ["state", "assignee_user_id", "plan_id", "due_on", "id"],
    "ix_work_items_unit_plan": ["state", "candidate_unit_id", "candidate_role", "plan_id", "due_on", "id"],
    "ix_work_items_claimed_plan": ["state", "claimed_by", "plan_id", "due_on", "id"],
}


def _plan_of(row: str) -> str:
    return f"(SELECT t.plan_id FROM plan_tasks t WHERE t.id = {row}.plan_task_id)"


def _sqlite_triggers() -> list[str]:
    fix = f"BEGIN UPDATE work_items SET plan_id = {_plan_of('NEW')} WHERE id = NEW.id; END"
    wrong = f"WHEN NEW.plan_id IS NOT {_plan_of('NEW')}"
    return [
        f"CREATE TRIGGER work_items_plan_insert AFTER INSERT ON work_items {wrong} {fix}",
        f"CREATE TRIGGER work_items_plan_update AFTER UPDATE OF plan_task_id, plan_id ON work_items {wrong} {fix}",
        "CREATE TRIGGER plan_tasks_plan_items AFTER UPDATE OF plan_id ON plan_tasks "
        "WHEN NEW.plan_id IS NOT OLD.plan_id "
        "BEGIN UPDATE work_items SET plan_id = NEW.plan_id WHERE plan_task_id = NEW.id; END",
    ]


def _postgresql_triggers() -> list[str]:
    return [
        "CREATE FUNCTION work_items_plan() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"NEW.plan_id := {_plan_of('NEW')}; RETURN NEW; END $$",
        "CREATE TRIGGER work_items_plan BEFORE INSERT OR UPDATE OF plan_task_id, plan_id ON work_items "
        "FOR EACH ROW EXECUTE FUNCTION work_items_plan()",
        "CREATE FUNCTION plan_tasks_plan_items() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "UPDATE work_items SET plan_id = NEW.plan_id WHERE plan_task_id = NEW.id; RETURN NULL; END $$",
        "CREATE TRIGGER plan_tasks_plan_items AFTER UPDATE OF plan_id ON plan_tasks FOR EACH ROW "
        "WHEN (NEW.plan_id IS DISTINCT FROM OLD.plan_id) EXECUTE FUNCTION plan_tasks_plan_items()",
    ]


def upgrade() -> None:
    op.add_column("work_items", sa.Column("plan_id", sa.Integer))
    # (not a column 0019's count triggers watch: the fill counts nothing again)
    op.execute(f"UPDATE work_items SET plan_id = {_plan_of('work_items')}")
    for name, columns in INDEXES.items():
        op.create_index(name, "work_items", columns)
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite_triggers() if sqlite else _postgresql_triggers():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("work_items_plan_insert", "work_items_plan_update", "plan_tasks_plan_items"):
            op.execute(f"DROP TRIGGER {name}")
    else:
        op.execute("DROP TRIGGER plan_tasks_plan_items ON plan_tasks")
        op.execute("DROP FUNCTION plan_tasks_plan_items()")
        op.execute("DROP TRIGGER work_items_plan ON work_items")
        op.execute("DROP FUNCTION work_items_plan()")
    for name in INDEXES:
        op.drop_index(name, table_name="work_items")
    # (in place on both databases: a batch copy of the table on SQLite would lose 0019's triggers)
    op.execute("ALTER TABLE work_items DROP COLUMN plan_id")
