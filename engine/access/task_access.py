"""Who may read a task, its history and its files: the one rule, for pages, API and lists.

Reading follows the work. The leadership and the plan monitors read every task (they
follow and judge all of them); anyone else reads a task when their unit leads it,
coordinates it or monitors its plan, or when they themselves held one of its steps or
direct it. A task outside that scope does not exist for the reader (`NotFound`, a
404): answering 403 would confirm that a task with that number exists.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from engine import model
from engine.errors import N_, NotFound
from engine.unit_of_work import AbstractUnitOfWork

READS_EVERY_TASK = ("leader", "monitor")

T = TypeVar("T")


def reads_every_task(user: model.Actor) -> bool:
    return user.role in READS_EVERY_TASK


def may_read(user: model.Actor, units: set[int | None], people: set[int | None]) -> bool:
    """`units`: the task's lead and coordinating units and its plan's monitoring unit;
    `people`: its director, whoever held or completed one of its steps, and the
    co-handlers and those told for information its assignment named."""
    if reads_every_task(user) or user.id in people:
        return True
    return user.unit_id is not None and user.unit_id in units


def scope_of(user: model.Actor) -> dict[str, int | None]:
    """`may_read` for a list the database narrows (`engine.reading.progress.TaskScope`
    fields): nothing for those who read every task, else the reader and their unit."""
    return {} if reads_every_task(user) else {"reader_id": user.id, "reader_unit_id": user.unit_id}


def named(people: dict[str, list[int]] | None) -> set[int]:
    """The co-handlers and those told for information that an assignment named: the
    integers of each kind's list. Anything else a hand repair may leave under a kind (null,
    a scalar, an element that is no id) names no one, as the database's copy reads it
    (`task_people`, migration 0037)."""
    kinds = people.values() if isinstance(people, dict) else ()
    return {user_id for ids in kinds if isinstance(ids, list) for user_id in ids if type(user_id) is int}


def _may_read_task(user: model.Actor, task: model.PlanTask, plan: model.Plan, holders: set[int]) -> bool:
    units = {u.unit_id for u in task.units} | {plan.monitor_unit_id}
    return may_read(user, units, holders | {task.director_user_id} | named(task.people))


def reader(uow: AbstractUnitOfWork, user_id: int) -> model.Actor:
    user = uow.users.acting(user_id)
    if user is None or not user.active:
        raise NotFound(N_("This task does not exist."))
    return user


def require_readable(uow: AbstractUnitOfWork, user_id: int, task: model.PlanTask | None,
                     plan: model.Plan | None = None) -> model.PlanTask:
    """The task, when `user_id` may read it; NotFound otherwise (a missing task alike)."""
    if task is None:
        raise NotFound(N_("This task does not exist."))
    plan = plan or uow.plans.get(task.plan_id)
    people = uow.work_items.people_on_tasks([task.id]).get(task.id, set())
    if not _may_read_task(reader(uow, user_id), task, plan, people):
        raise NotFound(N_("This task does not exist."))
    return task


def readable(uow: AbstractUnitOfWork, user_id: int, plan: model.Plan,
             tasks: Iterable[tuple[T, model.PlanTask]]) -> list[T]:
    """Of `(row, task)` pairs of one plan, the rows whose task `user_id` may read: one query."""
    pairs = list(tasks)
    user = reader(uow, user_id)
    if reads_every_task(user):
        return [row for row, _ in pairs]
    people = uow.work_items.people_on_tasks([t.id for _, t in pairs])
    return [row for row, t in pairs if _may_read_task(user, t, plan, people.get(t.id, set()))]
