"""Who may read a task, as SQL: the ways in to a task for its reader, and who took part in it.

`engine.access.task_access.may_read` for one who does not read every task: each way in
(`Way`: they direct it, their unit leads, coordinates or monitors it, or they took part
in it) as a condition on a task (`readable_by`) or as reads of the ids it lets in
(`readable_reads`), built from one list (`reader_ways`); and the statements that read a
reader's ids (`reader_ids_statement`), their first and last (`readable_range_statement`),
and how many tasks a unit holds (`unit_holds_statement`).
"""
from __future__ import annotations

import functools
from typing import Any, NamedTuple

from sqlalchemy import Boolean, Integer, any_, bindparam, func, or_, select, union, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from adapters.storage import orm

_t, _p = orm.plan_tasks, orm.plans


class TookPart(ColumnElement[bool]):
    """`column` among the ids of the tasks the user `user_id` took part in
    (`_took_part_ways`), each read through its index. (An OR of IN-subqueries is read by
    PostgreSQL as a scan of every task, each tested against hashed sets.) On SQLite `IN`
    one set, their UNION. On PostgreSQL, `looked_up` (no plan narrows the tasks), `= ANY`
    an array of their reads one after the other, each task then looked up by its id: as
    IN, a person of a few hundred tasks had PostgreSQL hash them and read the whole of
    `ix_plan_tasks_state` against the set (20,000 open, the unit head's 2,876 tasks: the
    person page's statement took its server 7.4 ms, now 6.4; the overdue page 15.6 ms of
    wall time, now 11.6), and it could not do better: looked up one at a time in a join,
    they took longer. Of one plan, `IN`: the plan's tasks read through its index are
    tested against the set, fewer than the person's (the head's page of a plan, as an
    array, 1.3 ms slower)."""

    inherit_cache = False  # (its fields are not in a cache key; run on the cursor path, compiled there)
    type = Boolean()
    _is_implicitly_boolean = True  # a condition as it is: not `... = 1` where booleans are integers

    def __init__(self, column: Any, user_id: Any, looked_up: bool) -> None:
        self.column, self.user_id, self.looked_up = column, user_id, looked_up


@compiles(TookPart)
def _took_part_in_set(element: TookPart, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column.in_(union(*(way.values for way in _took_part_ways(element.user_id)))), **kw)


@compiles(TookPart, "postgresql")
def _took_part_looked_up(element: TookPart, compiler: Any, **kw: Any) -> str:
    if not element.looked_up:
        return _took_part_in_set(element, compiler, **kw)
    reads = union_all(*(way.values for way in _took_part_ways(element.user_id)))
    return compiler.process(element.column == any_(func.array(reads.scalar_subquery())), **kw)


class Way(NamedTuple):
    """A way in to a task for its reader (`task_access.may_read`): the tasks whose
    `column` of `plan_tasks` is `values`, a value or the values a SELECT reads through an
    index, each once; `looked_up`, tested on a task by a look-up in that index rather
    than among the SELECT's values read into a set first."""

    column: str
    values: Any
    looked_up: bool = False


def _took_part_ways(user_id: Any) -> list[Way]:
    """The tasks with a step the user holds by name, or completed, whatever its state
    (each through its partial index, migration 0034), and those whose assignment named
    them (co-handler, for information: `task_people` by person, migration 0035)."""
    w, named = orm.work_items, orm.task_people
    return [Way("id", select(w.c.plan_task_id).where(w.c.assignee_user_id == user_id).distinct()),
            Way("id", select(w.c.plan_task_id).where(w.c.completed_by == user_id).distinct()),
            Way("id", select(named.c.task_id).where(named.c.user_id == user_id).distinct())]


def reader_ways(user_id: Any, unit_id: Any) -> list[Way]:
    """Every way in to a task of `task_access.may_read` for one who does not read every
    task, the likeliest first: they direct it (`ix_plan_tasks_director`, migration 0036),
    their unit leads or coordinates it (`unit_tasks`: a row a unit and task) or monitors
    its plan, or they took part in it (`_took_part_ways`). The one list both SQL forms of
    the rule are built from (`readable_by`, `readable_reads`).

    The unit's tasks are looked up a task at a time in `unit_tasks` (a scalar subquery
    under LIMIT 1, which PostgreSQL cannot turn into a set): as a set, SQLite and
    PostgreSQL read all of the unit's tasks first, for each part of a search (at 100,000
    tasks all of one unit, 100,000 six times a search), where a search by the unit's
    staff finds the tasks it wants among the first matches. At 20,000 tasks of one unit
    PostgreSQL counted 10,001 matches in 75-112 ms with the set, 22-41 by look-ups (the
    word index alone: 11-17)."""
    ways = [Way("director_user_id", user_id)]
    if unit_id is not None:
        ut = orm.unit_tasks
        ways += [Way("id", select(ut.c.task_id).where(ut.c.unit_id == unit_id), looked_up=True),
                 Way("plan_id", select(_p.c.id).where(_p.c.monitor_unit_id == unit_id))]
    return [*ways, *_took_part_ways(user_id)]


