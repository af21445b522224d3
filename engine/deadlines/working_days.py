"""Working days: Vietnam's public holidays (from `holidays`) plus office days.

Reminders, escalation and "days left / days late" count working days. A working
day is a weekday that is not a public holiday, or a make-up working Saturday; on
top of the national calendar each office keeps its own list of extra days off and
make-up working days (`OfficeDay`), which take precedence over the national rules.

Definitions (the rest of planflow relies on them):

- ``add_working_days(d, n)``: for ``n > 0`` the n-th working day strictly after
  ``d``; for ``n < 0`` the |n|-th working day strictly before ``d``; for ``n == 0``
  ``d`` itself when it is a working day, else the next working day after it.
  So ``add_working_days(d, 1)`` is the next working day after ``d``, whatever ``d`` is.
- ``working_days_between(a, b)``: the signed number of working days in the
  half-open interval ``(a, b]``: positive when ``b > a``, ``-working_days_between(b, a)``
  when ``b < a``, 0 when equal. Days late = ``working_days_between(due, today)``
  (due Friday, today the Monday after: 1); days left = ``working_days_between(today,
  due)``. For a working day ``a``: ``working_days_between(a, add_working_days(a, n)) == n``.

Pure: no database, no clock. Years are computed on demand for any date queried.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from holidays.countries.vietnam import Vietnam

OfficeDayKind = Literal["off", "workday"]
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class OfficeDay:
    """A day an office declares off, or a (make-up) working day, e.g. a Saturday."""

    date: date
    kind: OfficeDayKind
    name: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("off", "workday"):
            raise ValueError(f"OfficeDay kind must be 'off' or 'workday', not {self.kind!r}")


class _OfficeVietnam(Vietnam):
    """Vietnam's calendar with an office's days laid over it.

    Office days are kept apart from the national dict rather than written into it
    (`vn[d] = ...`, `weekend_workdays.add`): the package fills some years from
    another year's data (e.g. 2015 declares the make-up Saturday 2014-12-27), so
    writes made when one year is populated could be undone by the next one.
    """

    def __init__(self, office_days: Iterable[OfficeDay]) -> None:
        self._office: dict[date, OfficeDay] = {}
        for day in office_days:
            known = self._office.get(day.date)
            if known is not None and known.kind != day.kind:
                raise ValueError(f"{day.date} is given both as a day off and a working day")
            self._office[day.date] = day
        # expand=False: years are populated only by WorkingCalendar, under its lock,
        # because the package's own expansion marks a year done before filling it.
        super().__init__(years=(), expand=False, language="vi")

    def is_working_day(self, key: date) -> bool:  # type: ignore[override]
        office = self._office.get(key)
        if office is not None:
            return office.kind == "workday"
        return super().is_working_day(key)

    def holiday_name(self, d: date) -> str | None:
        office = self._office.get(d)
        if office is not None and office.kind == "workday":
            return None
        national = self.get(d)
        if office is None:
            return national
        names = [n for n in (national, office.name) if n]
        return "; ".join(names) if names else "Ngày nghỉ"


class WorkingCalendar:
    """Working-day arithmetic over Vietnam's holidays and an office's own days."""

    def __init__(self, office_days: Iterable[OfficeDay] = ()) -> None:
        self._vn = _OfficeVietnam(office_days)
        self._years: set[int] = set()
        self._lock = threading.Lock()

    def is_working_day(self, d: date) -> bool:
        d = _as_date(d)
        self._ensure_year(d.year)
        return self._vn.is_working_day(d)

    def holiday_name(self, d: date) -> str | None:
        """The Vietnamese name of the day off `d`, or None (weekends have none)."""
        d = _as_date(d)
        self._ensure_year(d.year)
        return self._vn.holiday_name(d)

    def add_working_days(self, d: date, n: int) -> date:
        """Move `n` working days from `d` (see the module docstring)."""
        d = _as_date(d)
        if n == 0:
            while not self.is_working_day(d):
                d += _ONE_DAY
            return d
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            d += step
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Signed count of working days in (a, b] (see the module docstring)."""
        a, b = _as_date(a), _as_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        d = a
        while d < b:
            d += _ONE_DAY
            count += self.is_working_day(d)
        return count

    def _ensure_year(self, year: int) -> None:
        # Unlocked fast path: set membership is atomic, and a year is recorded only
        # once it and its neighbours are fully populated.
        if year in self._years:
            return
        with self._lock:
            if year in self._years:
                return
            # Neighbours too: a year's data may name a make-up day in the next or
            # previous year (2018 declares Saturday 2019-01-05 a working day).
            for y in (year - 1, year, year + 1):
                if y not in self._vn.years:
                    self._populate(y)
            self._years.add(year)

    def _populate(self, year: int) -> None:
        # HolidayBase.__setattr__ on `years` would clear and repopulate everything,
        # so add to the set in place and populate just this year.
        self._vn.years.add(year)
        self._vn._populate(year)


def _as_date(d: date) -> date:
    # datetime is a date subclass; arithmetic on it would keep the time of day.
    return d.date() if isinstance(d, datetime) else d
