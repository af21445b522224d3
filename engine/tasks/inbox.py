"""The inbox: the steps waiting for a person, by name or through their unit's role.

A task list: narrowed by plan, step, due (late / this week / later), whose (mine / my
unit's, still free to take) and words; sorted; a page at a time, with the counts of
what the filters leave. It reads the work-item index only (three queries joined to
plan tables) and never loads a workflow, so it stays fast however large the
workflows grow; days left are worked out for the page's rows only.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from operator import itemgetter
from typing import Any

from engine.deadlines.working_days import WorkingCalendar
from engine.errors import N_, NotFound
from engine.process import instances
from engine.records import built
from engine.reading.search_text import words
from engine.text_folding import fold
from engine.unit_of_work import AbstractUnitOfWork

SOON_WORKING_DAYS = 3
PAGE_SIZE = 50
DUE_FILTERS = ("late", "week", "later")
WHOSE = ("mine", "unit")
SORTS = ("due", "received", "plan", "step")


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
    mine: bool  # False when it waits for my unit's role rather than for me
    claimed: bool = False  # I took it from my unit's role ("nhận xử lý") and may give it back


# A row of an inbox page as `WorkItemRepository.inbox_page` gives it: a tuple of these
# columns (a page is fifty rows; a dict of each cost more than building its item), only
# those its item shows. On SQLite the driver's making of each value read costs more than
# the statement's search and joins: the unit's role, its id and the time received (a
# `datetime` parsed from text) were a ninth of a page's statement at 20,000 open.
INBOX_ROW = ("work_item_id", "step_id", "step_name", "form", "due_on", "assignee_user_id", "task_id", "task_ref",
             "task_title", "plan_id", "plan_number", "plan_title", "claimed_by")


@dataclass(frozen=True)
class InboxQuery:
    """What a person narrows their inbox to; every field optional."""

    plan_id: int | None = None
    step_id: str | None = None
    due: str | None = None  # one of DUE_FILTERS
    whose: str | None = None  # one of WHOSE
    text: str = ""
    sort: str = "due"  # one of SORTS
    page: int = 1


@dataclass(frozen=True)
class InboxWhere:
    """The query in the index's terms, for the repository."""

    today: date
    soon_until: date
    words: list[str]
    plan_id: int | None
    step_id: str | None
    whose: str | None
    due_before: date | None
    due_from: date | None
    undated: bool
    sort: str
    offset: int
    limit: int


@dataclass(frozen=True)
class Inbox:
    items: list[InboxItem]
    counts: dict[str, int] = field(default_factory=dict)  # of what the filters leave
    query: InboxQuery = InboxQuery()
    page: int = 1
    pages: int = 1
    plans: list[tuple[int, str]] = field(default_factory=list)  # to filter by
    steps: list[tuple[str, str]] = field(default_factory=list)


def urgency(days_left: int | None) -> str:
    if days_left is None:
        return "none"
    if days_left < 0:
        return "overdue"
    return "soon" if days_left <= SOON_WORKING_DAYS else "ok"


def days_left(cal: WorkingCalendar, due: date | None, today: date) -> int | None:
    return None if due is None else cal.working_days_between(today, due)


@functools.lru_cache(maxsize=8)
def reckoner(cal: WorkingCalendar, today: date) -> Callable[[date | None], tuple[int | None, str]]:
    """Days left and urgency of a due date on `today`, each date worked out once per
    calendar and day (kept as `soon_until` is): a page's steps share a few dates, and two
    calendar look-ups a row were a sixth of a read; a date worked out once per read still
    cost a page of the staff member's inbox its 38 dates' look-ups at every read. A
    calendar's answers never change (a change of the office days makes another one), and
    the dates kept are those of open steps: a few thousand at most."""
    known: dict[date | None, tuple[int | None, str]] = {}

    def reckoned(due: date | None) -> tuple[int | None, str]:
        found = known.get(due)
        if found is None:
            left = days_left(cal, due, today)
            found = known[due] = left, urgency(left)
        return found
    return reckoned


