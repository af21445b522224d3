"""change_counters: a number that every change of the office days raises

Each process keeps the working-day calendar it built from the office days, and reads
only this number (in the same statement as the acting user) to know whether it is
still the office's: a trigger raises it in the same transaction as any insert, update
or delete of `office_days`, whoever writes them.

Revision ID: 0018_calendar_version
Revises: 0017_job_files
"""
from alembic import op
import sqlalchemy as sa


revision = "0018_calendar_version"
down_revision = "0017_job_files"
branch_labels = None
depends_on = None

RAISE = "UPDATE change_counters SET version = version + 1 WHERE name = 'office_days'"
SQLITE = [f"CREATE TRIGGER office_days_{event.lower()} AFTER {event} ON office_days BEGIN {RAISE}; END"
          for event in ("INSERT", "UPDATE", "DELETE")]
POSTGRESQL = [
    f"CREATE FUNCTION office_days_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {RAISE}; RETURN NULL; END $$",
    "CREATE TRIGGER office_days_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON office_days "
    "FOR EACH STATEMENT EXECUTE FUNCTION office_days_changed()",
]


def upgrade() -> None:
    counters = op.create_table(
        "change_counters",
        sa.Column("name", sa.String(length=40), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.bulk_insert(counters, [{"name": "office_days", "version": 1}])
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER office_days_{event}")
    else:
        op.execute("DROP TRIGGER office_days_changed ON office_days")
        op.execute("DROP FUNCTION office_days_changed()")
    op.drop_table("change_counters")
