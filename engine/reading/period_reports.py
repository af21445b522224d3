"""The period report: what the monitor sends the leadership each quarter.

A task belongs to a period when its deadline falls in it, when it was closed in it,
when it came into the period still open and past due (carried over), or when it
still waits for a date. States are taken on the period's last day, or today if the
period has not ended, so a report of a past quarter reads as it would have then.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from engine import jobs, model
from engine.clock import Clock
from engine.errors import N_, InvalidInput
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


REPORT = "period_report"  # the background job's kind
KINDS = ("docx", "xlsx")


def period_report(uow: AbstractUnitOfWork, plan_id: int, today: date,
                  start: date | None = None, end: date | None = None) -> PeriodReport:
    _check_period(start, end)
    with uow:
        return read_report(uow, plan_id, today, start, end)


def queue_report(uow: AbstractUnitOfWork, plan_id: int, kind: str, today: date, start: date | None,
                 end: date | None, language: str, user_id: int, clock: Clock) -> int:
    """Ask for a plan's report as a background job (a large plan's takes longer than a
    request should); the job's page shows it running, then offers the file. The id."""
    if kind not in KINDS:
        raise InvalidInput({"kind": N_("Choose a Word or an Excel report.")})
    _check_period(start, end)
    with uow:
        plan = get_plan(uow, plan_id)
        payload = {"plan_id": plan.id, "kind": kind, "today": today.isoformat(), "language": language,
                   "start": start.isoformat() if start else None, "end": end.isoformat() if end else None}
        job_id = jobs.enqueue(uow, REPORT, params={"plan_id": plan.id, "kind": kind}, payload=payload, total=1,
                              user_id=user_id, now=clock.now())
        uow.commit()
        return job_id


PERIOD_BACKWARDS = N_("The period ends before it starts: give an end date after the start.")


def _check_period(start: date | None, end: date | None) -> None:
    # Dates swapped by mistake made a report of no task at all, which looked like a plan with nothing due.
    if start and end and end < start:
        raise InvalidInput({"to": PERIOD_BACKWARDS}, PERIOD_BACKWARDS)


def report_of(uow: AbstractUnitOfWork, payload: dict[str, Any]) -> PeriodReport:
    """The report a queued job asked for, read in the job's open unit of work."""
    day = {key: date.fromisoformat(payload[key]) if payload.get(key) else None for key in ("today", "start", "end")}
    return read_report(uow, payload["plan_id"], day["today"], day["start"], day["end"])


def read_report(uow: AbstractUnitOfWork, plan_id: int, today: date, start: date | None,
                end: date | None) -> PeriodReport:
    """The report, in the caller's open unit of work."""
    as_of = min(today, end) if end else today
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