def list_inbox(uow: AbstractUnitOfWork, user_id: int, today: date, query: InboxQuery = InboxQuery(),
               page_size: int | None = None) -> Inbox:
    page_size = page_size or PAGE_SIZE
    with uow.reading():
        user = uow.users.acting(user_id)
        if user is None:
            raise NotFound(N_("User not found."))
        cal = instances.calendar(uow)
        where = _where(query, today, cal, page_size)
        found = uow.work_items.inbox_page(user.id, user.unit_id, user.role, where)
        pages = max(1, -(-found["counts"]["total"] // page_size))
        if where.offset and query.page > pages:  # past the end (the list shrank): the last page
            query = replace(query, page=pages)
            found = uow.work_items.inbox_page(user.id, user.unit_id, user.role, _where(query, today, cal, page_size))
    return Inbox(
        items=_items(found["rows"], user.id, cal, today), counts=found["counts"], query=query,
        page=query.page, pages=pages,
        # By label, then id: two plans (or steps) may share a label, and the choices come in no order.
        plans=sorted({(plan_id, number or title) for plan_id, number, title in found["plans"]}, key=_BY_LABEL),
        steps=sorted(set(found["steps"]), key=_BY_LABEL),
    )


# A choice's (label, id): a key made in C, not by a lambda per choice (a unit head's 100
# plans at 100,000 open sorted in two thirds of the time).
_BY_LABEL = itemgetter(1, 0)


@functools.lru_cache(maxsize=8)
def soon_until(cal: WorkingCalendar, today: date) -> date:
    """The last day whose due date is "soon" (`urgency`): before the working day that
    would leave more than SOON_WORKING_DAYS. Kept per calendar (one per version of the
    office days, `CalendarCache`) and day: worked out at each read, it was 4% of a staff
    member's inbox on SQLite."""
    return cal.add_working_days(today, SOON_WORKING_DAYS + 1) - timedelta(days=1)


def _where(query: InboxQuery, today: date, cal: WorkingCalendar, page_size: int) -> InboxWhere:
    next_week = today + timedelta(days=7 - today.weekday())  # Monday after this week
    due_before, due_from, undated = {
        "late": (today, None, False), "week": (next_week, today, False), "later": (None, next_week, True),
    }.get(query.due or "", (None, None, False))
    return built(  # (`built`: InboxWhere's `__init__` cost as much as the rest of this)
        InboxWhere, today=today, soon_until=soon_until(cal, today),
        words=words(fold(query.text)) if query.text else [],
        plan_id=query.plan_id, step_id=query.step_id, whose=query.whose if query.whose in WHOSE else None,
        due_before=due_before, due_from=due_from, undated=undated,
        sort=query.sort if query.sort in SORTS else "due",
        offset=(max(query.page, 1) - 1) * page_size, limit=page_size,
    )


def _items(rows: list[tuple[Any, ...]], user_id: int, cal: WorkingCalendar, today: date) -> list[InboxItem]:
    """The page's rows (tuples of `INBOX_ROW`, unpacked in its order) as items, each
    item's dict written as one literal and set at once (`records.built`'s reason; a quarter
    less than filling it from the picked values and then the worked-out ones); each due
    date's days left worked out once (`reckoner`)."""
    reckoned = reckoner(cal, today)
    items = []
    for (work_item_id, step_id, step_name, form, due, assignee, task_id, task_ref, task_title, plan_id, plan_number,
         plan_title, claimed) in rows:
        left, urgent = reckoned(due)
        item = _new(InboxItem)
        _set(item, "__dict__", {
            "work_item_id": work_item_id, "step_id": step_id, "step_name": step_name, "form": form,
            "plan_id": plan_id, "plan_number": plan_number, "plan_title": plan_title, "task_id": task_id,
            "task_ref": task_ref, "task_title": task_title, "due": due, "days_left": left, "urgency": urgent,
            "mine": user_id == assignee or user_id == claimed, "claimed": claimed == user_id})
        items.append(item)
    return items


# (A frozen dataclass refuses `__setattr__`, its dict too.)
_new, _set = object.__new__, object.__setattr__
