"""Which tasks a scope keeps: the WHERE conditions of a `TaskScope`.

On `plan_tasks` (`task_conditions`, and with its words through the word index,
`scope_conditions`), on a unit's tables (`unit_conditions`) and on a plan's groups
(`plan_groups`), and the scopes read from tables of their own: one person's tasks
(`of_one_person`) and one unit's (`of_one_unit`).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select

from adapters.storage import orm
from adapters.storage.reads.reader_scope import TookPart, readable_by
from adapters.storage.reads.statement_shapes import AmongIds
from adapters.storage.reads.text_search import with_words
from engine.reading.progress import TaskScope

_t, _tu = orm.plan_tasks, orm.task_units


def scope_conditions(scope: TaskScope, sqlite: bool) -> list[Any]:
    """WHERE conditions on `plan_tasks` for `scope`, its words through the word index."""
    conditions = task_conditions(scope)
    if scope.words and scope.matches is None:  # (else among its matches, `task_conditions`)
        conditions.append(_t.c.id.in_(with_words(list(scope.words), sqlite)))
    return conditions


def plan_groups(scope: TaskScope, counts: Table) -> list[Any] | None:
    """WHERE conditions on a table of a plan's groups (`counts`: `unit_task_counts`, of its
    units, or `plan_task_counts`) for a plan's tasks, narrowed by due dates; None for a scope
    narrowed otherwise (a unit's or a person's tasks, words: a plan's groups do not tell
    which of them those are)."""
    if (scope.plan_id is None or scope.unit_id is not None or scope.lead_unit_id is not None
            or scope.person_id is not None or scope.reader_id is not None or scope.words
            or scope.matches is not None):
        return None
    c = counts.c
    conditions = [c.plan_id == scope.plan_id]
    if scope.due_from is not None:
        conditions.append(c.due_on >= scope.due_from)
    if scope.due_to is not None:
        conditions.append(c.due_on <= scope.due_to)
    return conditions


def of_one_person(scope: TaskScope) -> bool:
    """Whether `scope` is of one person's tasks (`TookPart`), narrowed by plan, lead unit
    and due dates only: what `ix_plan_tasks_state` holds of each (`by_state`)."""
    return (scope.person_id is not None and scope.unit_id is None and scope.reader_id is None
            and scope.matches is None and not scope.words)


def of_one_unit(scope: TaskScope) -> bool:
    """Whether `scope` is of one unit's tasks (led or coordinated, or led), narrowed by
    plan and due dates only: what the unit's tables (`unit_task_counts`, `unit_tasks`) answer."""
    return not (scope.unit_id is None or scope.person_id is not None or scope.reader_id is not None
                or scope.words or scope.lead_unit_id not in (None, scope.unit_id))


def unit_conditions(c: Any, scope: TaskScope) -> list[Any]:
    """WHERE conditions on a unit's table (`c`) for `scope`, whose values may be bound
    parameters."""
    conditions = [c.unit_id == scope.unit_id]
    if scope.lead_unit_id is not None:
        conditions.append(c.lead == 1)
    if scope.plan_id is not None:
        conditions.append(c.plan_id == scope.plan_id)
    if scope.due_from is not None:
        conditions.append(c.due_on >= scope.due_from)
    if scope.due_to is not None:
        conditions.append(c.due_on <= scope.due_to)
    return conditions


def task_conditions(scope: TaskScope, ids: bool = True, look_up: bool = True, t: Any = _t.c) -> list[Any]:
    """WHERE conditions on `plan_tasks` (its columns `t`: of `by_state` for a scope of
    one person's tasks, `of_one_person`) for `scope` but its words (and but its reader's
    ids unless `ids`: a read of the word index tests them itself, `matching`; the
    reader's rule as `readable_by` `look_up`); a task without a date is outside any
    deadline range (a comparison with NULL is not true)."""
    conditions: list[Any] = []
    if scope.plan_id is not None:
        conditions.append(t.plan_id == scope.plan_id)
    if scope.unit_id is not None:
        conditions.append(t.id.in_(select(_tu.c.task_id).where(_tu.c.unit_id == scope.unit_id)))
    if scope.lead_unit_id is not None:
        conditions.append(t.id.in_(_led_by(scope.lead_unit_id, scope.plan_id)))
    if scope.person_id is not None:
        conditions.append(TookPart(t.id, scope.person_id, looked_up=scope.plan_id is None))
    if scope.reader_id is not None:
        conditions.append(readable_by(scope.reader_id, scope.reader_unit_id, look_up))
    if ids and scope.matches is not None:
        conditions.append(AmongIds(t.id, scope.matches.key))
    if scope.due_from is not None:
        conditions.append(t.due_on >= scope.due_from)
    if scope.due_to is not None:
        conditions.append(t.due_on <= scope.due_to)
    return conditions


def _led_by(unit_id: Any, plan_id: Any) -> Any:
    """The ids of the tasks the unit `unit_id` leads; of the plan `plan_id`, when given, its
    range of `unit_tasks`' (unit, plan) index (a row a task the unit takes part in, led or
    not, kept by triggers), not every task the unit leads in the office: for a plan of
    1,000 tasks filtered to a unit leading 11,060 at 20,000 open, its tasks' groups took
    SQLite 6.0 ms of CPU, now 0.8; PostgreSQL 9.9 ms, now 1.4 (it hashed the 11,060)."""
    if plan_id is None:
        return select(_tu.c.task_id).where(_tu.c.unit_id == unit_id, _tu.c.role == "lead")
    c = orm.unit_tasks.c
    return select(c.task_id).where(c.unit_id == unit_id, c.plan_id == plan_id, c.lead == 1)
