"""The dashboard's counts in one statement: by state and month, by lead unit, and the units to choose from.

`ProgressQueries.dashboard_counts`' statement (`dashboard_statement`): a plan's from its
groups in `plan_task_counts` and `unit_task_counts`, other scopes' from their tasks.
"""
from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

from sqlalchemy import Integer, String, and_, any_, bindparam, cast, func, literal_column, null, select, union_all

from adapters.storage import orm
from adapters.storage.reads.scope_conditions import plan_groups, scope_conditions
from adapters.storage.reads.statement_shapes import symbolic
from adapters.storage.reads.task_states import task_state, tasks_with_state
from engine.reading.progress import TaskScope

_t, _tu, _u = orm.plan_tasks, orm.task_units, orm.units


@functools.lru_cache(maxsize=256)
def dashboard_statement(shape: tuple[Any, ...], choices_shape: tuple[Any, ...] | None, sqlite: bool) -> Any:
    """`ProgressQueries.dashboard_counts`' statement for scopes of these shapes: its
    dates (and so its states), lead units and choices (none for no `choices_shape`: the
    lead units' units) as parts of one UNION ALL."""
    scope, choices = symbolic(shape), symbolic(choices_shape or shape)
    if not sqlite:
        scope, choices = _plan_written_in(scope), _plan_written_in(choices)
    conditions = scope_conditions(scope, sqlite)
    states = tasks_with_state(scope, conditions)
    n = func.count().label("n")
    no_int, no_text = cast(null(), Integer), cast(null(), String)
    lead = _tu.c.role == "lead"
    c = orm.unit_task_counts.c
    groups, chosen_groups = plan_groups(scope, orm.unit_task_counts), plan_groups(choices, orm.unit_task_counts)
    if groups is not None:
        counted = select(c.unit_id, task_state(scope.as_of, c).label("state"), c.n).where(*groups, c.lead == 1).subquery()
        summed = (select(counted.c.unit_id, counted.c.state, func.sum(counted.c.n).label("n"))
                  .group_by(counted.c.unit_id, counted.c.state).having(func.sum(counted.c.n) > 0).subquery())
        units = _named("'units'", summed, summed.c.state)
    elif not sqlite:
        # The units of the scope's tasks by their ids, through `task_units`' task-id index:
        # as a join PostgreSQL hashed the whole table (every unit row of the office) once
        # a plan held a fair share of the tasks. `= ANY(ARRAY(...))` it looks up id by id.
        ids = _tu.c.task_id == any_(func.array(select(_t.c.id).where(*conditions).scalar_subquery()))
        units = _lead_units(_tu.join(states, states.c.id == _tu.c.task_id), [lead, ids], states, n)
    else:  # SQLite looks each task's units up by its index already, and a join costs it less
        units = _lead_units(states.join(_tu, and_(_tu.c.task_id == states.c.id, lead)), [], states, n)
    if chosen_groups is not None:
        summed = (select(c.unit_id, func.sum(c.n).label("n")).where(*chosen_groups, c.lead == 1)
                  .group_by(c.unit_id).having(func.sum(c.n) > 0).subquery())
    else:
        either = scope_conditions(choices, sqlite)
        where = ([lead, _tu.c.task_id == any_(func.array(select(_t.c.id).where(*either).scalar_subquery()))]
                 if not sqlite else [lead, *either])
        summed = (select(_tu.c.unit_id, n).select_from(_tu if not sqlite else _tu.join(_t, _t.c.id == _tu.c.task_id))
                  .where(*where).group_by(_tu.c.unit_id).subquery())
    chosen = _named("'choices'", summed, no_text)
    # The tasks by their own columns first, then each group's state: a state worked out
    # per task and grouped on cost SQLite 0.36 ms for a plan of 1,000 (its raw SQL), grouped
    # first 0.09. A plan's (narrowed by due dates or not) are its groups in `plan_task_counts`
    # (a plan's 1,000 tasks due over the year: 280 rows, read by the plan's key: its dates'
    # part of the statement alone, SQLite 100,000 open, 0.74 -> 0.26 ms), and those a unit
    # leads its groups in `unit_task_counts` (`_dated_groups`); other scopes' tasks
    # are grouped here, in the order of `ix_plan_tasks_plan_due` (no sort). The groups are
    # then summed by state and months, the few rows the chart needs (12; those summing to no
    # task left out: a group's rows of +1 and -1 not yet folded): handed over one per date,
    # they cost the dashboard 1.9 ms of 8.9 on SQLite (CPU).
    dated_groups = _dated_groups(scope)
    if dated_groups is not None:
        k, where = dated_groups
        grouped = select(k.due_on, k.closed_on, k.status, k.n).where(*where).subquery()
    else:
        grouped = (select(_t.c.due_on, _t.c.closed_on, _t.c.status, func.count().label("n")).where(*conditions)
                   .group_by(_t.c.due_on, _t.c.closed_on, _t.c.status).subquery())
    month = _month_of(sqlite)
    dated = select(task_state(scope.as_of, grouped.c).label("state"), month(grouped.c.due_on).label("due_month"),
                   month(grouped.c.closed_on).label("closed_month"), grouped.c.n).subquery()
    return union_all(
        select(*_dashboard_row("'dates'", no_int, no_text, dated.c.state, dated.c.due_month, dated.c.closed_month,
                               cast(func.sum(dated.c.n), Integer)))
        .group_by(dated.c.state, dated.c.due_month, dated.c.closed_month).having(func.sum(dated.c.n) > 0),
        units,
        *([] if choices_shape is None else [chosen]),
    )


