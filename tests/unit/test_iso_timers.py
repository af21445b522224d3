"""ISO 8601 timers as Camunda writes them: a duration, a cycle, a date; durations in working
days when the designer says so (working_days(n)); anything else refused on the timer."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from engine.deadlines.working_days import WorkingCalendar
from engine.process import versions
from engine.process.checks import MSG_TIMER_ISO
from engine.clock import FixedClock
from engine.workflow import WorkflowRuntime, parse_process
from tests.support.designer_bpmn import version

DATE_TIMER = '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">working_days_before(due, 3)</bpmn:timeDate>'
NOW = datetime(2024, 4, 26, 9, 0, tzinfo=timezone.utc)  # a Friday, before the 29/4-1/5 holidays


def with_timer(kind: str, expression: str) -> str:
    return version((DATE_TIMER, f'<bpmn:{kind} xsi:type="bpmn:tFormalExpression">{expression}</bpmn:{kind}>'))


@pytest.mark.parametrize("kind, expression", [
    ("timeDuration", '"P3D"'), ("timeDuration", '"PT48H"'), ("timeDuration", "working_days(3)"),
    ("timeCycle", '"R2/P1D"'), ("timeDate", '"2030-01-02T08:00:00+07:00"'),
])
def test_iso_timers_are_accepted(kind, expression):
    assert versions.validate(with_timer(kind, expression)) == []


@pytest.mark.parametrize("kind, expression", [("timeDuration", '"3 days"'), ("timeCycle", '"P1D"')])
def test_a_duration_or_cycle_that_is_not_iso_8601_is_refused_on_its_timer(kind, expression):
    assert [(p.element_id, p.message) for p in versions.validate(with_timer(kind, expression))] == [
        ("report_remind", MSG_TIMER_ISO)]


def armed_after_assign(xml: str) -> datetime | None:
    rt = WorkflowRuntime(WorkingCalendar([]).add_working_days, FixedClock(NOW))
    wf = rt.start(parse_process(xml), {"plan_task_id": 1, "lead_unit": 1, "coordinators": [], "monitor_unit": 3,
                                       "director": None, "due": "2030-03-29"})
    rt.complete(wf, rt.ready_steps(wf)[0].task_id, {"assignee": 4})
    return rt.next_timer_at(wf)


def test_working_days_skip_the_weekend_and_the_holidays():
    # Friday 26/4 + 3 working days: Mon 29/4, Tue 30/4 and Wed 1/5 are days off in 2024; Thu 2/5,
    # Fri 3/5 and Saturday 4/5, the make-up working day, are the three.
    assert armed_after_assign(with_timer("timeDuration", "working_days(3)")).date() == date(2024, 5, 4)
    assert armed_after_assign(with_timer("timeDuration", '"P3D"')).date() == date(2024, 4, 29)


def test_a_cycle_timer_is_scheduled_for_its_next_firing():
    assert armed_after_assign(with_timer("timeCycle", '"R2/P1D"')).date() == date(2024, 4, 27)
