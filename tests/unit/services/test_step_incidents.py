"""A step whose process fails (engine/process/incidents.py, engine/tasks/steps.py), on the
fakes: the person is told (`StepFailed`), nothing of the step is saved, and the
instance has one open incident that counts the attempts and keeps the input."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from engine import model
from engine.errors import StepFailed
from engine.process import incidents, instances, recovery
from engine.tasks import steps
from tests.support.deadlines import DUE, ready
from tests.support.office import KSTTHC

BROKEN = instances.DEFAULT_BPMN.read_text(encoding="utf-8").replace(
    "working_days_before(period_due, 3)", "working_days_before(period_due, 'ba')")


def test_a_failing_step_is_one_incident_that_counts_attempts_and_keeps_the_input(office, clock):
    with office.uow() as uow:
        uow.process_versions.add(model.ProcessVersion(
            process_key=instances.PROCESS_KEY, number=1, bpmn_xml=BROKEN, comment="", is_live=True,
            created_at=datetime(2024, 1, 1)))
        uow.commit()
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE}])
    [assign] = ready(office, plan_id, "assign")
    for _ in range(2):
        with pytest.raises(StepFailed):
            steps.complete_step(office.uow(), assign.id, office.users["truong.kstthc"],
                                {"assignee": office.users["cv.kstthc"]}, clock=clock)
    assert [i.id for i in ready(office, plan_id)] == [assign.id]  # the step was not saved
    with office.uow() as uow:
        [row] = uow.incidents.open_rows()
        assert (row["attempts"], row["source"], row["element"]) == (2, "step", "report_remind")
        assert row["data"] == {"assignee": office.users["cv.kstthc"]} and uow.incidents.open_count() == 1
        assert "step_completed" not in [e["action"] for e in uow.audit.for_task(row["plan_task_id"])]

    assert recovery.retry(office.uow(), row["id"], office.users["thietke"], clock) is False  # not fixed yet
    with office.uow() as uow:
        assert uow.incidents.get(row["id"])["attempts"] == 3


def test_the_sweep_retries_a_failing_timer_after_growing_pauses_then_waits_for_a_person():
    now = datetime(2024, 3, 1, 9)
    pauses = [incidents.timer_retry_at(attempt, now) for attempt in range(1, len(incidents.TIMER_BACKOFF) + 2)]
    assert pauses[:-1] == [now + pause for pause in incidents.TIMER_BACKOFF]
    assert pauses[-1] is None
    assert all(a < b for a, b in zip(incidents.TIMER_BACKOFF, incidents.TIMER_BACKOFF[1:]))
    assert incidents.TIMER_BACKOFF[0] >= timedelta(minutes=1)
