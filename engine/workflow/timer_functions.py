"""Working-day functions that BPMN timer expressions call.

`working_days_before(due, 3)` is 08:00 in Vietnam on the third working day before
`due`, as an aware ISO string (SpiffWorkflow reads a naive one in the server's zone).
A step with no deadline (`due` None: an unresolved task) gets FAR_FUTURE, a time that
never comes: expressions stay simple for designers, and `next_timer_at` ignores it.
Set the date later and call `WorkflowRuntime.reset_timers` to arm the timers.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Callable

from engine.clock import Clock, SystemClock

try:
    from zoneinfo import ZoneInfo

    OFFICE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
except Exception:  # no tz database: Vietnam has been UTC+7 without DST since 1975
    OFFICE_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")

FIRE_AT = time(8, 0)
FAR_FUTURE = "9999-12-30T08:00:00+07:00"
FAR_FUTURE_YEAR = 9999

AddWorkingDays = Callable[[date, int], date]


def as_date(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def fire_time(day: date) -> str:
    return datetime.combine(day, FIRE_AT, OFFICE_TZ).isoformat()


def deadline_functions(add_working_days: AddWorkingDays, clock: Clock | None = None) -> dict[str, Callable[..., str]]:
    """The functions timer expressions may call, over an injected working calendar; `clock`
    is the runtime's, for a duration counted from now."""

    def working_days_before(due: date | str | None, n: int) -> str:
        return FAR_FUTURE if not due else fire_time(add_working_days(as_date(due), -int(n)))

    def working_days_after(due: date | str | None, n: int) -> str:
        return FAR_FUTURE if not due else fire_time(add_working_days(as_date(due), int(n)))

    def on_day(due: date | str | None) -> str:
        return FAR_FUTURE if not due else fire_time(as_date(due))

    def working_days(n: int) -> str:
        """A timeDuration of `n` working days from now, as the ISO duration in calendar days."""
        today = (clock or SystemClock()).now().astimezone(OFFICE_TZ).date()
        return f"P{(add_working_days(today, int(n)) - today).days}D"

    return {
        "working_days_before": working_days_before,
        "working_days_after": working_days_after,
        "on_day": on_day,
        "working_days": working_days,
    }