def _is(column: Any, values: Any) -> Any:
    return column.in_(values) if isinstance(values, Select) else column == values


def readable_by(user_id: Any, unit_id: Any, look_up: bool = True) -> Any:
    """`engine.access.task_access.may_read` for one who does not read every task, as a
    condition on each task: an OR of its ways in (`reader_ways`), in their order (the
    sets of the later ones are read only for a task the earlier ones do not let in). Not
    `look_up`, each way's set read once: for a statement that tests the rule in one place
    only, a count of many tasks (at 20,000 tasks of one unit, 10,001 matches counted in 37
    ms on PostgreSQL and 10 on SQLite with the unit's set, 61 and 16 by look-ups)."""
    def lets_in(way: Way) -> Any:
        if way.looked_up and look_up:  # (as EXISTS, PostgreSQL makes it a hashed set again: `reader_ways`)
            found = way.values.where(way.values.selected_columns[0] == _t.c[way.column]).limit(1)
            return found.scalar_subquery().is_not(None)
        return _is(_t.c[way.column], way.values)
    return or_(*(lets_in(way) for way in reader_ways(user_id, unit_id)))


def readable_reads(ways: list[Way]) -> list[Any]:
    """The SELECTs of the ids of the tasks `ways` (of `reader_ways`) let in, one a way,
    each through an index and giving an id once at most."""
    def read(name: str, values: Any) -> Any:
        if name == "id":
            return values
        # Aliased: a subquery of `plan_tasks` inside a statement reading it would be
        # correlated to the outer task (each tested against itself), not read by its index.
        tasks = _t.alias(f"by_{name}")
        return select(tasks.c.id).where(_is(tasks.c[name], values))
    return [read(name, values) for name, values, _ in ways]


@functools.cache
def reader_ids_statement(with_unit: bool) -> tuple[Any, int]:
    """The ids of the tasks `readable_by` keeps for a reader (`reader_id`, of
    `reader_unit_id` if `with_unit`), no more than `up_to` (UNION ALL: read as they come,
    no set built first; an id may come once a read), and how many reads it unites."""
    unit = bindparam("reader_unit_id", type_=Integer) if with_unit else None
    reads = readable_reads(reader_ways(bindparam("reader_id", type_=Integer), unit))
    ids = union_all(*reads).subquery()
    return select(ids).limit(bindparam("up_to", type_=Integer, literal_execute=True)), len(reads)


@functools.cache
def unit_holds_statement() -> Any:
    """How many tasks the unit `unit_id` leads or coordinates, no more than `up_to`."""
    held = select(orm.unit_tasks.c.task_id).where(orm.unit_tasks.c.unit_id == bindparam("unit_id", type_=Integer))
    return select(func.count().label("held")).select_from(held.limit(bindparam("up_to", type_=Integer)).subquery())


@functools.cache
def readable_range_statement(with_unit: bool) -> Any:
    """The first and the last id of the tasks `readable_by` keeps for a reader (as
    `reader_ids_statement`), each way's from one read of its ids through its index; the
    unit's (`Way.looked_up`, in `unit_tasks`' key, in id order) each a look-up, not a
    read of them all."""
    unit = bindparam("reader_unit_id", type_=Integer) if with_unit else None
    ways = reader_ways(bindparam("reader_id", type_=Integer), unit)
    ends = []
    for way, read in zip(ways, readable_reads(ways)):
        ids = read.subquery().c[0]
        first, last = func.min(ids), func.max(ids)
        if way.looked_up:  # (SQLite reads a min() or a max() from an index's end when it is alone)
            first, last = select(first).scalar_subquery(), select(last).scalar_subquery()
        ends.append(select(first.label("first"), last.label("last")))
    found = union_all(*ends).subquery()
    return select(func.min(found.c.first), func.max(found.c.last))
