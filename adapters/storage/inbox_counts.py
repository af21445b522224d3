"""Folding the count rows of the inbox (`orm.inbox_counts`, `orm.inbox_choices`), of
the unit page (`orm.unit_task_counts`) and of the dashboard (`orm.plan_task_counts`).

Triggers on `work_items` add a row of +1 or -1 per inbox a ready step enters or leaves
(migration 0019), on `task_units` and `plan_tasks` per unit group a task enters or
leaves (0021), and on `plan_tasks` per plan group (0048), so that writers only insert
and never wait on a shared counter row.
A count is the sum of its key's rows, exact whatever their number; folding them into
one row per key (dropping keys that sum to nothing) keeps that sum as cheap as the
number of keys: a holder's dates, plans and steps. The scheduler folds after changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Executable, Table, and_, bindparam, delete, func, insert, or_, select
from sqlalchemy.engine import Connection, Engine

from adapters.storage import orm

KEYS: dict[str, list[str]] = {
    "inbox_counts": ["holder_user_id", "holder_unit_id", "holder_role", "due_on", "step_id"],
    "inbox_choices": ["holder_user_id", "holder_unit_id", "holder_role", "plan_id", "step_id", "step_name"],
    "unit_task_counts": ["plan_id", "lead", "unit_id", "status", "due_on", "closed_on"],
    "plan_task_counts": ["plan_id", "due_on", "closed_on", "status"],
}
# (Each in the order of its table's index: a fold of every key reads them in that order.)


_FOLDING = 0x19F01D  # the advisory lock's first key: "folding count rows"


@dataclass
class Marks:
    """Where one worker's folds of one table stand (a worker that starts has none: it
    reads every key once and folds those with several rows)."""

    newest: int = 0
    """The table's newest id after the last fold: while it stays the newest, nothing was
    added and the table is not folded."""
    low: int = 0
    """The next fold reads the keys of the rows above it: the rows a fold has not seen.
    SQLite: the newest row when the last fold began (`last`; rows committed between the
    fold's read of it and its first write are read again), or the newest row after that
    fold if lower: the fold left no row above it, and SQLite gives a new row the newest id
    plus one, so a mark above it would skip rows that reuse the ids of rows folded away.
    PostgreSQL: the newest row after the fold before the last, one fold behind, as a row
    whose id was drawn before a fold may be committed after it (a transaction open across
    a whole scheduler interval may still leave its rows unfolded until their key changes
    again; its counts are sums, exact all the same)."""


def compact(engine: Engine, marks: dict[str, Marks]) -> int:
    """Fold, in each table with a row newer than its `marks` (by table name, updated
    here), the keys of the rows added since: an idle office costs one indexed read per
    table, a fold as much as the keys that changed, whatever the table's size (the other
    keys' rows are neither read nor written: on SQLite the write lock is held for a moment,
    on PostgreSQL their index entries stay visible to Index Only Scans). Return the number
    of rows folded away."""
    folded = 0
    for name in KEYS:
        table: Table = orm.metadata.tables[name]
        mark = marks.setdefault(name, Marks())
        with engine.connect() as connection:
            newest = connection.scalar(select(func.max(table.c.id))) or 0
            connection.commit()  # a read: a rollback would make psycopg drop the connection's prepared statements
        if newest == mark.newest:
            continue
        with engine.begin() as connection:
            postgresql = connection.dialect.name == "postgresql"
            # SQLite: the newest row when the fold begins (rows added meanwhile, with larger
            # ids, wait for the next fold). The driver begins the transaction at the fold's
            # first write: a row may be committed between this read and it.
            last = None if postgresql else connection.scalar(select(func.max(table.c.id))) or 0
            done = _fold(connection, table, mark.low, last)
            if done is None:
                continue  # another worker is folding it
            folded += done
            newest = connection.scalar(select(func.max(table.c.id))) or 0
            mark.low = mark.newest if last is None else min(last, newest)
            mark.newest = newest
    return folded


def _fold(connection: Connection, table: Table, mark: int, last: int | None) -> int | None:
    """Fold into one row each the keys of `table`'s rows with an id above `mark` (and up to
    `last` on SQLite) that have several rows or sum to nothing; the rows folded away, or
    None if another worker holds the table's fold."""
    if last is None:
        # Several scheduler workers: one folds a table at a time (two deleting the same
        # rows in different orders could deadlock); the others leave it to the next run.
        if not connection.scalar(select(func.pg_try_advisory_xact_lock(_FOLDING, list(KEYS).index(table.name)))):
            return None
        return connection.scalar(_statements(table.name, "postgresql", not mark)[0], {"mark": mark})
    # SQLite: the sums and the delete are one write transaction.
    put, gone = _statements(table.name, "sqlite", not mark)
    put_in = connection.execute(put, {"mark": mark, "last": last}).rowcount
    return connection.execute(gone, {"mark": mark, "last": last}).rowcount - put_in


