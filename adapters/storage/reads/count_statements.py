"""Counts of tasks: how many a scope holds, by state and by plan, and the plans they are in.

`ProgressQueries.count`'s statement (`count_statement`), a page with its count
(`counted_slices_statement`), the counts by state with the plans to choose from
(`counts_and_plans_statement`, `counts_by_plan_statement`), and a person page's counts
with its page (`person_page_statement`).
"""
from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Date, Integer, bindparam, func, literal_column, select

from adapters.storage import orm
from adapters.storage.dialects import planned_with
from adapters.storage.reads.page_statements import SLICES_ORDER, slices_statement
from adapters.storage.reads.scope_conditions import (
    of_one_person,
    of_one_unit,
    plan_groups,
    scope_conditions,
    task_conditions,
    unit_conditions,
)
from adapters.storage.reads.search_states import in_state_ids, state_read
from adapters.storage.reads.statement_shapes import asc, bound, symbolic, together, unit_bound, unit_scope
from adapters.storage.reads.task_states import by_state, task_state, tasks_with_state
from adapters.storage.reads.text_search import ids_of, matching, readable_matches, reader_range
from engine.reading.progress import TaskScope

_t, _p = orm.plan_tasks, orm.plans


@functools.lru_cache(maxsize=256)
def counted_slices_statement(shape: tuple[Any, ...], orders: tuple[tuple[str | None, str], ...], sqlite: bool) -> Any:
    """`ProgressQueries.counted_slices`' statement: `count_statement` and `slices_statement`.

    On SQLite one page is its own statement, the count a column of each of its rows (run
    once: it does not depend on the row): as a part of a UNION ALL, a plan page's 50 rows
    were read through two subqueries, then copied and sorted again with the count's row,
    and the statement took SQLite 0.19 ms at 20,000 open, now 0.14."""
    tasks = slices_statement(shape, orders, sqlite)
    if sqlite and len(orders) == 1:
        return tasks.add_columns(count_statement(shape, False, False, sqlite).scalar_subquery().label("counted"))
    if len(orders) == 1:  # one page is its own SELECT, whose ORDER BY `together` would drop from under its LIMIT
        tasks = select(tasks.subquery())
    return together([("count", count_statement(shape, False, False, sqlite), ()),
                     ("tasks", tasks, SLICES_ORDER)])


@functools.lru_cache(maxsize=256)
def count_statement(shape: tuple[Any, ...], in_state: bool, capped: bool, sqlite: bool, of_many: bool = False,
                    state_first: bool = False) -> Any:
    """`ProgressQueries.count`'s statement: of the tasks in the state `count_state`, if
    `in_state` (or among the state's ids read first, if `state_first`: `in_state_ids`),
    and no further than `up_to`, if `capped` (a count that stops there); the reader's unit
    of many tasks (`of_many`) as `readable_matches`."""
    scope = symbolic(shape)
    state = _counted_state(scope, sqlite, state_first) if in_state else []
    if not capped:
        groups = None if in_state else plan_groups(scope, orm.plan_task_counts)
        if groups is not None:
            return _plan_count(groups)
        return select(func.count().label("count")).select_from(_t).where(*scope_conditions(scope, sqlite), *state)
    if not scope.words:
        counted = select(_t.c.id).where(*task_conditions(scope), *state)
    elif sqlite and set(shape[1]) <= {"reader_id", "reader_unit_id"} and scope.reader_id is not None:
        counted = (readable_matches(list(scope.words), scope.reader_id, scope.reader_unit_id, of_many, state)
                   .where(*reader_range(scope, sqlite)))
    else:
        # The words bound: the generic plan PostgreSQL keeps once psycopg prepared the count
        # reads the word index's bitmap of the matches, not a test of each row's words, which
        # it planned with the words given for a word most tasks hold (10,001 matches, each
        # tested, more for a reader: each readable or not). But for a state's ids read first,
        # each task then looked up by id and its words tested: of a bound value, the words
        # were made again for each (`to_tsquery`), as written they are made once.
        counted = matching(list(scope.words), [*task_conditions(scope, ids=False, look_up=False), *state,
                                               *reader_range(scope, sqlite)], sqlite, ordered=False, among=ids_of(scope),
                           bound=not state_first)
    return select(func.count().label("count")).select_from(counted.limit(planned_with("up_to", sqlite)).subquery())


