"""The office's own calendar: extra days off and make-up working days, beside the
national holidays (read-only, from `holidays`).

Only the leadership and the plan monitor change it. A change applies to what is
computed afterwards (`processes.calendar(uow)` reads the table each time): new steps
and their timers, days left / days late. Timers already armed in running instances
keep the times computed when they were armed; recomputing every open workflow on
each edit would rewrite every instance for a rare, usually forward-looking change.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from holidays.countries.vietnam import Vietnam

from engine.clock import Clock, SystemClock, from_storage, to_storage
from engine.deadlines.task_dates import parse_day
from engine.deadlines.working_days import WorkingCalendar
from engine.errors import N_, InvalidInput, NotAllowed, NotFound
from engine.unit_of_work import AbstractUnitOfWork

log = logging.getLogger(__name__)

EDITOR_ROLES = ("monitor", "leader")
KINDS = ("off", "workday")
# The years the page and the form accept: wide enough for any plan, narrow enough
# that a typo (20244) is refused rather than computed.
MIN_YEAR, MAX_YEAR = 2000, 2100
NAME_MAX = 255


@dataclass(frozen=True)
class CalendarDay:
    """One line of the calendar page. `source` is "national" (from `holidays`,
    read-only, `id` None) or "office" (a row of `office_days`)."""

    day: date
    kind: str  # "off" | "workday"
    name: str
    source: str
    id: int | None = None
    created_by: str = ""
    created_at: datetime | None = None


def may_change(role: str | None) -> bool:
    return role in EDITOR_ROLES


def list_days(uow: AbstractUnitOfWork, year: int) -> list[CalendarDay]:
    """The national holidays and make-up days of `year` with the office's days, by date."""
    _check_year(year)
    with uow:
        rows = [r for r in uow.office_days.list() if r["day"].year == year]
        names = uow.users.names(r["created_by"] for r in rows)
    office = [
        CalendarDay(r["day"], r["kind"], r["name"], "office", r["id"],
                    names.get(r["created_by"], ""), from_storage(r["created_at"]))
        for r in rows
    ]
    return sorted(national_days(year) + office, key=lambda d: (d.day, d.source))


def national_days(year: int) -> list[CalendarDay]:
    """Vietnam's public holidays (Vietnamese names) and make-up working Saturdays."""
    vn = Vietnam(years=year, language="vi")
    days = [CalendarDay(d, "off", name, "national") for d, name in vn.items() if d.year == year]
    # `weekend_workdays` also names other years' make-up days: keep this year's.
    days += [CalendarDay(d, "workday", "", "national") for d in vn.weekend_workdays if d.year == year]
    return days


def add_day(uow: AbstractUnitOfWork, user_id: int, day: date | str | None, kind: str, name: str,
            clock: Clock | None = None) -> int:
    """Record an office day; its id. Refuses what would change nothing or contradict."""
    now = (clock or SystemClock()).now()
    with uow:
        _require_editor(uow, user_id)
        parsed, name = _validate(uow, day, kind, name)
        day_id = uow.office_days.add({"day": parsed, "kind": kind, "name": name,
                                      "created_by": user_id, "created_at": to_storage(now)})
        uow.commit()
    return day_id


def remove_day(uow: AbstractUnitOfWork, user_id: int, day_id: int) -> None:
    with uow:
        _require_editor(uow, user_id)
        row = uow.office_days.get(day_id)
        if row is None:
            raise NotFound(N_("This office day does not exist."))
        uow.office_days.remove(day_id)
        uow.commit()
    # The row is gone; the log keeps who removed which day.
    log.info("office day removed by user %s: %s %s %r", user_id, row["day"], row["kind"], row["name"])


def _require_editor(uow: AbstractUnitOfWork, user_id: int) -> None:
    user = uow.users.get(user_id)
    if user is None or not may_change(user.role):
        raise NotAllowed(N_("Only the leadership and the plan monitor change the office calendar."))


def _validate(uow: AbstractUnitOfWork, day: date | str | None, kind: str, name: str) -> tuple[date, str]:
    errors: dict[str, str] = {}
    parsed = parse_day(day)
    name = (name or "").strip()
    if parsed is None:
        errors["day"] = N_("Give the date as dd/mm/yyyy or yyyy-mm-dd.")
    elif not MIN_YEAR <= parsed.year <= MAX_YEAR:
        errors["day"] = N_("Give a date between 2000 and 2100.")
    if kind not in KINDS:
        errors["kind"] = N_("Choose a day off or a make-up working day.")
    if not name:
        errors["name"] = N_("Say why (for example: the office's anniversary).")
    elif len(name) > NAME_MAX:
        errors["name"] = N_("Keep the name under 255 characters.")
    if parsed is not None and "day" not in errors:
        clash = _clash(uow, parsed, kind)
        if clash:
            errors["day"] = clash
    if errors:
        raise InvalidInput(errors)
    return parsed, name


def _clash(uow: AbstractUnitOfWork, day: date, kind: str) -> str | None:
    """Why `day` cannot take `kind`: already an office day, or already so nationally."""
    if any(r["day"] == day for r in uow.office_days.list()):
        return N_("The office calendar already has this date; remove it first.")
    national = WorkingCalendar()  # without the office's days: those were checked above
    if kind == "workday" and national.is_working_day(day):
        return N_("This date is already a working day.")
    if kind == "off" and not national.is_working_day(day):
        if day.weekday() >= 5:
            return N_("This date is a weekend: it is already a day off.")
        return N_("This date is already a public holiday.")
    return None


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput({"year": N_("Give a date between 2000 and 2100.")})
