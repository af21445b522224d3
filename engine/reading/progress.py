"""Plan progress, the monitor's and the leader's read model.

A task is in one of five states on a given day: done on time, done late, in
progress, overdue, or waiting for a date (`task_state`). The dashboard counts them
overall and per lead unit, lists the overdue tasks (days late in working days, who
holds each step, which notices were sent), and follows completion month by month.

Every view is a fixed handful of queries (`uow.progress`), whatever the number of
tasks: the database counts (GROUP BY over a task's state, `TaskScope`) and hands over
one page of tasks; only that page's working days late, holders and notices are
worked out here.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from engine import model
from engine.deadlines.working_days import WorkingCalendar
from engine.errors import N_, NotFound
from engine.process import instances
from engine.records import built_from
from engine.unit_of_work import AbstractUnitOfWork

DONE_ON_TIME, DONE_LATE, IN_PROGRESS, OVERDUE, WAITING = (
    "done_on_time", "done_late", "in_progress", "overdue", "waiting_date")
STATES = (DONE_ON_TIME, DONE_LATE, IN_PROGRESS, OVERDUE, WAITING)
STATE_LABELS = {
    DONE_ON_TIME: N_("Done on time"), DONE_LATE: N_("Done late"), IN_PROGRESS: N_("In progress"),
    OVERDUE: N_("Overdue"), WAITING: N_("Waiting for a date"),
}
RUNG_LABELS = {"holder": N_("Reminder to the holder"), "unit_head": N_("Escalated to the unit head"),
               "director": N_("Escalated to the director")}
NOTICE_PREFIX = "notice"  # audit actions of reminders and escalations: notice_<rung>


def task_state(status: str, due_on: date | None, closed_on: date | None, as_of: date) -> str:
    """Where a task stands on `as_of` (today, or the end of a report's period)."""
    if status == "closed" and closed_on is not None and closed_on <= as_of:
        return DONE_LATE if due_on is not None and closed_on > due_on else DONE_ON_TIME
    if status == "waiting_date" or due_on is None:
        return WAITING
    return OVERDUE if due_on < as_of else IN_PROGRESS


@dataclass(frozen=True)
class Filters:
    """What the monitor narrows the dashboard to. The unit and deadline range narrow
    every number; the state narrows only the task list (the counts stay, as links)."""

    unit_id: int | None = None
    state: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    plan_id: int | None = None

    def in_scope(self, task: TaskProgress) -> bool:
        if self.unit_id is not None and self.unit_id not in {u.id for u in task.lead}:
            return False
        if self.plan_id is not None and task.plan_id != self.plan_id:
            return False
        if (self.due_from or self.due_to) and task.due_on is None:
            return False
        if self.due_from and task.due_on < self.due_from:
            return False
        return not (self.due_to and task.due_on > self.due_to)

    def listed(self, task: TaskProgress) -> bool:
        return self.state is None or task.state == self.state

    def scope(self, as_of: date, **owner: int | None) -> TaskScope:
        """These filters as the repository's scope (`owner`: the plan, unit or person whose
        tasks are read), states taken on `as_of`; the state stays out of it."""
        return TaskScope(as_of=as_of, lead_unit_id=self.unit_id, due_from=self.due_from, due_to=self.due_to,
                         **{"plan_id": self.plan_id, **{k: v for k, v in owner.items() if v is not None}})


@dataclass(frozen=True)
class TaskScope:
    """The tasks a read covers, in the repository's terms (`uow.progress`): of a plan,
    led or coordinated by a unit, led by a unit, held or done by a person, due in a
    range, readable by a reader who does not read every task (`reader_id` of
    `reader_unit_id`: `engine.access.task_access.may_read` as SQL), among `matches` (the
    ids of the tasks a reader may read that hold `words`, when the repository read them
    first: in place of the reader and of the word index, the words then only rank),
    holding every one of `words` (folded) as a whole word; every given field narrows.
    States are taken on `as_of`. `typed_words`, the words as typed, rank a search's
    results."""

    as_of: date
    plan_id: int | None = None
    unit_id: int | None = None
    lead_unit_id: int | None = None
    person_id: int | None = None
    due_from: date | None = None
    due_to: date | None = None
    reader_id: int | None = None
    reader_unit_id: int | None = None
    matches: tuple[int, ...] | None = None
    words: tuple[str, ...] = ()
    typed_words: tuple[str, ...] = ()


# A search ranks the first SEARCH_REACH of its matches of each kind (the words side by
# side, every word anywhere) that the word index gives, as many more thousands as its
# page reaches into; it counts its matches up to SEARCH_COUNTED, and past it says there
# are more.
SEARCH_REACH = 1000
SEARCH_COUNTED = 10_000


@dataclass(frozen=True)
class TaskSlice:
    """A page of a scope's tasks: those in `state` (any when None), in plan order
    ("position"), most urgent first ("urgency") or best match first ("words", among the
    first matches with the words side by side and with every word, `SEARCH_REACH`), rows
    `offset` to `offset + limit`; or, best match first, the `limit` rows that follow the
    place `after` (a row's `place` in that order, as the previous page ended: read from
    there, a deep page does not read every match before it)."""

    state: str | None
    order: str
    offset: int
    limit: int
    after: tuple[int, int] | None = None


# Rows of a page's tasks as `uow.progress` gives them (`tasks`, `task_slices`,
# `counted_slices`), of a task's units, of its open steps and of the notices sent about it
# (`page_details`, `task_units`, `open_steps`, `notices`, and `uow.work_items.open_for_tasks`):
# tuples of these columns (a page's rows, each a dict first, cost more than the objects
# made of them). A task's `place` is
# None but on a page best match first: where the row stands in that order (`TaskSlice.after`).
TASK_ROW = ("id", "plan_id", "ref", "title", "content", "product", "director", "position", "deadline_text", "due_on",
            "status", "closed_on", "plan_number", "plan_title", "place")
UNIT_ROW = ("task_id", "unit_id", "role", "name", "position")
STEP_ROW = ("task_id", "work_item_id", "step_id", "step_name", "due_on", "assignee_user_id", "candidate_role",
            "user_name", "unit_name")
NOTICE_ROW = ("task_id", "action", "at", "step_name", "to", "id")


@dataclass(frozen=True)
class UnitRef:
    id: int
    name: str


@dataclass(frozen=True)
class Holder:
    step_name: str
    user_name: str | None  # a named person, or else
    unit_name: str | None  # the unit whose `role` holds it
    role: str | None
    due: date | None


@dataclass(frozen=True)
class Notice:
    at: Any  # naive UTC datetime, from the audit trail
    action: str
    rung: str | None  # holder | unit_head | director
    to: str | None
    step_name: str | None


@dataclass(frozen=True)
class TaskProgress:
    id: int
    plan_id: int
    plan_number: str | None
    plan_title: str
    ref: str
    title: str
    content: str
    deadline_text: str
    due_on: date | None
    closed_on: date | None
    state: str
    days_late: int | None  # working days: overdue as of today, or how late it closed
    lead: list[UnitRef] = field(default_factory=list)
    coordinators: list[UnitRef] = field(default_factory=list)
    steps: list[Holder] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


@dataclass(frozen=True)
class UnitProgress:
    unit_id: int
    name: str
    counts: dict[str, int]


@dataclass(frozen=True)
class CompletionPoint:
    month: str  # "2024-03"
    due: int  # tasks due by the month's end (cumulative)
    on_time: int  # done on time by the month's end (cumulative)
    late: int


@dataclass(frozen=True)
class Dashboard:
    plan: model.Plan
    monitor: str | None
    today: date
    filters: Filters
    counts: dict[str, int]
    units: list[UnitProgress]
    overdue: list[TaskProgress]  # the most late first, at most OVERDUE_SHOWN (counts[OVERDUE] tells how many)
    tasks: list[TaskProgress]  # this page of the listed tasks, in plan order
    completion: list[CompletionPoint]
    unit_choices: list[UnitRef]
    listed: int = 0
    page: int = 1
    pages: int = 1


PAGE_SIZE = 50
OVERDUE_SHOWN = 20  # the rest are one click away: the task list filtered to overdue


def plan_dashboard(uow: AbstractUnitOfWork, plan_id: int, today: date,
                   filters: Filters = Filters(), page: int = 1, every_notice: bool = True) -> Dashboard:
    """A plan's counts (overall, per lead unit, month by month) from the database's
    GROUP BY, and one page of its listed tasks and the most overdue, with their
    holders and notices (`every_notice` False: the most overdue's alone, as the page
    shows them): four statements, whatever the plan's size (the plan's read
    also tells whether the calendar this process keeps is still the office's); seven on
    SQLite, where the two pages are a statement each (`task_slices`), and so are their
    units, steps and notices (`page_details`)."""
    filters = replace(filters, plan_id=plan_id)
    scope = filters.scope(today)
    with uow.reading():
        heading = uow.plans.heading(plan_id)
        if heading is None:
            raise NotFound(N_("This plan does not exist."))
        plan, monitor = heading
        found = uow.progress.dashboard_counts(scope, TaskScope(today, plan_id))
        counts = states_counted(found["states"])
        listed = counts[filters.state] if filters.state else counts["total"]
        paging = Paging.of(listed, page, PAGE_SIZE)
        tasks, overdue = task_pages(uow, scope, [paging.slice(filters.state, "position"),
                                                 TaskSlice(OVERDUE, "urgency", 0, OVERDUE_SHOWN)], today,
                                    notices_of=None if every_notice else (1,))
    return Dashboard(
        plan=plan, monitor=monitor, today=today, filters=filters, counts=counts, units=by_lead_unit(found["units"]),
        overdue=overdue, tasks=tasks, completion=completion(found["dates"], plan, today),
        unit_choices=[UnitRef(r["unit_id"], r["name"]) for r in sorted(found["choices"], key=lambda r: r["name"])],
        listed=listed, page=paging.page, pages=paging.pages,
    )


@dataclass(frozen=True)
class Paging:
    """Which page of a list of `total` rows is shown; a page past the end is the last."""

    page: int
    pages: int
    size: int

    @classmethod
    def of(cls, total: int, page: int, size: int) -> Paging:
        pages = max(1, -(-total // size))
        return cls(page=min(max(page, 1), pages), pages=pages, size=size)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def slice(self, state: str | None, order: str) -> TaskSlice:
        return TaskSlice(state, order, self.offset, self.size)


def task_pages(uow: AbstractUnitOfWork, scope: TaskScope, slices: list[TaskSlice], as_of: date,
               holders: bool = True, notices_of: Collection[int] | None = None) -> list[list[TaskProgress]]:
    """Pages of the tasks of `scope`, with their units and (`holders`) who holds their
    steps and the notices sent about the tasks of the pages `notices_of` (by number; every
    page's if None, none if empty): two statements whatever the pages' sizes (the
    pages, then their units with steps and notices, or units alone without holders; on
    SQLite, a statement a page and a part: no round trip to save there); and the office
    days' version, unless read before (`instances.calendar`)."""
    return tasks_of(uow, uow.progress.task_slices(scope, slices), as_of, holders, notices_of)


def tasks_of(uow: AbstractUnitOfWork, pages: list[list[tuple[Any, ...]]], as_of: date,
             holders: bool = True, notices_of: Collection[int] | None = None) -> list[list[TaskProgress]]:
    """`task_pages` of the pages' rows read (`uow.progress.task_slices`: of `TASK_ROW`)."""
    rows = {r[0]: r for page in pages for r in page}  # a task may be on two pages
    if not rows:
        return [[] for _ in pages]
    cal = instances.calendar(uow)
    notices = notices_of is None or bool(notices_of)
    if holders:
        told_ids = None if notices_of is None else list(dict.fromkeys(r[0] for n in notices_of for r in pages[n]))
        details = uow.progress.page_details(list(rows), NOTICE_PREFIX if notices else None, told_ids)
        units = _units_by_task(details["units"])
        steps, told = _holders(details["steps"]), (_notices(details["notices"]) if notices else {})
    else:
        units, steps, told = _units_by_task(uow.progress.task_units(None, list(rows))), {}, {}
    found = dict(zip(rows, _tasks(rows.values(), units, as_of, cal, steps, told)))
    return [[found[r[0]] for r in page] for page in pages]


def get_plan(uow: AbstractUnitOfWork, plan_id: int) -> model.Plan:
    plan = uow.plans.get(plan_id)
    if plan is None:
        raise NotFound(N_("This plan does not exist."))
    return plan


def load_tasks(uow: AbstractUnitOfWork, plan_id: int | None, as_of: date,
               cal: WorkingCalendar, task_ids: list[int] | None = None) -> list[TaskProgress]:
    """A plan's tasks (or every plan's, or those of `task_ids`) with their units and state
    on `as_of`: two queries."""
    return _tasks(uow.progress.tasks(plan_id, task_ids), _units_by_task(uow.progress.task_units(plan_id, task_ids)),
                  as_of, cal)


def count_states(tasks: list[TaskProgress]) -> dict[str, int]:
    counts = dict.fromkeys(STATES, 0)
    for task in tasks:
        counts[task.state] += 1
    return {**counts, "total": len(tasks)}


def states_counted(rows: list[dict[str, Any]]) -> dict[str, int]:
    """The database's counts per state (`state`, `n` rows), as `count_states` counts tasks."""
    counts = dict.fromkeys(STATES, 0)
    for row in rows:
        counts[row["state"]] += int(row["n"])
    return {**counts, "total": sum(counts.values())}


def by_lead_unit(rows: list[dict[str, Any]]) -> list[UnitProgress]:
    """Counts per lead unit (`unit_id`, `name`, `state`, `n` rows), most overdue first."""
    groups: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:  # (by id and name, not a `UnitRef` each: a dataclass built and hashed in Python)
        groups[row["unit_id"], row["name"]].append(row)
    units = [UnitProgress(unit_id, name, states_counted(r)) for (unit_id, name), r in groups.items()]
    return sorted(units, key=lambda r: (-r.counts[OVERDUE], -r.counts[DONE_LATE], r.name))


def completion(rows: list[dict[str, Any]], plan: model.Plan, today: date) -> list[CompletionPoint]:
    """Month by month, from the plan's year start to this month (or to the end of the
    last year it has dates in, for a plan looked at later): how many were due, how many
    done. `rows` count tasks per `state`, month due and month closed (`due_month`,
    `closed_month`: "2024-03", or None)."""
    last_year = max([plan.year] + [int(m[:4]) for r in rows for m in (r["due_month"], r["closed_month"]) if m])
    end = today if today.year <= last_year else date(last_year, 12, 31)
    months = _months(date(plan.year, 1, 1), end) or [_month(date(plan.year, 1, 1))]
    by_month: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # due, done on time, done late
    for row in rows:
        if row["due_month"]:
            by_month[row["due_month"]][0] += row["n"]
        if row["state"] == DONE_ON_TIME:
            by_month[row["closed_month"]][1] += row["n"]
        elif row["state"] == DONE_LATE:
            by_month[row["closed_month"]][2] += row["n"]
    # Running sums, month by month: each month's counts added once, those of the months before
    # the first shown to it (summed again for every month shown, a chart took 69 us on
    # average over 200 dashboards of a 20,000-task office, now 53).
    points, summed = [], [0, 0, 0]
    counted = iter(sorted(by_month.items()))
    following = next(counted, None)
    for month in months:
        while following is not None and following[0] <= month:
            summed = [a + b for a, b in zip(summed, following[1])]
            following = next(counted, None)
        points.append(CompletionPoint(month, *summed))
    return points


def _months(start: date, end: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month) and len(months) < 120:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _units_by_task(rows: list[tuple[Any, ...]]) -> dict[int, dict[str, list[UnitRef]]]:
    """Per task, its units by role (`rows`: of `UNIT_ROW`). A unit named on many tasks (a page's few lead units)
    is one `UnitRef` (frozen, so shared): its `__init__` for every row was half of this."""
    units: dict[int, dict[str, list[UnitRef]]] = {}
    refs: dict[tuple[int, str], UnitRef] = {}
    for task_id, unit_id, role, name, _ in rows:
        ref = refs.get((unit_id, name))
        if ref is None:
            ref = refs[unit_id, name] = UnitRef(unit_id, name)
        task = units.get(task_id)
        if task is None:
            task = units[task_id] = {"lead": [], "coordinator": []}
        task.setdefault(role, []).append(ref)
    return units


_LATE = (OVERDUE, DONE_LATE)  # the states whose working days late are worked out (`_days_late`)


def _tasks(rows: Iterable[tuple[Any, ...]], units: dict[int, dict[str, list[UnitRef]]], as_of: date,
           cal: WorkingCalendar, steps: dict[int, list[Holder]] | None = None,
           notices: dict[int, list[Notice]] | None = None) -> list[TaskProgress]:
    """The tasks of `rows` (of `TASK_ROW`) with their units (`_units_by_task`: both roles
    for every task it names), steps and notices by task id, in one loop (a call for each
    row was 7% of a dashboard's 70 tasks' time: faster in 23 of 40 rounds on a loaded
    machine): each task's dict written as one literal (`records.built_from`), its days late
    (`_days_late`) only for a late state; a dict of keywords per row, and a call for every
    row's days late, were a third of a page's tasks' time, and its values zipped with the
    fields' names a fifth more than the literal."""
    late, steps, notices = _days_late(cal, as_of), steps or {}, notices or {}
    tasks = []
    for (task_id, plan_id, ref, title, content, _, _, _, deadline_text, due_on, status, closed_on, number,
         plan_title, _) in rows:
        state, its_units = task_state(status, due_on, closed_on, as_of), units.get(task_id)
        tasks.append(built_from(TaskProgress, {
            "id": task_id, "plan_id": plan_id, "plan_number": number, "plan_title": plan_title, "ref": ref,
            "title": title, "content": content, "deadline_text": deadline_text, "due_on": due_on,
            "closed_on": closed_on, "state": state,
            "days_late": late(state, due_on, closed_on) if state in _LATE else None,
            "lead": its_units["lead"] if its_units else [], "coordinators": its_units["coordinator"] if its_units else [],
            "steps": steps.get(task_id, []), "notices": notices.get(task_id, [])}))
    return tasks


def _days_late(cal: WorkingCalendar, as_of: date) -> Callable[[str, date, date | None], int]:
    """Working days late of a task in a late state (`_LATE`), due and closed on these
    dates: overdue as of `as_of`, or how late it closed. Each date's ordinal in the
    calendar (`as_of`'s too) looked up once per page: its tasks share their due dates."""
    ordinals: dict[date, int] = {}

    def ordinal(day: date) -> int:
        found = ordinals.get(day)
        if found is None:
            found = ordinals[day] = cal.ordinal(day)
        return found

    def late(state: str, due: date, closed: date | None) -> int:
        return ordinal(as_of if state == OVERDUE else closed) - ordinal(due)
    return late


def with_steps_and_notices(uow: AbstractUnitOfWork, plan_id: int | None, tasks: list[TaskProgress],
                           task_ids: list[int] | None = None) -> list[TaskProgress]:
    steps, notices = _steps_and_notices(uow, plan_id, task_ids)
    return [replace(t, steps=steps.get(t.id, []), notices=notices.get(t.id, [])) for t in tasks]


def _steps_and_notices(uow: AbstractUnitOfWork, plan_id: int | None, task_ids: list[int] | None
                       ) -> tuple[dict[int, list[Holder]], dict[int, list[Notice]]]:
    """Per task (of a plan, or of `task_ids`), who holds its open steps and the notices sent."""
    return (_holders(uow.progress.open_steps(plan_id, task_ids)),
            _notices(uow.progress.notices(plan_id, NOTICE_PREFIX, task_ids)))


def _holders(rows: list[tuple[Any, ...]]) -> dict[int, list[Holder]]:
    """Per task, who holds its open steps (`rows`: of `STEP_ROW`, unpacked in its order),
    each holder's dict written as one literal (`_tasks`' reason)."""
    steps: dict[int, list[Holder]] = defaultdict(list)
    for task_id, _, _, step_name, due_on, _, role, user_name, unit_name in rows:
        steps[task_id].append(built_from(Holder, {"step_name": step_name, "user_name": user_name,
                                                  "unit_name": unit_name, "role": role, "due": due_on}))
    return steps


def _notices(rows: list[tuple[Any, ...]]) -> dict[int, list[Notice]]:
    """Per task, the notices sent (`rows`: of `NOTICE_ROW`, unpacked in its order), each
    notice's dict written as one literal (`_tasks`' reason; a page of overdue tasks has a
    notice or more for each). Written by `engine.deadlines.notices`: action
    `notice_<rung>`, the names of the people told in its detail, joined by the database (`to`)."""
    notices: dict[int, list[Notice]] = defaultdict(list)
    rung_at = len(NOTICE_PREFIX) + 1
    for task_id, action, at, step_name, to, _ in rows:
        notices[task_id].append(built_from(Notice, {"at": at, "action": action, "rung": action[rung_at:] or None,
                                                    "to": to, "step_name": step_name}))
    return notices


# --- across plans: the leader's home -------------------------------------------------

@dataclass(frozen=True)
class PlanProgress:
    plan_id: int
    number: str | None
    title: str
    year: int
    total: int
    closed: int
    overdue: int
    waiting: int

    @property
    def percent_done(self) -> int:
        return round(100 * self.closed / self.total) if self.total else 0


@dataclass(frozen=True)
class UnitOverdue:
    unit_id: int
    name: str
    overdue: int


@dataclass(frozen=True)
class Overview:
    today: date
    plans: list[PlanProgress]
    units: list[UnitOverdue]


def leader_overview(uow: AbstractUnitOfWork, today: date, top_units: int = 10) -> Overview:
    """Every open plan (a task not yet closed) with its progress, and the lead units with
    the most overdue tasks across all plans: two aggregate queries."""
    with uow:
        plans = [PlanProgress(plan_id=r["id"], number=r["number"], title=r["title"], year=r["year"],
                              total=r["total"], closed=r["closed"], overdue=r["overdue"], waiting=r["waiting"])
                 for r in uow.progress.plan_counts(today)]
        units = [UnitOverdue(r["unit_id"], r["name"], r["overdue"])
                 for r in uow.progress.overdue_by_lead_unit(today, top_units)]
    return Overview(today=today, plans=[p for p in plans if p.closed < p.total], units=units)
