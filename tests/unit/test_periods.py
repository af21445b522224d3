"""Schedules as report dates: one report step per date (engine/periods.py)."""
from __future__ import annotations

from datetime import date

from engine.deadlines.report_dates import report_dates


def test_a_once_task_reports_on_its_milestones():
    assert report_dates({"kind": "once", "due": ["2024-09-30", "2024-06-30"]}) == ["2024-06-30", "2024-09-30"]


def test_an_ongoing_task_reports_every_quarter_from_the_plan_to_until():
    schedule = {"kind": "ongoing", "due": [], "every": None, "until": "2024-12-31"}
    assert report_dates(schedule, date(2024, 1, 15)) == ["2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"]
    assert report_dates(schedule, date(2024, 5, 2)) == ["2024-06-30", "2024-09-30", "2024-12-31"]


def test_a_milestone_then_ongoing_reports_the_milestone_then_each_quarter_after_it():
    schedule = {"kind": "ongoing", "due": ["2024-05-31"], "every": None, "until": "2024-12-31"}
    assert report_dates(schedule) == ["2024-05-31", "2024-06-30", "2024-09-30", "2024-12-31"]


def test_periodic_monthly_and_yearly():
    monthly = {"kind": "periodic", "due": [], "every": "P1M", "until": "2024-04-30"}
    assert report_dates(monthly, date(2024, 1, 10)) == ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"]
    yearly = {"kind": "periodic", "due": [], "every": "P1Y", "until": None}
    assert report_dates(yearly, date(2024, 2, 1)) == ["2024-12-31"]  # no end named: the plan's year


def test_an_unresolved_task_has_no_report_date_and_a_runaway_until_is_capped():
    assert report_dates({"kind": "unresolved", "due": [], "text": "Theo Kế hoạch số 140"}) == []
    runaway = {"kind": "periodic", "due": [], "every": "P1M", "until": "2224-12-31"}
    assert len(report_dates(runaway, date(2024, 1, 1))) == 120


def test_a_recurrence_reports_on_the_day_its_phrase_names():
    monthly = {"kind": "periodic", "due": [], "every": "P1M", "until": "2025-04-30", "on": "---10"}
    assert report_dates(monthly, date(2025, 1, 5)) == ["2025-01-10", "2025-02-10", "2025-03-10", "2025-04-10"]
    twice_a_year = {"kind": "periodic", "due": [], "every": "P1Y", "until": "2026-12-31", "on": "--06-01,--11-15"}
    assert report_dates(twice_a_year, date(2025, 3, 1)) == ["2025-06-01", "2025-11-15", "2026-06-01", "2026-11-15"]
    quarterly = {"kind": "periodic", "due": [], "every": "P3M", "until": "2025-06-30", "on": "---15"}
    assert report_dates(quarterly, date(2025, 1, 1)) == ["2025-03-15", "2025-06-15"]


def test_weekly_reports_fall_on_fridays_and_half_yearly_on_half_ends():
    weekly = {"kind": "periodic", "due": [], "every": "P1W", "until": "2025-12-19"}
    assert report_dates(weekly, date(2025, 12, 1)) == ["2025-12-05", "2025-12-12", "2025-12-19"]
    half = {"kind": "periodic", "due": [], "every": "P6M", "until": "2026-12-31"}
    assert report_dates(half, date(2025, 11, 20)) == ["2025-12-31", "2026-06-30", "2026-12-31"]


def test_no_report_falls_before_the_work_starts():
    ongoing = {"kind": "ongoing", "due": [], "every": None, "until": "2025-12-31", "start": "2025-07-01"}
    assert report_dates(ongoing, date(2025, 1, 10)) == ["2025-09-30", "2025-12-31"]


def test_a_span_is_due_at_its_end_only():
    span = {"kind": "once", "due": ["2025-06-30"], "every": None, "until": None, "start": "2025-03-01"}
    assert report_dates(span, date(2025, 1, 10)) == ["2025-06-30"]
