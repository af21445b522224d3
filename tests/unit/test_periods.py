"""Schedules as report dates: one report step per date (engine/periods.py)."""
from __future__ import annotations

from datetime import date

from engine.periods import report_dates


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
