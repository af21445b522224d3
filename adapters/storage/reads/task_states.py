"""A task's state on a day in SQL, and the orders and conditions that follow from it.

The state is a CASE over the task's status and dates (`task_state`), as
`engine.reading.progress.task_state` decides it; counts are GROUP BY over it in the
database. Most urgent first (`urgency`), the conditions of a state (`in_state_conditions`,
`overdue_on`), and a task read through the index that holds its status and dates
(`by_state`, on SQLite `INDEXED BY`).
"""
from __future__ import annotations

import functools
from datetime import date
from typing import Any

from sqlalchemy import Integer, String, and_, case, literal_column, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.selectable import Alias

from adapters.storage import orm
from engine.reading.progress import DONE_LATE, DONE_ON_TIME, IN_PROGRESS, OVERDUE, WAITING, TaskScope

_t = orm.plan_tasks


class _IndexedBy(Alias):
    """A table under another name, read on SQLite through the index `index` (`INDEXED
    BY`): SQLite with no statistics guesses ten rows for a key of an index that is not
    unique, and so looks a task up by its rowid, in its long row, where the index would do."""

    inherit_cache = False  # (its index is not in a cache key; run on the cursor path, compiled there)
    index: str


@compiles(_IndexedBy)
def _indexed_by(element: _IndexedBy, compiler: Any, **kw: Any) -> str:
    return compiler.visit_alias(element, **kw)


@compiles(_IndexedBy, "sqlite")
def _indexed_by_on_sqlite(element: _IndexedBy, compiler: Any, **kw: Any) -> str:
    named = compiler.visit_alias(element, **kw)
    return f"{named} INDEXED BY {element.index}" if kw.get("asfrom") else named


def indexed_by_alias(table_: Any, name: str, index: str) -> _IndexedBy:
    found = _IndexedBy._construct(table_, name=name)
    found.index = index
    return found


# A match's task as a search's state test reads it on SQLite: its entry in
# `ix_plan_tasks_state` (migration 0043: its status and dates by id), not its row (its
# text, and its words twice), which SQLite read from the file for each match: a staff
# member's overdue search read every match of their unit so. And a person page's tasks,
# counted and ordered (`of_one_person`: with their plan and position, 0049).
by_state = indexed_by_alias(_t, "task_state", "ix_plan_tasks_state")


def overdue_on(day: Any, closed: bool) -> list[Any]:
    """WHERE conditions on `plan_tasks` for the tasks overdue on `day` (as
    `engine.reading.progress.task_state` decides it) with no closing date, or (`closed`)
    with one, that one first: written out, not `task_state`'s CASE, so that the index's
    columns are tested as they are read, and the SQL stays short."""
    late = [_t.c.status != written("waiting_date"), _t.c.due_on < day]
    if not closed:
        return [_t.c.closed_on.is_(None), *late]
    return [_t.c.closed_on.is_not(None), *late, or_(_t.c.status != written("closed"), _t.c.closed_on > day)]


def in_state_conditions(as_of: Any, state: str | None, bound: Any, day: Any, t: Any, state_of: Any = None) -> list[Any]:
    """WHERE conditions on the columns `t` of `plan_tasks` (`state_read`'s) for the tasks
    in `state` (its value `bound`) on `as_of` (also `day`): their state (`state_of`, when
    worked out already), and the due dates an overdue or in-progress task has, a range of
    `ix_plan_tasks_plan_due` (the state alone is an expression no index holds, so a plan's
    overdue page read every task of the plan)."""
    if state is None:
        return []
    due = {OVERDUE: [t.due_on < day], IN_PROGRESS: [t.due_on >= day]}.get(state, [])
    return [(task_state(as_of, t) if state_of is None else state_of) == bound, *due]


def tasks_with_state(scope: TaskScope, conditions: list[Any], t: Any = _t.c) -> Any:
    """The tasks of `scope` (the columns `t` of `plan_tasks`) with their state on its day,
    as a subquery to group outside: PostgreSQL does not see two copies of a CASE with
    bound dates as one expression to GROUP BY."""
    return select(t.id, t.due_on, t.closed_on, task_state(scope.as_of, t).label("state")).where(*conditions).subquery()


def urgency(state: Any, t: Any) -> list[Any]:
    """Most urgent first, of the rows `t` (of `plan_tasks`, or with its columns) whose
    state is `state`: overdue, the longest late first, then open by due date, then done
    (then in plan order)."""
    return [case((state == written(OVERDUE), FIRST), else_=AFTER),
            case((t.closed_on.is_(None), FIRST), else_=AFTER), t.due_on.asc().nulls_last()]


def task_state(as_of: Any, t: Any = _t.c) -> Any:
    """A task's state on `as_of` (a day, or a bound parameter: `symbolic`), as
    `engine.reading.progress.task_state` decides it, from the columns `t` (of `plan_tasks`,
    or of a unit's groups of tasks)."""
    if t is _t.c and isinstance(as_of, date):
        return _state_on(as_of)
    return _state_case(as_of, t)


@functools.lru_cache(maxsize=8)
def _state_on(as_of: date) -> Any:
    """`task_state` of `plan_tasks`, built once a day for the statements built per read (most
    reads ask about today; expressions are immutable and shared): 0.1 ms a build."""
    return _state_case(as_of, _t.c)


def _state_case(as_of: Any, t: Any) -> Any:
    """`task_state` written out: the CASE on the columns `t`."""
    done = and_(t.status == written("closed"), t.closed_on.is_not(None), t.closed_on <= as_of)
    return case(
        (and_(done, t.due_on.is_not(None), t.closed_on > t.due_on), written(DONE_LATE)),
        (done, written(DONE_ON_TIME)),
        (or_(t.status == written("waiting_date"), t.due_on.is_(None)), written(WAITING)),
        (t.due_on < as_of, written(OVERDUE)),
        else_=written(IN_PROGRESS),
    )


def written(word: str) -> Any:
    """A constant word (a status, a state's name) written into the SQL, not bound: a
    state's CASE bound its nine words each time it appears (the unit page's statement
    had 83 parameters, each one processed in Python at every run; past 50 psycopg
    converts the statement again at each run), and PostgreSQL plans with the values."""
    return literal_column(f"'{word}'", String)


# The ranks of `urgency`'s keys, written into the SQL as `written` words are.
FIRST, AFTER = literal_column("0", Integer), literal_column("1", Integer)
