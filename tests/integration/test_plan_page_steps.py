"""A plan page's open steps: each due date's working days left worked out once per
calendar and day, not once per step (most of a page's steps share a few due dates) nor at
every read. (Counted, never timed.)"""
from __future__ import annotations

from datetime import date

from engine.deadlines.working_days import WorkingCalendar
from engine.reading import plan_pages
from engine.tasks.inbox import reckoner, urgency
from tests.support.office import KSTTHC

TODAY = date(2024, 1, 16)


def test_a_plan_pages_steps_work_out_each_due_dates_days_left_once(office, monkeypatch):
    dues = ["2024-03-29", "2024-03-29", "2024-01-17", "2024-03-29", "2024-01-17"]
    plan_id = office.plan([{"ref": str(n), "lead": [KSTTHC], "due": due} for n, due in enumerate(dues, 1)])
    asked: list[tuple[date, date]] = []
    counted = WorkingCalendar.working_days_between

    def counting(cal: WorkingCalendar, start: date, end: date) -> int:
        asked.append((start, end))
        return counted(cal, start, end)

    monkeypatch.setattr(WorkingCalendar, "working_days_between", counting)
    reckoner.cache_clear()  # (what reads before this test worked out for the same calendar and day)
    view = plan_pages.plan_overview(office.uow(), plan_id, TODAY, office.users["theodoi"])
    steps = [step for row in view.tasks for step in row.steps]
    assert len(steps) == len(dues) and {step.due for step in steps} == {date(2024, 3, 29), date(2024, 1, 17)}
    assert sorted(asked) == [(TODAY, date(2024, 1, 17)), (TODAY, date(2024, 3, 29))]  # once a date, not a step
    again = plan_pages.plan_overview(office.uow(), plan_id, TODAY, office.users["theodoi"])
    assert again.tasks == view.tasks and len(asked) == 2  # the next read of the day works out none
    cal = WorkingCalendar()
    for step in steps:
        assert step.days_left == counted(cal, TODAY, step.due) and step.urgency == urgency(step.days_left)
