"""The period report: what the monitor sends the leadership each quarter.

A task belongs to a period when its deadline falls in it, when it was closed in it,
when it came into the period still open and past due (carried over), or when it
still waits for a date. States are taken on the period's last day, or today if the
period has not ended, so a report of a past quarter reads as it would have then.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine import model
from engine.process import instances
from engine.reading.progress import (
    WAITING,
    TaskProgress,
    count_states,
    get_plan,
    load_tasks,
    with_steps_and_notices,
)
from engine.unit_of_work import AbstractUnitOfWork


@dataclass(frozen=True)
class ReportRow:
    task: TaskProgress
    result: str | None  # the last report's result text, if any


@dataclass(frozen=True)
class PeriodReport:
    plan: model.Plan
    monitor: str | None
    start: date | None
    end: date | None
    as_of: date
    counts: dict[str, int]
    rows: list[ReportRow]


def period_report(uow: AbstractUnitOfWork, plan_id: int, today: date,
                  start: date | None = None, end: date | None = None) -> PeriodReport:
    as_of = min(today, end) if end else today
    with uow:
        plan = get_plan(uow, plan_id)
        monitor = uow.units.names([plan.monitor_unit_id]).get(plan.monitor_unit_id)
        tasks = load_tasks(uow, plan_id, as_of, instances.calendar(uow))
        tasks = with_steps_and_notices(uow, plan_id, tasks)
        results = _results(uow, plan_id, as_of)
    tasks = [t for t in tasks if in_period(t, start, end)]
    return PeriodReport(plan=plan, monitor=monitor, start=start, end=end, as_of=as_of,
                        counts=count_states(tasks),
                        rows=[ReportRow(t, results.get(t.id)) for t in tasks])


def in_period(task: TaskProgress, start: date | None, end: date | None) -> bool:
    def within(day: date | None) -> bool:
        return day is not None and (start is None or day >= start) and (end is None or day <= end)

    carried_over = (start is not None and task.due_on is not None and task.due_on < start
                    and (task.closed_on is None or task.closed_on >= start))
    return task.state == WAITING or within(task.due_on) or within(task.closed_on) or carried_over


def _results(uow: AbstractUnitOfWork, plan_id: int, as_of: date) -> dict[int, str]:
    """Each task's latest reported result up to `as_of`, from the audit trail."""
    results: dict[int, str] = {}
    for row in uow.progress.audit(plan_id, "step_completed"):
        result = (row["detail"] or {}).get("result")
        if result and row["at"].date() <= as_of:
            results[row["task_id"]] = result
    return results
