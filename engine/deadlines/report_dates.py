"""A task's schedule as the due dates of its reports: one report step per date.

The schedule is `engine.importing.deadline_phrases.Schedule.to_dict()`: `kind` once | ongoing |
periodic | unresolved, `due` (ISO milestones), `every` (ISO duration: P1W, P1M, P3M,
P6M, P1Y), `until` (ISO date), and when the phrase says so `start` (ISO date: no
report before it) and `on` (the day of each period: "---10", "--12-15[,--06-01]"). The process (`processes/plan_task.bpmn`) runs one report per
date of `periods`, each with its own deadline, then the monitor's review.

- once: its milestones.
- ongoing ("Thường xuyên"): reported every quarter (no frequency is named) until
  `until`, after the first milestone if there is one.
- periodic ("Định kỳ hàng tháng / quý / năm"): every month / quarter / year likewise,
  on the period's last day, or on the day `on` names; weekly reports fall on Fridays.
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
    until = _until(schedule, milestones, start)
    if until is None:
        return []
    after = milestones[0] if milestones else (start or date(until.year, 1, 1)) - timedelta(days=1)
    if schedule.get("start"):  # "Từ tháng 7/2025": nothing is reported on before the work begins
        after = max(after, date.fromisoformat(schedule["start"]) - timedelta(days=1))
    every = schedule.get("every") or DEFAULT_EVERY
    days = _fridays(after, until) if every == "P1W" else _days_on(schedule.get("on"), MONTHS.get(every, 3), after, until)
    return [d for d in days if after < d <= until][:MAX_PERIODS]


def _days_on(on: str | None, months: int, after: date, until: date) -> list[date]:
    """The report days of each period from the one holding `after` to `until`."""
    days: list[date] = []
    end = _period_end(after, months)
    for _ in range(MAX_PERIODS + 1):  # the period holding `after`, then MAX_PERIODS more at most
        if end > _period_end(until, months):
            break
        days += _in_period(end, on)
        end = _period_end(end + timedelta(days=1), months)
    return sorted(days)


def _in_period(end: date, on: str | None) -> list[date]:
    """"---10": that day of the period's last month; "--12-15": that day of the year."""
    if not on:
        return [end]
    if on.startswith("---"):
        return [end.replace(day=min(int(on[3:]), end.day))]
    found = []
    for month_day in on.split(","):
        month, day = int(month_day[2:4]), int(month_day[5:7])
        found.append(date(end.year, month, min(day, calendar.monthrange(end.year, month)[1])))
    return found


def _fridays(after: date, until: date) -> list[date]:
    friday = after + timedelta(days=(4 - after.weekday()) % 7 or 7)
    return [friday + timedelta(weeks=n) for n in range(MAX_PERIODS) if friday + timedelta(weeks=n) <= until]


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