@cache
def _statements(name: str, dialect: str, whole: bool) -> tuple[Executable, ...]:
    """The fold's statements of table `name` on `dialect` (built once: a fold is a few
    rows, building them cost more than running them): of the keys of the rows with an
    id above `:mark` (and up to `:last` on SQLite), or of every key if `whole`, those
    with several rows or summing to nothing are folded."""
    table: Table = orm.metadata.tables[name]
    key = KEYS[name]
    columns = [table.c[k] for k in key]
    rows = select(table.c.id, *columns, table.c.n,
                  func.count().over(partition_by=columns).label("rows_of_key"),
                  func.sum(table.c.n).over(partition_by=columns).label("sum_of_key"))
    if not whole:  # (every key: the table read once in its index's order, not a key at a time)
        added = [table.c.id > bindparam("mark")]
        if dialect == "sqlite":
            # Bounded on both sides, SQLite reads the rows added from the primary key
            # (above the mark alone, it estimated a scan of the covering index cheaper).
            added.append(table.c.id <= bindparam("last"))
        changed = select(*columns).where(*added).distinct().subquery("changed")
        # A key's rows (its dates may be NULL: IS on SQLite, IS NOT DISTINCT FROM on
        # PostgreSQL), found in the table's index by the key's other columns.
        rows = rows.join_from(table, changed, and_(*[c.is_not_distinct_from(changed.c[c.name]) if c.nullable
                                                     else c == changed.c[c.name] for c in columns]))
    if dialect == "postgresql":
        # One statement, one snapshot: it sums exactly the rows it deletes; rows of
        # transactions not yet committed stay for a next fold. It returns the rows
        # folded away.
        keyed = rows.cte("keyed")
        gone = (delete(table).where(table.c.id == keyed.c.id, or_(keyed.c.rows_of_key > 1, keyed.c.sum_of_key == 0))
                .returning(*columns, table.c.n).cte("gone"))
        sums = (select(*[gone.c[k] for k in key], func.sum(gone.c.n))
                .group_by(*[gone.c[k] for k in key]).having(func.sum(gone.c.n) != 0))
        put = insert(table).from_select([*key, "n"], sums).returning(table.c.id).cte("put")
        return (select(select(func.count()).select_from(gone).scalar_subquery()
                       - select(func.count()).select_from(put).scalar_subquery()),)
    # SQLite: the sums (their rows get ids above `:last`), then the rows summed.
    keyed = rows.where(table.c.id <= bindparam("last")).subquery("keyed")
    sums = (select(*[keyed.c[k] for k in key], func.sum(keyed.c.n)).where(keyed.c.rows_of_key > 1)
            .group_by(*[keyed.c[k] for k in key]).having(func.sum(keyed.c.n) != 0))
    gone = delete(table).where(table.c.id.in_(
        select(keyed.c.id).where(or_(keyed.c.rows_of_key > 1, keyed.c.sum_of_key == 0))))
    return insert(table).from_select([*key, "n"], sums), gone
