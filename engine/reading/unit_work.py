"""Every unit sees its own: a unit's tasks across plans, and a person's.

The unit head follows what the unit leads or coordinates with the same five states,
counts and filters as the monitor's dashboard; a staff member follows the tasks whose
steps they hold or held. Both read the plan tables and the work-item index (a handful
of queries), never a workflow.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine.errors import N_, NotFound
from engine.process import instances
from engine.reading.progress import (
    OVERDUE,
    Filters,
    TaskProgress,
    count_states,
    load_tasks,
    with_steps_and_notices,
)
from engine.unit_of_work import AbstractUnitOfWork

PAGE_SIZE = 50


@dataclass(frozen=True)
class WorkView:
    scope: str  # "unit" | "person"
    owner: str  # the unit's name, or the person's
    owner_unit_id: int | None
    today: date
    filters: Filters
    counts: dict[str, int]  # narrowed by plan, lead and dates; not by state (the counts filter it)
    tasks: list[TaskProgress]  # this page of the listed tasks, most overdue first
    listed: int
    page: int
    pages: int
    plan_choices: list[tuple[int, str]]


def unit_work(uow: AbstractUnitOfWork, user_id: int, today: date, filters: Filters = Filters(),
              page: int = 1) -> WorkView:
    """The tasks the user's unit leads or coordinates (`filters.unit_id` = the unit: led only)."""
    with uow:
        user = uow.users.get(user_id)
        if user is None or user.unit_id is None:
            raise NotFound(N_("You belong to no unit."))
        tasks = _load(uow, uow.progress.unit_task_ids(user.unit_id), today)
        owner = uow.units.names([user.unit_id]).get(user.unit_id, "")
    return _view("unit", owner, user.unit_id, tasks, filters, today, page)


def person_work(uow: AbstractUnitOfWork, user_id: int, today: date, filters: Filters = Filters(),
                page: int = 1) -> WorkView:
    """The tasks whose steps the user holds by name, held, or completed."""
    with uow:
        user = uow.users.get(user_id)
        if user is None:
            raise NotFound(N_("User not found."))
        tasks = _load(uow, uow.progress.person_task_ids(user.id), today)
    return _view("person", user.full_name, user.unit_id, tasks, filters, today, page)


def _load(uow: AbstractUnitOfWork, task_ids: list[int], today: date) -> list[TaskProgress]:
    if not task_ids:
        return []
    tasks = load_tasks(uow, None, today, instances.calendar(uow), task_ids)
    return with_steps_and_notices(uow, None, tasks, task_ids)


def _view(scope: str, owner: str, unit_id: int | None, tasks: list[TaskProgress], filters: Filters,
          today: date, page: int) -> WorkView:
    in_scope = [t for t in tasks if filters.in_scope(t)]
    listed = sorted((t for t in in_scope if filters.listed(t)), key=_urgency)
    pages = max(1, -(-len(listed) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    plans = {t.plan_id: t.plan_number or t.plan_title for t in tasks}
    return WorkView(
        scope=scope, owner=owner, owner_unit_id=unit_id, today=today, filters=filters,
        counts=count_states(in_scope), tasks=listed[(page - 1) * PAGE_SIZE: page * PAGE_SIZE],
        listed=len(listed), page=page, pages=pages,
        plan_choices=sorted(plans.items(), key=lambda p: p[1]),
    )


def _urgency(task: TaskProgress) -> tuple:
    """Overdue first (most late first), then by due date; done and undated last."""
    late = task.state == OVERDUE
    return (not late, -(task.days_late or 0) if late else 0, task.closed_on is not None,
            task.due_on or date.max, task.plan_id, task.id)
