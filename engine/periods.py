"""A task's schedule as the due dates of its reports: one report step per date.

The schedule is `engine.deadlines.Schedule.to_dict()`: `kind` once | ongoing |
periodic | unresolved, `due` (ISO milestones), `every` (ISO duration: P1M, P3M, P1Y),
`until` (ISO date). The process (`processes/plan_task.bpmn`) runs one report per
date of `periods`, each with its own deadline, then the monitor's review.

- once: its milestones.
- ongoing ("Thường xuyên"): reported every quarter (no frequency is named) until
  `until`, after the first milestone if there is one.
- periodic ("Định kỳ hàng tháng / quý / năm"): every month / quarter / year likewise.
- unresolved: none; a person sets the date later.

Period ends are calendar dates (the last day of the month, quarter or year): the
working-day ladder is counted from them by the BPMN's timer expressions.
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

DEFAULT_EVERY = "P3M"  # "Thường xuyên": the office reports on it every quarter
MONTHS = {"P1M": 1, "P3M": 3, "P6M": 6, "P1Y": 12}
MAX_PERIODS = 120  # ten years of monthly reports: a bad `until` must not flood the process


def report_dates(schedule: dict[str, Any], start: date | None = None) -> list[str]:
    """The ISO due date of every report of a task, in order ([] when unresolved).

    `start` (the plan's issue date) bounds an ongoing or periodic task that names no
    milestone: its first report is the first period end after it.
    """
    kind = schedule.get("kind")
    milestones = sorted({date.fromisoformat(d) for d in schedule.get("due") or []})
    if kind in ("ongoing", "periodic"):
        dates = milestones + _period_ends(schedule, milestones, start)
        return [d.isoformat() for d in sorted(set(dates))]
    return [d.isoformat() for d in milestones]


def _period_ends(schedule: dict[str, Any], milestones: list[date], start: date | None) -> list[date]:
    months = MONTHS.get(schedule.get("every") or DEFAULT_EVERY, 3)
    until = _until(schedule, milestones, start)
    if until is None:
        return []
    after = milestones[0] if milestones else (start or date(until.year, 1, 1)) - timedelta(days=1)
    ends: list[date] = []
    end = _period_end(after, months)
    while end <= until and len(ends) < MAX_PERIODS:
        if end > after:
            ends.append(end)
        end = _period_end(end + timedelta(days=1), months)
    return ends


def _until(schedule: dict[str, Any], milestones: list[date], start: date | None) -> date | None:
    if schedule.get("until"):
        return date.fromisoformat(schedule["until"])
    # No end named: the year of the last milestone, or of the plan (domain.md).
    anchor = milestones[-1] if milestones else start
    return date(anchor.year, 12, 31) if anchor else None


def _period_end(day: date, months: int) -> date:
    """The last day of the period (of `months` months, aligned on January) holding `day`."""
    last_month = ((day.month - 1) // months + 1) * months
    return date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])
