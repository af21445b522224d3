"""Plan and task pages: what each task is, where it stands, who holds it, what happened.

Each view is a handful of queries over plan tables and the work-item index, whatever
the number of tasks; no workflow is loaded.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Any

from engine import model
from engine.access import task_access
from engine.errors import N_, NotFound
from engine.process import instances
from engine.reading.progress import TASK_ROW, Paging, TaskScope
from engine.records import built_from, built_of
from engine.tasks.inbox import reckoner
from engine.unit_of_work import AbstractUnitOfWork


@dataclass(frozen=True)
class OpenStep:
    work_item_id: int
    step_id: str
    step_name: str
    holder: str  # a person's name, or "<role> · <unit>"
    holder_user_id: int | None
    holder_unit: str | None
    holder_role: str | None
    due: date | None
    days_left: int | None
    urgency: str


@dataclass(frozen=True)
class TaskLine:
    """A task as its plan's page lists it: the columns read with the page, not the
    stored task (its schedule, search text and units are not needed to list it)."""

    id: int
    plan_id: int
    ref: str
    title: str
    content: str
    product: str
    director: str
    deadline_text: str
    due_on: date | None
    status: str
    closed_on: date | None

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> TaskLine:
        """The line of a page's row (of `TASK_ROW`)."""
        return built_of(cls, _LINE_FIELDS, _line_values(row))


_LINE_FIELDS = tuple(TaskLine.__dataclass_fields__)
_line_values = itemgetter(*map(TASK_ROW.index, _LINE_FIELDS))  # one call for a row's values


@dataclass(frozen=True)
class TaskRow:
    task: TaskLine
    lead: list[str]
    coordinators: list[str]
    steps: list[OpenStep]


@dataclass(frozen=True)
class PlanView:
    plan: model.Plan
    monitor: str | None
    tasks: list[TaskRow]  # this page, in plan order
    listed: int = 0  # the tasks the reader may read
    page: int = 1
    pages: int = 1


PAGE_SIZE = 50


@dataclass(frozen=True)
class TaskView:
    task: model.PlanTask
    plan: model.Plan
    lead: list[str]
    coordinators: list[str]
    steps: list[OpenStep]
    history: list[dict[str, Any]]
    attachments: list[dict[str, Any]]


def list_plans(uow: AbstractUnitOfWork) -> list[dict[str, Any]]:
    with uow:
        return uow.plans.list_with_counts()


def plan_overview(uow: AbstractUnitOfWork, plan_id: int, today: date, user_id: int, page: int = 1) -> PlanView:
    """A page of the plan's tasks that `user_id` may read (all of them for the leadership
    and monitors): the database narrows, counts and pages them."""
    with uow.reading():
        heading = uow.plans.heading(plan_id, reader_id=user_id)  # who reads, in the same round trip
        if heading is None:
            raise NotFound(N_("This plan does not exist."))
        plan, monitor = heading
        scope = TaskScope(today, plan_id=plan.id, **task_access.scope_of(task_access.reader(uow, user_id)))
        wanted = Paging(max(page, 1), max(page, 1), PAGE_SIZE)  # the page asked for, counted with it
        listed, [rows] = uow.progress.counted_slices(scope, [wanted.slice(None, "position")])
        paging = Paging.of(listed, page, PAGE_SIZE)
        if paging.page != wanted.page:  # past the end: the last page
            [rows] = uow.progress.task_slices(scope, [paging.slice(None, "position")])
        details = uow.progress.page_details([r[0] for r in rows]) if rows else {"units": [], "steps": []}
        steps = _steps_by_task(uow, details["steps"], today)
        units: dict[tuple[int, str], list[str]] = {}
        for task_id, _, role, name, _ in details["units"]:
            units.setdefault((task_id, role), []).append(name)
        tasks = [built_from(TaskRow, {"task": TaskLine.of(r), "lead": units.get((r[0], "lead"), []),
                                      "coordinators": units.get((r[0], "coordinator"), []),
                                      "steps": steps.get(r[0], [])})
                 for r in rows]
        return PlanView(plan=plan, monitor=monitor, tasks=tasks, listed=listed, page=paging.page, pages=paging.pages)


def task_detail(uow: AbstractUnitOfWork, task_id: int, today: date, user_id: int) -> TaskView:
    with uow:
        task = uow.tasks.get(task_id)
        plan = _plan(uow, task.plan_id) if task is not None else None
        task_access.require_readable(uow, user_id, task, plan)
        names = _unit_names(uow, [task], plan)
        return TaskView(
            task=task, plan=plan, lead=_names(task, "lead", names),
            coordinators=_names(task, "coordinator", names),
            steps=_open_steps(uow, [task.id], today).get(task.id, []),
            history=uow.audit.for_task(task.id), attachments=uow.attachments.for_task(task.id),
        )


def get_attachment(uow: AbstractUnitOfWork, attachment_id: int, user_id: int) -> model.Attachment:
    """A file of a task `user_id` may read; NotFound for any other, as for a missing one."""
    with uow:
        attachment = uow.attachments.get(attachment_id)
        if attachment is None:
            raise NotFound(N_("This file does not exist."))
        try:
            task_access.require_readable(uow, user_id, uow.tasks.get(attachment.plan_task_id))
        except NotFound as error:
            raise NotFound(N_("This file does not exist.")) from error
        _ = attachment.data  # load the deferred bytes before the session closes
        return attachment


def _plan(uow: AbstractUnitOfWork, plan_id: int) -> model.Plan:
    plan = uow.plans.get(plan_id)
    if plan is None:
        raise NotFound(N_("This plan does not exist."))
    return plan


def _unit_names(uow: AbstractUnitOfWork, tasks: list[model.PlanTask], plan: model.Plan) -> dict[int, str]:
    ids = {u.unit_id for t in tasks for u in t.units} | {plan.monitor_unit_id}
    return uow.units.names(ids)


def _names(task: model.PlanTask, role: str, names: dict[int, str]) -> list[str]:
    return [names.get(unit_id, "?") for unit_id in task.unit_ids(role)]


def _open_steps(uow: AbstractUnitOfWork, task_ids: list[int], today: date) -> dict[int, list[OpenStep]]:
    return _steps_by_task(uow, uow.work_items.open_for_tasks(task_ids), today)


def _steps_by_task(uow: AbstractUnitOfWork, rows: list[tuple[Any, ...]], today: date) -> dict[int, list[OpenStep]]:
    """Per task, its open steps (`rows`: of `engine.reading.progress.STEP_ROW`)."""
    if not rows:
        return {}
    reckoned = reckoner(instances.calendar(uow), today)
    steps: dict[int, list[OpenStep]] = {}
    for row in rows:
        steps.setdefault(row[0], []).append(_open_step(row, reckoned))
    return steps


def _open_step(row: tuple[Any, ...], reckoned: Callable[[date | None], tuple[int | None, str]]) -> OpenStep:
    _, work_item_id, step_id, step_name, due, user_id, role, person, unit = row
    left, urgent = reckoned(due)
    return built_from(OpenStep, {
        "work_item_id": work_item_id, "step_id": step_id, "step_name": step_name,
        "holder": person or (f"{role} · {unit}" if role and unit else role or unit or ""),
        "holder_user_id": user_id, "holder_unit": unit, "holder_role": role, "due": due, "days_left": left,
        "urgency": urgent})
