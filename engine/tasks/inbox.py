"""The inbox: the steps waiting for a person, by name or through their unit's role.

It reads the work-item index only (one query joined to plan tables) and never loads
a workflow, so it stays fast however large the workflows grow.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.deadlines.working_days import WorkingCalendar
from engine.errors import N_, NotFound
from engine.process import instances
from engine.unit_of_work import AbstractUnitOfWork

SOON_WORKING_DAYS = 3


@dataclass(frozen=True)
class InboxItem:
    work_item_id: int
    step_id: str
    step_name: str
    form: str
    plan_id: int
    plan_number: str | None
    plan_title: str
    task_id: int
    task_ref: str
    task_title: str
    due: date | None
    days_left: int | None  # working days; negative when late
    urgency: str  # "overdue" | "soon" | "ok" | "none"
    mine: bool


@dataclass(frozen=True)
class Inbox:
    items: list[InboxItem]
    counts: dict[str, int] = field(default_factory=dict)


def urgency(days_left: int | None) -> str:
    if days_left is None:
        return "none"
    if days_left < 0:
        return "overdue"
    return "soon" if days_left <= SOON_WORKING_DAYS else "ok"


def days_left(cal: WorkingCalendar, due: date | None, today: date) -> int | None:
    return None if due is None else cal.working_days_between(today, due)


def list_inbox(uow: AbstractUnitOfWork, user_id: int, today: date) -> Inbox:
    with uow:
        user = uow.users.get(user_id)
        if user is None:
            raise NotFound(N_("User not found."))
        rows = uow.work_items.inbox_rows(user.id, user.unit_id, user.role)
        cal = instances.calendar(uow)
    items = [_item(row, user.id, cal, today) for row in rows]
    counts = {
        "total": len(items),
        "overdue": sum(i.urgency == "overdue" for i in items),
        "soon": sum(i.urgency == "soon" for i in items),
    }
    return Inbox(items=items, counts=counts)


def _item(row: dict[str, Any], user_id: int, cal: WorkingCalendar, today: date) -> InboxItem:
    left = days_left(cal, row["due_on"], today)
    return InboxItem(
        work_item_id=row["work_item_id"], step_id=row["step_id"], step_name=row["step_name"],
        form=row["form"], plan_id=row["plan_id"], plan_number=row["plan_number"],
        plan_title=row["plan_title"], task_id=row["task_id"], task_ref=row["task_ref"],
        task_title=row["task_title"], due=row["due_on"], days_left=left, urgency=urgency(left),
        mine=row["assignee_user_id"] == user_id,
    )