def _plan_count(groups: list[Any]) -> Any:
    """How many tasks a plan has (narrowed by due dates or not: `plan_groups`' conditions
    on `plan_task_counts`), summed from its groups, not its tasks counted: the page of a
    1,000-task plan counted its 1,000 entries of `ix_plan_tasks_plan_due` at each read,
    half of its statement's run on PostgreSQL, where the plan's 280 groups are read by
    their key. At 20,000 open (old and new alternated, a shared machine) the plan page's
    statement took PostgreSQL's server 0.243 -> 0.194 ms (faster in 382 of 400 runs),
    SQLite 0.282 -> 0.271 ms of CPU (in 1,368 of 2,000); the whole page (call by call)
    2.330 -> 2.267 ms on PostgreSQL (wall, in 1,303 of 2,000), 1.482 -> 1.470 on SQLite."""
    n = orm.plan_task_counts.c.n
    return select(func.coalesce(func.sum(n), literal_column("0", Integer)).label("count")).where(*groups)


def _counted_state(scope: TaskScope, sqlite: bool, state_first: bool) -> list[Any]:
    """`count_statement`'s condition on the state `count_state`: among the state's ids
    read first (`in_state_ids`), or each row's state compared."""
    if state_first:
        return in_state_ids(sqlite)
    return [task_state(scope.as_of, state_read(scope, sqlite).c) == bindparam("count_state")]


