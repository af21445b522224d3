"""Time, as a port: services ask a clock, so tests can stand on any day.

Timestamps are aware UTC in the engine and stored as naive UTC; "today" is the
office's date in Vietnam, which is what deadlines are counted in.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

OFFICE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock that stands still until moved: for tests and demo data."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def today(clock: Clock) -> date:
    return office_date(clock.now())


def office_date(moment: datetime) -> date:
    """The date in Vietnam at `moment`: what deadlines are counted in."""
    return moment.astimezone(OFFICE_TZ).date()


def to_storage(moment: datetime) -> datetime:
    """Naive UTC, the form every timestamp column holds."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def from_storage(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=timezone.utc) if moment is not None else None
