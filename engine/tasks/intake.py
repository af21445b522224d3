"""Plan intake: store a plan and its tasks, and start one process instance per task.

The whole plan is one unit of work: either every task is stored and started, or
nothing is.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from datetime import date
from typing import Any, Iterator

from engine import model
from engine.clock import Clock, SystemClock, to_storage
from engine.deadlines import notices, report_dates
from engine.errors import N_, InvalidInput
from engine.process import instances
from engine.reading.search_text import search_texts
from engine.unit_of_work import AbstractUnitOfWork


def create_plan(uow: AbstractUnitOfWork, plan: model.Plan, tasks: list[model.PlanTask],
                clock: Clock | None = None) -> int:
    """Store the plan, start every task's process; return the plan's id. The tasks are
    as the plan states them (`PlanTask.with_units`): intake dates, indexes and stores them."""
    with uow:
        plan_id = store_plan(uow, plan, tasks, clock or SystemClock())
        uow.commit()
        return plan_id


def store_plan(uow: AbstractUnitOfWork, plan: model.Plan, tasks: list[model.PlanTask], clock: Clock) -> int:
    """`create_plan` inside the caller's open unit of work, which commits: an import
    creates its new units and the plan in one transaction (engine/importing/plan_import.py)."""
    store_plan_row(uow, plan, tasks, clock)
    start_tasks(uow, plan, tasks, 0, clock)
    return plan.id


def store_plan_row(uow: AbstractUnitOfWork, plan: model.Plan, tasks: list[model.PlanTask], clock: Clock) -> None:
    """The plan itself, checked with all its tasks, but stored without them: a large
    plan's tasks are then started in chunks by a background job (`start_tasks`)."""
    _check(plan, tasks)
    plan.created_at = to_storage(clock.now())
    uow.plans.add(plan)
    uow.flush()


def start_tasks(uow: AbstractUnitOfWork, plan: model.Plan, tasks: list[model.PlanTask], first_position: int,
                clock: Clock) -> None:
    """Store `tasks` (the plan's, from `first_position` on) and start each one's process,
    each table written once for all of them (`instances.start_all`)."""
    with _heap_left_out():
        _start_tasks(uow, plan, tasks, first_position, clock)


def _start_tasks(uow: AbstractUnitOfWork, plan: model.Plan, tasks: list[model.PlanTask], first_position: int,
                 clock: Clock) -> None:
    now = clock.now()
    cal = instances.calendar(uow)
    rt = instances.runtime(uow, clock, cal)
    unit_words = {u.id: [u.name, *u.aliases] for u in uow.units.list()}
    for position, task in enumerate(tasks, start=first_position):
        _date_and_index(plan, task, position, unit_words)
    uow.tasks.add_many(tasks)
    started = instances.start_all(uow, rt, [(task, start_data(plan, task)) for task in tasks], now)
    uow.audit.add_many([model.AuditEvent(plan_task_id=task.id, action="task_started", at=to_storage(now),
                                         detail={"due": task.due_on.isoformat() if task.due_on else None})
                        for task in tasks])
    # Imported after a deadline: what the ladder already owes is told now, merged.
    told = notices.Batch(uow, now, cal)
    for one in started:
        told.add(one.instance, one.task, one.events, one.items)
    told.write()


@contextmanager
def _heap_left_out() -> Iterator[None]:
    """The objects that existed before a chunk of starts, left out of the garbage
    collector's walks until the chunk ends (`gc.freeze`).

    Why: a chunk keeps each task's objects and rows until it is written (some 45 tracked
    objects a task), and such survivors are what set off the collector's full
    collections: about one per 1,000 tasks, each walking the whole heap (modules, parsed
    specs, caches), ~0.07 ms a task. Left out, the heap is not walked: a full collection
    during the chunk walks the chunk's own objects only. The young collections that free
    each workflow's cycles run as before.

    Bounded: the young generations are collected first, so no garbage of theirs is
    frozen (an import's chunks of 10 tasks otherwise left ~60 unreachable objects a task
    in the oldest generation, waiting for a full collection); `gc.unfreeze` (even on an
    error) returns the rest to the oldest generation, where its garbage, if any, is
    collected as before. The freeze is the process's: when two threads start chunks at
    once, the first to end unfreezes both, which costs the other only the saving."""
    gc.collect(1)
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def start_data(plan: model.Plan, task: model.PlanTask) -> dict[str, Any]:
    """The workflow data a task's process starts with (see docs/architecture.md)."""
    # One report per period (engine/report_dates.py); an unresolved task waits, undated.
    reports = report_dates.report_dates(task.schedule, plan.issued_on)
    return {
        "plan_task_id": task.id,
        "lead_unit": task.unit_ids("lead")[0],
        "coordinators": task.unit_ids("coordinator"),
        "monitor_unit": plan.monitor_unit_id,
        "director": task.director_user_id,
        "due": task.due_on.isoformat() if task.due_on else None,
        "periods": reports or [None],
    }


def _date_and_index(plan: model.Plan, task: model.PlanTask, position: int,
                    unit_words: dict[int, list[str]]) -> None:
    """What intake adds to a task as the plan states it: its place, dates, words, process."""
    due = report_dates.report_dates(task.schedule, plan.issued_on)  # the last is the final deadline
    names = [name for u in task.units for name in unit_words.get(u.unit_id, [])]
    task.search_text, task.search_folded = search_texts(
        [task.ref, task.title, task.content, task.product, plan.number or "", plan.title, *names])
    task.plan_id, task.position = plan.id, position
    task.due_on = date.fromisoformat(due[-1]) if due else None
    task.status = "open" if due else "waiting_date"
    task.process_key = task.process_key or plan.process_key  # chosen at import review, else the plan's


def _check(plan: model.Plan, tasks: list[model.PlanTask]) -> None:
    errors: dict[str, str] = {}
    if not plan.title.strip():
        errors["title"] = N_("The plan needs a title.")
    if not tasks:
        errors["tasks"] = N_("The plan has no task.")
    for task in tasks:
        if not task.unit_ids("lead"):
            errors[f"task:{task.ref}"] = N_("Every task needs a lead unit.")
    if errors:
        raise InvalidInput(errors)