def counts_shape(scope: TaskScope, prefix: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Whether `scope` is of one unit's tasks (`of_one_unit`: read from its groups), and
    its shape and values (`unit_bound`, else `bound`), its parameters named `prefix`
    and their names."""
    if of_one_unit(scope):
        shape, values = unit_bound(scope, prefix)
        return (True, shape), values
    shape, values = bound(scope, prefix)
    return (False, shape), values


@functools.lru_cache(maxsize=256)
def counts_and_plans_statement(counted: tuple[Any, ...], held: tuple[Any, ...], sqlite: bool) -> Any:
    """`ProgressQueries.counts_and_plans`' statement for scopes of these shapes
    (`counts_shape`): the counts and the plans as parts of one UNION ALL (`together`)."""
    (unit, shape), (plans_unit, plans_shape) = counted, held
    counts = _unit_state_counts(*shape) if unit else _state_counts_statement(shape, sqlite)
    plans = _unit_plans(*plans_shape, sqlite=sqlite) if plans_unit else _plans_statement(plans_shape, sqlite)
    return together([("counts", counts, ()), ("plans", plans, asc("id"))])


@functools.lru_cache(maxsize=64)
def counts_by_plan_statement(shape: tuple[Any, ...], sqlite: bool) -> Any:
    """The tasks of a scope of this shape (not one unit's) counted by plan and state, with
    each plan's number and title: the counts and the plans to choose from when both are
    of one scope, whose tasks the two parts of `counts_and_plans_statement` each looked
    up (a person page's counts took SQLite twice as long)."""
    scope = symbolic(shape)
    t = by_state.c if of_one_person(scope) else _t.c
    return _by_plan(task_state(scope.as_of, t), t, _tasks_of(scope, t, sqlite))


@functools.lru_cache(maxsize=64)
def person_page_statement(shape: tuple[Any, ...], state: str | None, sqlite: bool) -> Any:
    """`ProgressQueries.counts_plans_and_page`' statement for a scope of one person's
    tasks of this shape: their counts by plan and state (`_by_plan`) and their page in
    `state`, most urgent first (`slices_statement`), parts of one UNION ALL (`together`)
    over the person's tasks read once (`_person_tasks`). Apart, each part looked the
    person's tasks up: a unit head's 2,876 (20,000 open) were read twice from their
    work items and `ix_plan_tasks_state`, and PostgreSQL scanned the index whole twice."""
    scope = symbolic(shape)
    mine = _person_tasks(scope)
    return together([("counts", _by_plan(mine.c.state, mine.c, []), asc("id", "state")),
                     ("page", slices_statement(shape, ((state, "urgency"),), sqlite, mine=mine), SLICES_ORDER)], mine, sqlite)


def _person_tasks(scope: TaskScope) -> Any:
    """One person's tasks of `scope` (`of_one_person`) as `ix_plan_tasks_state` holds
    them (`by_state`), with their state on its day worked out once (`state`), read once
    for the parts of a statement. Both databases materialise a WITH that is read twice;
    MATERIALIZED says so in the statement. (Its state worked out by each part, a unit
    head's page took SQLite 0.4 ms more at 20,000 open.)"""
    t = by_state.c
    return (select(t.id, task_state(scope.as_of, t).label("state"), t.due_on, t.closed_on, t.plan_id, t.position)
            .where(*task_conditions(scope, t=t)).cte("mine").prefix_with("MATERIALIZED"))


def _by_plan(state: Any, t: Any, conditions: list[Any]) -> Any:
    """The tasks (columns `t`) that `conditions` keep, counted by plan and `state` (their
    state's expression or column), with each plan's number and title
    (`counts_by_plan_statement`)."""
    states = select(t.plan_id, state.label("state")).where(*conditions).subquery()
    grouped = (select(states.c.plan_id, states.c.state, func.count().label("n"))
               .group_by(states.c.plan_id, states.c.state).subquery())
    return (select(_p.c.id, _p.c.number, _p.c.title, grouped.c.state, grouped.c.n)
            .join_from(grouped, _p, _p.c.id == grouped.c.plan_id).order_by(_p.c.id, grouped.c.state))


def _unit_state_counts(led: bool, plan: bool, due_from: bool, due_to: bool, prefix: str) -> Any:
    """The counts by state of one unit's tasks, from its groups."""
    c = orm.unit_task_counts.c
    as_of = bindparam(prefix + "as_of", type_=Date)
    states = (select(task_state(as_of, c).label("state"), c.n)
              .where(*unit_conditions(c, unit_scope(as_of, led, plan, due_from, due_to, prefix))).subquery())
    return select(states.c.state, func.coalesce(func.sum(states.c.n), 0).label("n")).group_by(states.c.state)


def _unit_plans(led: bool, plan: bool, due_from: bool, due_to: bool, prefix: str, sqlite: bool) -> Any:
    """The plans of one unit's groups holding a task: whose groups sum to a task or more
    (a group's row alone may be a +1 whose -1 is another row, until folded)."""
    c = orm.unit_task_counts.c
    groups = unit_conditions(c, unit_scope(bindparam(prefix + "as_of", type_=Date), led, plan, due_from, due_to,
                                           prefix))
    if sqlite:
        # Each plan's sum over its range of `ix_unit_task_counts_unit` (unit, plan): the
        # same index entries as grouping the unit's by plan, without the IN list built
        # from them (20k, the unit head's 6,010 groups: the statement 1.89 -> 1.83 ms).
        # PostgreSQL's plan-by-plan sums were no faster (0.56 ms either way).
        held = select(func.sum(c.n)).where(*groups, c.plan_id == _p.c.id).scalar_subquery() > 0
        return select(_p.c.id, _p.c.number, _p.c.title).where(held).order_by(_p.c.id)
    return _plans_holding(select(c.plan_id).where(*groups).group_by(c.plan_id).having(func.sum(c.n) > 0))


def _state_counts_statement(shape: tuple[Any, ...], sqlite: bool) -> Any:
    """The counts by state of a scope of this shape (not one unit's)."""
    scope = symbolic(shape)
    t = by_state.c if of_one_person(scope) else _t.c
    states = tasks_with_state(scope, _tasks_of(scope, t, sqlite), t)
    return select(states.c.state, func.count().label("n")).group_by(states.c.state)


def _plans_statement(shape: tuple[Any, ...], sqlite: bool) -> Any:
    """The plans holding a task of a scope of this shape (not one unit's)."""
    scope = symbolic(shape)
    t = by_state.c if of_one_person(scope) else _t.c
    return _plans_holding(select(t.plan_id).where(*_tasks_of(scope, t, sqlite)))


def _tasks_of(scope: TaskScope, t: Any, sqlite: bool) -> list[Any]:
    """WHERE conditions on the columns `t` for `scope`: `scope_conditions` on `plan_tasks`,
    `task_conditions` on `by_state`'s (a scope of one person's tasks, which has no words)."""
    return scope_conditions(scope, sqlite) if t is _t.c else task_conditions(scope, t=t)


def _plans_holding(held: Any) -> Any:
    return select(_p.c.id, _p.c.number, _p.c.title).where(_p.c.id.in_(held)).order_by(_p.c.id)
