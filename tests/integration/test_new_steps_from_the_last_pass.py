"""A sweep's fired timers and a completed step give the human steps the workflow then
waits at from the engine's last pass (tests/unit/workflow/test_steps_from_the_last_pass.py),
through the sweep and the step service, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date

from engine.deadlines import sweep
from engine.tasks import steps
from engine.workflow import WorkflowRuntime
from tests.support.office import KSTTHC, clock_on


def test_a_sweep_does_not_walk_the_tree_again_for_its_steps(office_on_each_database, monkeypatch):
    """No call of `ready_steps` (a walk of the tree, 0.06 ms an instance) after the
    engine ran; the steps are kept all the same."""
    office = office_on_each_database
    plan_id = office.plan([{"ref": str(n), "lead": [KSTTHC], "due": "2024-03-29"} for n in range(2)])
    before = sorted((item.instance_id, item.task_uuid) for item in office.ready(plan_id))
    walked = []
    ready_steps = WorkflowRuntime.ready_steps
    monkeypatch.setattr(WorkflowRuntime, "ready_steps", lambda self, wf: walked.append(1) or ready_steps(self, wf))
    result = sweep.sweep(office.storage.uow, clock=clock_on(date(2024, 4, 30)))
    assert walked == [] and result.instances == 2 and result.errors == 0 and result.notices > 0
    # The assign steps the rungs fired on are still the ones waiting: none cancelled, none added.
    assert sorted((item.instance_id, item.task_uuid) for item in office.ready(plan_id)) == before


def test_a_completed_step_does_not_walk_the_tree_again_for_its_steps(office_on_each_database, monkeypatch):
    office = office_on_each_database
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    [assign] = office.ready(plan_id)
    walked = []
    ready_steps = WorkflowRuntime.ready_steps
    monkeypatch.setattr(WorkflowRuntime, "ready_steps", lambda self, wf: walked.append(1) or ready_steps(self, wf))
    steps.complete_step(office.uow(), assign.id, office.users["truong.kstthc"], {"assignee": office.users["cv.kstthc"]},
                        clock=clock_on(date(2024, 1, 16)))
    assert walked == []
    [report] = office.ready(plan_id)
    assert report.step_id == "report" and report.assignee_user_id == office.users["cv.kstthc"]
