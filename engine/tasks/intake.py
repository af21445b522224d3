"""Plan intake: store a plan and its tasks, and start one process instance per task.

The whole plan is one unit of work: either every task is stored and started, or
nothing is.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine import model
from engine.clock import Clock, SystemClock, to_storage
from engine.deadlines import notices, report_dates
from engine.errors import N_, InvalidInput
from engine.process import instances
from engine.reading.search_text import search_texts
from engine.unit_of_work import AbstractUnitOfWork


@dataclass
class TaskInput:
    ref: str
    title: str
    lead_unit_ids: list[int]
    coordinator_unit_ids: list[int] = field(default_factory=list)
    content: str = ""
    product: str = ""
    director: str = ""
    director_user_id: int | None = None
    deadline_text: str = ""
    schedule: dict[str, Any] = field(default_factory=dict)
    process_key: str | None = None  # chosen at import review; None: the plan's


@dataclass
class PlanInput:
    title: str
    year: int
    monitor_unit_id: int
    tasks: list[TaskInput]
    number: str | None = None
    issued_on: date | None = None
    source_name: str | None = None
    process_key: str = instances.PROCESS_KEY  # the process its tasks follow unless one chooses another


def create_plan(uow: AbstractUnitOfWork, plan_in: PlanInput, clock: Clock | None = None) -> int:
    """Store the plan, start every task's process; return the plan's id."""
    with uow:
        plan_id = store_plan(uow, plan_in, clock or SystemClock())
        uow.commit()
        return plan_id


def store_plan(uow: AbstractUnitOfWork, plan_in: PlanInput, clock: Clock) -> int:
    """`create_plan` inside the caller's open unit of work, which commits: an import
    creates its new units and the plan in one transaction (engine/plan_import.py)."""
    _check(plan_in)
    now = clock.now()
    plan = model.Plan(title=plan_in.title, year=plan_in.year, number=plan_in.number,
                      issued_on=plan_in.issued_on, monitor_unit_id=plan_in.monitor_unit_id,
                      source_name=plan_in.source_name, created_at=to_storage(now), process_key=plan_in.process_key)
    uow.plans.add(plan)
    uow.flush()
    rt, cal = instances.runtime(uow, clock), instances.calendar(uow)
    unit_words = {u.id: [u.name, *u.aliases] for u in uow.units.list()}
    for position, task_in in enumerate(plan_in.tasks):
        task = _task(plan, task_in, position, unit_words)
        uow.tasks.add(task)
        uow.flush()
        instance, events = instances.start(uow, rt, task, start_data(plan, task), now)
        uow.audit.add(model.AuditEvent(plan_task_id=task.id, action="task_started", at=to_storage(now),
                                       detail={"due": task.due_on.isoformat() if task.due_on else None}))
        # Imported after a deadline: what the ladder already owes is told now, merged.
        notices.record(uow, instance, task, events, now, cal)
    return plan.id


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


def _task(plan: model.Plan, task_in: TaskInput, position: int, unit_words: dict[int, list[str]]) -> model.PlanTask:
    units = [model.TaskUnit(unit_id=u, role="lead", position=i) for i, u in enumerate(task_in.lead_unit_ids)]
    units += [model.TaskUnit(unit_id=u, role="coordinator", position=i)
              for i, u in enumerate(task_in.coordinator_unit_ids)]
    due = report_dates.report_dates(task_in.schedule, plan.issued_on)  # the last is the final deadline
    names = [name for u in units for name in unit_words.get(u.unit_id, [])]
    text, folded = search_texts([task_in.ref, task_in.title, task_in.content, task_in.product,
                                 plan.number or "", plan.title, *names])
    return model.PlanTask(
        plan_id=plan.id, position=position, ref=task_in.ref, title=task_in.title, content=task_in.content,
        product=task_in.product, director=task_in.director, director_user_id=task_in.director_user_id,
        deadline_text=task_in.deadline_text, schedule=task_in.schedule,
        due_on=date.fromisoformat(due[-1]) if due else None,
        status="open" if due else "waiting_date", units=units, search_text=text, search_folded=folded,
        process_key=task_in.process_key or plan.process_key,
    )


def _check(plan_in: PlanInput) -> None:
    errors: dict[str, str] = {}
    if not plan_in.title.strip():
        errors["title"] = N_("The plan needs a title.")
    if not plan_in.tasks:
        errors["tasks"] = N_("The plan has no task.")
    for task_in in plan_in.tasks:
        if not task_in.lead_unit_ids:
            errors[f"task:{task_in.ref}"] = N_("Every task needs a lead unit.")
    if errors:
        raise InvalidInput(errors)
