"""The office's own calendar: extra days off and make-up working days, beside the
national holidays (read-only, from `holidays`).

Only the leadership and the plan monitor change it. A change applies to what is
computed afterwards (`instances.calendar(uow)` builds the calendar again once the
days' version changes, in every process: `CalendarCache`): new steps
and their timers, days left / days late; and, in the same transaction, the open steps
it affects are re-armed: every instance whose next rung lies within REARM_WINDOW of
the day has its armed timers computed again on the new calendar, a rung that moved
into the past fires at once (merged notices), the others wait for their new time.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from holidays.countries.vietnam import Vietnam

from engine import model
from engine.clock import OFFICE_TZ, Clock, SystemClock, from_storage, to_storage
from engine.deadlines import notices
from engine.deadlines.task_dates import parse_day
from engine.deadlines.working_days import WorkingCalendar
from engine.process import instances
from engine.errors import N_, InvalidInput, NotAllowed, NotFound
from engine.text_limits import NAME, past_limits, stored_text
from engine.unit_of_work import AbstractUnitOfWork

log = logging.getLogger(__name__)

EDITOR_ROLES = ("monitor", "leader")
KINDS = ("off", "workday")
# The years the page and the form accept: wide enough for any plan, narrow enough
# that a typo (20244) is refused rather than computed.
MIN_YEAR, MAX_YEAR = 2000, 2100
# A rung is at most a few working days from its step's date (5 in the shipped ladder:
# two weeks across Tết), so a day changes only rungs armed within weeks of it.
REARM_WINDOW = timedelta(days=60)


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
        declared = [d for d in uow.office_days.list() if d.day.year == year]
        names = uow.users.names(d.created_by for d in declared)
    office = [
        CalendarDay(d.day, d.kind, d.name, "office", d.id, names.get(d.created_by, ""), from_storage(d.created_at))
        for d in declared
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
    """Record an office day and re-arm the open steps it affects; its id. Refuses what
    would change nothing or contradict."""
    clock = clock or SystemClock()
    with uow:
        _require_editor(uow, user_id)
        parsed, name = _validate(uow, day, kind, name)
        declared = model.DeclaredDay(day=parsed, kind=kind, name=name, created_by=user_id,
                                     created_at=to_storage(clock.now()))
        uow.office_days.add(declared)
        uow.flush()
        rearm_around(uow, parsed, clock)
        uow.commit()
    return declared.id


def remove_day(uow: AbstractUnitOfWork, user_id: int, day_id: int, clock: Clock | None = None) -> None:
    with uow:
        _require_editor(uow, user_id)
        declared = uow.office_days.get(day_id)
        if declared is None:
            raise NotFound(N_("This office day does not exist."))
        uow.office_days.remove(declared)
        rearm_around(uow, declared.day, clock or SystemClock())
        uow.commit()
    # The row is gone; the log keeps who removed which day.
    log.info("office day removed by user %s: %s %s %r", user_id, declared.day, declared.kind, declared.name)


def rearm_around(uow: AbstractUnitOfWork, day: date, clock: Clock) -> int:
    """Compute again the armed rungs of every instance whose next one is near `day`, on
    the calendar as it now is; record what fires at once. Returns the instances re-armed."""
    now = clock.now()
    middle = datetime.combine(day, time(), OFFICE_TZ)
    ids = uow.instances.armed_between(to_storage(middle - REARM_WINDOW), to_storage(middle + REARM_WINDOW))
    if not ids:
        return 0
    rt, cal = instances.runtime(uow, clock), instances.calendar(uow)
    for instance_id in ids:
        instance = uow.instances.lock(instance_id)
        task = uow.tasks.get(instance.plan_task_id)
        wf = instances.load(uow, rt, instance)
        events = rt.rearm(wf)
        held = instances.save(uow, rt, instance, task, wf, now)
        notices.record(uow, instance, task, events, now, cal, held)
    return len(ids)


def _require_editor(uow: AbstractUnitOfWork, user_id: int) -> None:
    user = uow.users.get(user_id)
    if user is None or not may_change(user.role):
        raise NotAllowed(N_("Only the leadership and the plan monitor change the office calendar."))


def _validate(uow: AbstractUnitOfWork, day: date | str | None, kind: str, name: str) -> tuple[date, str]:
    errors: dict[str, str] = {}
    parsed = parse_day(day)
    name = stored_text(name)
    if parsed is None:
        errors["day"] = N_("Give the date as dd/mm/yyyy or yyyy-mm-dd.")
    elif not MIN_YEAR <= parsed.year <= MAX_YEAR:
        errors["day"] = N_("Give a date between 2000 and 2100.")
    if kind not in KINDS:
        errors["kind"] = N_("Choose a day off or a make-up working day.")
    if not name:
        errors["name"] = N_("Say why (for example: the office's anniversary).")
    errors.update(past_limits([("name", name, NAME)]))
    if parsed is not None and "day" not in errors:
        clash = _clash(uow, parsed, kind)
        if clash:
            errors["day"] = clash
    if errors:
        raise InvalidInput(errors)
    return parsed, name


def _clash(uow: AbstractUnitOfWork, day: date, kind: str) -> str | None:
    """Why `day` cannot take `kind`: already an office day, or already so nationally."""
    if any(d.day == day for d in uow.office_days.list()):
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
