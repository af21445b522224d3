"""Folding the count rows of the inbox (`orm.inbox_counts`, `orm.inbox_choices`) and of
the unit page (`orm.unit_task_counts`).

Triggers on `work_items` add a row of +1 or -1 per inbox a ready step enters or leaves
(migration 0019), and on `task_units` and `plan_tasks` per unit group a task enters or
leaves (0021), so that writers only insert and never wait on a shared counter row.
A count is the sum of its key's rows, exact whatever their number; folding them into
one row per key (dropping keys that sum to nothing) keeps that sum as cheap as the
number of keys: a holder's dates, plans and steps. The scheduler folds after changes.
"""
from __future__ import annotations

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.engine import Connection, Engine

from adapters.storage import orm

KEYS: dict[str, list[str]] = {
    "inbox_counts": ["holder_user_id", "holder_unit_id", "holder_role", "step_id", "due_on"],
    "inbox_choices": ["holder_user_id", "holder_unit_id", "holder_role", "plan_id", "step_id", "step_name"],
    "unit_task_counts": ["unit_id", "lead", "plan_id", "status", "due_on", "closed_on"],
}


_FOLDING = 0x19F01D  # the advisory lock's first key: "folding count rows"


def compact(engine: Engine, seen: dict[str, int]) -> int:
    """Fold each table whose newest row is newer than `seen` holds (the newest id after
    the last fold, updated here): an idle office costs one indexed read per table.
    Return the number of rows folded away."""
    folded = 0
    for name, key in KEYS.items():
        table: Table = orm.metadata.tables[name]
        with engine.connect() as connection:
            newest = connection.scalar(select(func.max(table.c.id))) or 0
            connection.commit()  # a read: a rollback would make psycopg drop the connection's prepared statements
        if newest == seen.get(name):
            continue
        with engine.begin() as connection:
            done = _fold(connection, table, key)
            if done is None:
                continue  # another worker is folding it
            folded += done
            seen[name] = connection.scalar(select(func.max(table.c.id))) or 0
    return folded


def _fold(connection: Connection, table: Table, key: list[str]) -> int | None:
    """Fold `table`'s rows into one per `key`; the rows folded away, or None if another
    worker holds the table's fold."""
    columns = [table.c[k] for k in key]
    before = connection.scalar(select(func.count()).select_from(table)) or 0
    if connection.dialect.name == "postgresql":
        # Several scheduler workers: one folds a table at a time (two deleting the same
        # rows in different orders could deadlock); the others leave it to the next run.
        if not connection.scalar(select(func.pg_try_advisory_xact_lock(_FOLDING, list(KEYS).index(table.name)))):
            return None
        # One statement, one snapshot: it sums exactly the rows it deletes; rows of
        # transactions not yet committed stay for the next fold.
        gone = delete(table).returning(*columns, table.c.n).cte("gone")
        sums = (select(*[gone.c[k] for k in key], func.sum(gone.c.n))
                .group_by(*[gone.c[k] for k in key]).having(func.sum(gone.c.n) != 0))
        connection.execute(insert(table).from_select([*key, "n"], sums))
    else:
        # SQLite: the sum and the delete are one write transaction; rows added meanwhile
        # have larger ids and wait for the next fold.
        mark = connection.scalar(select(func.max(table.c.id))) or 0
        sums = (select(*columns, func.sum(table.c.n)).where(table.c.id <= mark)
                .group_by(*columns).having(func.sum(table.c.n) != 0))
        connection.execute(insert(table).from_select([*key, "n"], sums))
        connection.execute(delete(table).where(table.c.id <= mark))
    after = connection.scalar(select(func.count()).select_from(table)) or 0
    return before - after
