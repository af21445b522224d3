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
from engine.reading.progress import Filters, Paging, TaskProgress, TaskScope, states_counted, task_pages, tasks_of
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
    tasks: list[TaskProgress]  # this page of the listed tasks, most overdue first (their notices not read)
    listed: int
    page: int
    pages: int
    plan_choices: list[tuple[int, str]]


def unit_work(uow: AbstractUnitOfWork, user_id: int, today: date, filters: Filters = Filters(),
              page: int = 1) -> WorkView:
    """The tasks the user's unit leads or coordinates (`filters.unit_id` = the unit: led only)."""
    with uow.reading():
        user = uow.users.profile(user_id)  # not the whole row: no password hash
        if user is None or user["unit_id"] is None:
            raise NotFound(N_("You belong to no unit."))
        return _view(uow, "unit", user["unit_name"] or "", user["unit_id"], filters, today, page,
                     unit_id=user["unit_id"])


def person_work(uow: AbstractUnitOfWork, user_id: int, today: date, filters: Filters = Filters(),
                page: int = 1) -> WorkView:
    """The tasks whose steps the user holds by name, held, or completed, and those whose
    assignment named them (a co-handler, for information)."""
    with uow.reading():
        user = uow.users.profile(user_id)
        if user is None:
            raise NotFound(N_("User not found."))
        return _view(uow, "person", user["full_name"], user["unit_id"], filters, today, page, person_id=user_id)


def _view(uow: AbstractUnitOfWork, scope: str, owner: str, owner_unit_id: int | None, filters: Filters,
          today: date, page: int, **whose: int) -> WorkView:
    """Counts from the database's GROUP BY with the plans to choose from, and one page of
    the listed tasks, most urgent first."""
    of = filters.scope(today, **whose)
    # The page asked for, read with the counts where the store can (one person's tasks looked
    # up once for both); read again, clamped, if it is past the end.
    asked = Paging.of(max(page, 1) * PAGE_SIZE, page, PAGE_SIZE).slice(filters.state, "urgency")
    counted, plans, rows = uow.progress.counts_plans_and_page(of, TaskScope(today, **whose), asked)
    counts = states_counted(counted)
    listed = counts[filters.state] if filters.state else counts["total"]
    paging = Paging.of(listed, page, PAGE_SIZE)
    # Who holds each task's steps, not the notices sent about it: the page (`work/index.html`)
    # shows no notices, and reading them was a statement and a record a notice for nothing.
    if rows is None or paging.offset != asked.offset:
        [tasks] = task_pages(uow, of, [paging.slice(filters.state, "urgency")], today, notices_of=())
    else:
        [tasks] = tasks_of(uow, [rows], today, notices_of=())
    return WorkView(
        scope=scope, owner=owner, owner_unit_id=owner_unit_id, today=today, filters=filters, counts=counts, tasks=tasks,
        listed=listed, page=paging.page, pages=paging.pages,
        plan_choices=sorted(((p["id"], p["number"] or p["title"]) for p in plans), key=lambda p: p[1]),
    )