def _month_of(sqlite: bool) -> Any:
    """A date column's month as "2024-03" (`engine.reading.progress`'s months), NULL for none:
    SQLite keeps a date as the text "2024-03-29"."""
    if sqlite:
        return lambda day: func.substr(day, 1, 7)
    return lambda day: func.to_char(day, literal_column("'YYYY-MM'"))


def _plan_written_in(scope: TaskScope) -> TaskScope:
    """`scope` (of bound parameters, `symbolic`) with its plan's id written into the SQL
    at each run (`literal_execute`), on PostgreSQL. Bound, PostgreSQL costed each read's
    custom plan below the generic one and planned the dashboard's counts again at every read
    (0.31-0.34 ms a run, against 0.15-0.23 planned once); hidden in a one-value subquery,
    its generic plan guessed an average plan's share of the tasks and read a small plan's
    by a scan of them all. Written in, each plan's counts are planned once per connection."""
    if scope.plan_id is None:
        return scope
    return replace(scope, plan_id=bindparam(scope.plan_id.key, type_=Integer, literal_execute=True))


def _dashboard_row(part: str, *columns: Any) -> list[Any]:
    """A row of `dashboard_statement`'s part `part`, each column named in every part (the
    rows are told apart by their names, whichever part a database gives first)."""
    names = ("part", "unit_id", "name", "state", "due_month", "closed_month", "n")
    return [value.label(name) for value, name in zip((literal_column(part), *columns), names, strict=True)]


def _lead_units(joined: Any, where: list[Any], states: Any, n: Any) -> Any:
    """The dashboard's lead units part from the scope's tasks (`states`) joined to their units."""
    summed = (select(_tu.c.unit_id, states.c.state, n).select_from(joined).where(*where)
              .group_by(_tu.c.unit_id, states.c.state).subquery())
    return _named("'units'", summed, summed.c.state)


def _named(part: str, summed: Any, state: Any) -> Any:
    """The dashboard's part `part` of counts per unit (`summed`: `unit_id`, `n`; by `state`,
    or none), each unit's name joined once its counts are summed: joined first, a unit was
    looked up for every group of `unit_task_counts` it is counted in (a plan of 1,000
    tasks: 462 groups, a dozen sums). Its SQL alone, old and new alternated (40 rounds, a
    shared machine): at 100,000 open on SQLite 0.41 ms of CPU, now 0.34 (faster in 38
    rounds); on PostgreSQL at 20,000 open 0.35 ms of the server's, now 0.30 (in 39)."""
    no_text = cast(null(), String)
    return (select(*_dashboard_row(part, _u.c.id, _u.c.name, state, no_text, no_text, summed.c.n))
            .select_from(summed.join(_u, _u.c.id == summed.c.unit_id)))


def _dated_groups(scope: TaskScope) -> tuple[Any, list[Any]] | None:
    """The columns of the table of groups whose sums are the dashboard's dates part for
    `scope`, and the WHERE conditions on them: a plan's tasks (narrowed by due dates or
    not) are its groups in `plan_task_counts`; those of them a unit leads (`lead_unit_id`),
    the unit's leading groups of the plan in `unit_task_counts` (a task counted once for
    a unit, as `task_conditions` tests it). Grouped from the tasks, the plan's each tested
    among every task the unit leads in the office, a plan of 1,000 tasks filtered to a
    unit leading 11,060 at 20,000 open took SQLite 5.8 ms, PostgreSQL's server 17; its
    groups, 0.3 ms. None for a scope narrowed otherwise (`plan_groups`)."""
    if scope.lead_unit_id is None:
        groups = plan_groups(scope, orm.plan_task_counts)
        return None if groups is None else (orm.plan_task_counts.c, groups)
    groups = plan_groups(replace(scope, lead_unit_id=None), orm.unit_task_counts)
    c = orm.unit_task_counts.c
    return None if groups is None else (c, [*groups, c.lead == 1, c.unit_id == scope.lead_unit_id])
