"""Starting a plan's tasks (engine/tasks/intake.py): one process per task, all or nothing."""
from __future__ import annotations

import gc
from datetime import date

import pytest

from engine.errors import InvalidInput
from engine.model import Plan, PlanTask
from engine.process import versions
from engine.tasks import intake
from tests.support.deadlines import DUE
from tests.support.office import CBTH, KSTTHC, TTPV


def test_every_task_starts_with_an_assign_step_waiting_for_the_head_of_its_lead_unit(office, clock):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV], "due": DUE},
                           {"ref": "2", "lead": [CBTH, KSTTHC], "due": "2024-06-28"}])
    items = office.ready(plan_id)
    assert [(i.form, i.candidate_unit_id, i.candidate_role, i.assignee_user_id, i.due_on) for i in items] == [
        ("assign", office.units[KSTTHC], "unit_head", None, date(2024, 3, 29)),
        ("assign", office.units[CBTH], "unit_head", None, date(2024, 6, 28)),
    ]
    with office.uow() as uow:
        tasks = uow.tasks.for_plan(plan_id)
        assert [(t.ref, t.status, t.due_on) for t in tasks] == [
            ("1", "open", date(2024, 3, 29)), ("2", "open", date(2024, 6, 28))]
        assert [uow.instances.for_task(t.id).status for t in tasks] == ["running", "running"]
        assert [a["action"] for a in uow.audit.for_task(tasks[0].id)] == ["task_started"]


def test_a_task_without_a_deadline_waits_for_a_date_with_an_undated_assign_step(office, clock):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC]}])
    [item] = office.ready(plan_id)
    assert (item.form, item.due_on) == ("assign", None)
    with office.uow() as uow:
        [task] = uow.tasks.for_plan(plan_id)
        assert (task.status, task.due_on) == ("waiting_date", None)


def test_the_workflow_starts_with_the_task_s_units_director_and_report_dates(office, clock):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV, CBTH], "due": DUE,
                            "director": "chanhvp"}])
    with office.uow() as uow:
        [task] = uow.tasks.for_plan(plan_id)
        data = intake.start_data(uow.plans.get(plan_id), task)
    assert data == {"plan_task_id": task.id, "lead_unit": office.units[KSTTHC],
                    "coordinators": [office.units[TTPV], office.units[CBTH]],
                    "monitor_unit": office.units["Phòng Hành chính - Quản trị"],
                    "director": office.users["chanhvp"], "due": DUE, "periods": [DUE]}


@pytest.mark.parametrize("title, tasks, fields", [
    (" ", [PlanTask.with_units(ref="1", title="Việc", lead=[1])], {"title"}),
    ("Kế hoạch", [], {"tasks"}),
    ("Kế hoạch", [PlanTask.with_units(ref="1", title="Việc", lead=[1]),
                  PlanTask.with_units(ref="2", title="Việc không ai chủ trì", lead=[])], {"task:2"}),
])
def test_a_plan_without_a_title_tasks_or_a_lead_unit_per_task_is_refused_and_nothing_is_stored(
        office, title, tasks, fields):
    with pytest.raises(InvalidInput) as refused:
        intake.create_plan(office.uow(), Plan(title=title, year=2024, monitor_unit_id=1), tasks)
    assert set(refused.value.errors) == fields
    assert office.storage.tables["plans"] == {} and office.storage.tables["tasks"] == {}


def test_a_start_leaves_no_object_frozen_from_the_garbage_collector_even_when_it_fails(office, clock):
    # The start leaves the heap it found out of the collector's walks while it runs
    # (`intake._heap_left_out`): after it, every object is collectable again.
    office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE}])
    assert gc.get_freeze_count() == 0
    task = PlanTask.with_units(ref="1", title="Việc", lead=[office.units[KSTTHC]], process_key="not_deployed")
    with pytest.raises(InvalidInput):
        intake.create_plan(office.uow(), Plan(title="Kế hoạch", year=2024, monitor_unit_id=1), [task])
    assert gc.get_freeze_count() == 0


# A process of no step: it ends as it starts.
_INSTANT = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="instant" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f</bpmn:outgoing></bpmn:startEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f" sourceRef="start" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_a_task_whose_process_ends_at_once_is_closed_as_it_starts_and_its_plan_mates_stay_open(office, clock):
    designer = office.users["thietke"]
    versions.deploy(office.uow(), versions.save_version(office.uow(), _INSTANT, designer, clock=clock), designer,
                    clock=clock)
    plan = Plan(title="Kế hoạch", year=2024, issued_on=date(2024, 1, 15), monitor_unit_id=office.units[TTPV])
    tasks = [PlanTask.with_units(ref=ref, title="Nhiệm vụ", lead=[office.units[KSTTHC]], process_key=key,
                                 schedule={"kind": "once", "due": [DUE], "every": None, "until": None})
             for ref, key in (("1", "instant"), ("2", None))]
    plan_id = intake.create_plan(office.uow(), plan, tasks, clock=clock)
    with office.uow() as uow:
        found = uow.tasks.for_plan(plan_id)
        assert [(t.ref, t.status, uow.instances.for_task(t.id).status) for t in found] == [
            ("1", "closed", "completed"), ("2", "open", "running")]
    assert [i.form for i in office.ready(plan_id)] == ["assign"]
