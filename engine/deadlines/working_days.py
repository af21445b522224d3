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

Pure: no database, no clock. Years are computed on demand for any date queried,
once per calendar, into a table: for each day, whether it is a working day and the
ordinal of working days up to it. "Days left" is then a subtraction of two ordinals,
not a walk over every day in between (a task a year late was 365 holiday look-ups).
Ordinals count from the first year a calendar is asked about, so a fresh calendar (every
restart) builds the years between the dates it is asked about, not every year since 2000.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
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


@dataclass(frozen=True)
class _YearTable:
    base: int  # working days from the first built year's start to this year's start
    working: bytes  # per day of the year: 1 for a working day
    upto: tuple[int, ...]  # per day of the year: working days from the year's start to it, inclusive
    first: int  # the year's first day, as `date.toordinal` (a day's index is a subtraction)


class WorkingCalendar:
    """Working-day arithmetic over Vietnam's holidays and an office's own days."""

    def __init__(self, office_days: Iterable[OfficeDay] = ()) -> None:
        self._vn = _OfficeVietnam(office_days)
        self._years: set[int] = set()
        self._lock = threading.Lock()
        self._tables: dict[int, _YearTable] = {}
        self._first_year: int | None = None  # ordinals count from it; years before it count backwards
        self._tables_lock = threading.Lock()

    def is_working_day(self, d: date) -> bool:
        d = _as_date(d)
        table = self._table(d.year)
        return bool(table.working[d.toordinal() - table.first])

    def ordinal(self, d: date) -> int:
        """Working days from the start of the calendar's first built year to `d`, inclusive
        (negative before it): only differences of two ordinals mean anything."""
        d = _as_date(d)
        table = self._table(d.year)
        return table.base + table.upto[d.toordinal() - table.first]

    def _national_is_working_day(self, d: date) -> bool:
        self._ensure_year(d.year)
        return self._vn.is_working_day(d)

    def _table(self, year: int) -> _YearTable:
        table = self._tables.get(year)
        if table is not None:
            return table
        with self._tables_lock:
            # Years are laid end to end from the first built one, so each year's base is known.
            if self._first_year is None:
                self._first_year = year
            if year >= self._first_year:
                for y in range(self._first_year, year + 1):
                    if y not in self._tables:
                        before = self._tables.get(y - 1)
                        base = 0 if before is None else before.base + before.upto[-1]
                        self._tables[y] = self._year(y, base)
            else:
                for y in range(self._first_year, year - 1, -1):
                    if y not in self._tables:
                        flags = self._flags(y)
                        after = self._tables.get(y + 1)
                        base = (0 if after is None else after.base) - sum(flags)
                        self._tables[y] = self._year(y, base, flags)
            return self._tables[year]

    def _flags(self, year: int) -> bytes:
        start = date(year, 1, 1)
        days = (date(year + 1, 1, 1) - start).days
        return bytes(self._national_is_working_day(start + timedelta(days=i)) for i in range(days))

    def _year(self, year: int, base: int, flags: bytes | None = None) -> _YearTable:
        flags = flags if flags is not None else self._flags(year)
        upto, count = [], 0
        for flag in flags:
            count += flag
            upto.append(count)
        return _YearTable(base, flags, tuple(upto), date(year, 1, 1).toordinal())

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
        return self.ordinal(b) - self.ordinal(a)

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


class CalendarCache:
    """The office's calendar as last built, kept with the version of the office days it
    was built from (`OfficeDayRepository.version`): while the database reports the same
    version, no request reads the office days or builds a calendar again.

    Correct with several workers: the version is raised in the same transaction as any
    change of the days, and it is read before the days are, so a calendar kept under a
    version holds the days of that version or newer ones (a change between the two reads
    is already in it, and the next read sees a newer version and builds again). A unit of
    work that changed the days itself reports no version: it builds from what it sees,
    uncommitted, and keeps nothing.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: tuple[object, WorkingCalendar] | None = None

    def get(self, version: object | None, days: Callable[[], Iterable[OfficeDay]]) -> WorkingCalendar:
        kept = self._kept
        if version is not None and kept is not None and kept[0] == version:
            return kept[1]
        calendar = _calendar(tuple(days()))
        if version is not None:
            with self._lock:
                self._kept = (version, calendar)
        return calendar


@lru_cache(maxsize=16)
def _calendar(days: tuple[OfficeDay, ...]) -> WorkingCalendar:
    # One calendar per set of office days: its year tables are built once per process,
    # and databases with the same days (none, most often) share them.
    return WorkingCalendar(days)
