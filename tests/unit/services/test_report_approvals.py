"""Who approves a report before the task closes, as the process's settings say
(processes/plan_task.bpmn, the data objects `unit_approval` and `leader_acceptance`):
the lead unit's head before the monitor, the directing leader after. Each returns
with a reason to the reporter. Tasks keep the version they started on."""
from __future__ import annotations

import pytest

from engine.errors import InvalidInput, NotAllowed
from engine.process.step_forms import Upload
from engine.tasks import steps
from tests.support.deadlines import DUE, ready
from tests.support.office import KSTTHC, deploy_settings

PDF = Upload("bao-cao.pdf", "application/pdf", b"%PDF-1.4")


def complete(office, clock, item, username, fields, upload=None):
    steps.complete_step(office.uow(), item.id, office.users[username], fields, upload, clock=clock)


def reported(office, clock, director: str | None = "chanhvp") -> int:
    """A task of the lead unit, assigned and reported: its id."""
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE, "director": director}])
    [assign] = ready(office, plan_id, "assign")
    complete(office, clock, assign, "truong.kstthc", {"assignee": office.users["cv.kstthc"]})
    [report] = ready(office, plan_id, "report")
    complete(office, clock, report, "cv.kstthc", {"result": "Đã số hóa 1.200 hồ sơ"}, PDF)
    return plan_id


def step(office, plan_id):
    [item] = office.ready(plan_id)
    return item


def test_the_shipped_process_sends_the_report_to_the_monitor_who_closes_it(office, clock):
    plan_id = reported(office, clock)
    review = step(office, plan_id)
    assert (review.step_id, review.candidate_role) == ("review", "monitor")
    complete(office, clock, review, "theodoi", {"decision": "accept"})
    assert office.ready(plan_id) == []


def test_the_unit_head_approves_the_report_before_the_monitor_sees_it(office, clock):
    deploy_settings(office, clock.now(), unit_approval=True)
    plan_id = reported(office, clock)
    approve = step(office, plan_id)
    assert (approve.step_id, approve.form) == ("approve", "review")
    assert (approve.candidate_unit_id, approve.candidate_role) == (office.units[KSTTHC], "unit_head")
    with pytest.raises(NotAllowed):
        complete(office, clock, approve, "theodoi", {"decision": "accept"})
    with pytest.raises(NotAllowed):  # the head of another unit
        complete(office, clock, approve, "giamdoc.ttpv", {"decision": "accept"})

    complete(office, clock, approve, "truong.kstthc", {"decision": "accept"})
    assert step(office, plan_id).step_id == "review"


def test_the_unit_head_returns_the_report_with_a_reason_and_approves_the_revision(office, clock):
    deploy_settings(office, clock.now(), unit_approval=True)
    plan_id = reported(office, clock)
    approve = step(office, plan_id)
    with pytest.raises(InvalidInput):  # a return says why
        complete(office, clock, approve, "truong.kstthc", {"decision": "return"})
    complete(office, clock, approve, "truong.kstthc", {"decision": "return", "comment": "Thiếu số liệu quý I"})

    revise = step(office, plan_id)
    assert (revise.step_id, revise.assignee_user_id) == ("revise", office.users["cv.kstthc"])
    view = steps.get_step(office.uow(), revise.id, office.users["cv.kstthc"])
    assert view.evidence.returned["detail"]["comment"] == "Thiếu số liệu quý I"
    complete(office, clock, revise, "cv.kstthc", {"result": "Đã bổ sung số liệu quý I"}, PDF)

    again = step(office, plan_id)
    assert again.step_id == "approve"  # the revision goes through the head again
    assert steps.get_step(office.uow(), again.id, office.users["truong.kstthc"]).evidence.returned is None
    complete(office, clock, again, "truong.kstthc", {"decision": "accept"})
    assert step(office, plan_id).step_id == "review"


def test_the_directing_leader_accepts_after_the_monitor_and_closes_the_task(office, clock):
    deploy_settings(office, clock.now(), leader_acceptance=True)
    plan_id = reported(office, clock)
    complete(office, clock, step(office, plan_id), "theodoi", {"decision": "accept"})

    accept = step(office, plan_id)
    assert (accept.step_id, accept.form, accept.assignee_user_id) == ("accept", "review", office.users["chanhvp"])
    with pytest.raises(NotAllowed):  # another leader: the task names its director
        complete(office, clock, accept, "phochanhvp", {"decision": "accept"})
    view = steps.get_step(office.uow(), accept.id, office.users["chanhvp"])
    assert view.can_act and view.evidence.report["detail"]["result"] == "Đã số hóa 1.200 hồ sơ"
    assert view.evidence.attachments[0]["filename"] == "bao-cao.pdf"

    complete(office, clock, accept, "chanhvp", {"decision": "accept"})
    assert office.ready(plan_id) == []
    with office.uow() as uow:
        assert uow.tasks.for_plan(plan_id)[0].status == "closed"


def test_the_directing_leader_returns_the_result_to_the_reporter(office, clock):
    deploy_settings(office, clock.now(), unit_approval=True, leader_acceptance=True)
    plan_id = reported(office, clock)
    complete(office, clock, step(office, plan_id), "truong.kstthc", {"decision": "accept"})
    complete(office, clock, step(office, plan_id), "theodoi", {"decision": "accept"})
    complete(office, clock, step(office, plan_id), "chanhvp", {"decision": "return", "comment": "Cần số liệu so sánh"})

    revise = step(office, plan_id)
    assert (revise.step_id, revise.assignee_user_id) == ("revise", office.users["cv.kstthc"])
    reason = steps.get_step(office.uow(), revise.id, office.users["cv.kstthc"]).evidence.returned
    assert reason["detail"]["comment"] == "Cần số liệu so sánh"
    complete(office, clock, revise, "cv.kstthc", {"result": "Đã bổ sung"}, PDF)
    assert [step(office, plan_id).step_id] == ["approve"]  # then the monitor, then the leader again
    for username, step_id in (("truong.kstthc", "review"), ("theodoi", "accept"), ("chanhvp", None)):
        complete(office, clock, step(office, plan_id), username, {"decision": "accept"})
        assert [i.step_id for i in office.ready(plan_id)] == ([step_id] if step_id else [])


def test_without_a_directing_leader_the_monitor_closes_the_task(office, clock):
    deploy_settings(office, clock.now(), leader_acceptance=True)
    plan_id = reported(office, clock, director=None)
    complete(office, clock, step(office, plan_id), "theodoi", {"decision": "accept"})
    assert office.ready(plan_id) == []


def test_a_task_keeps_the_process_it_started_on_when_approval_is_switched_on(office, clock):
    old = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE, "director": "chanhvp"}])
    deploy_settings(office, clock.now(), unit_approval=True, leader_acceptance=True)
    [assign] = ready(office, old, "assign")
    complete(office, clock, assign, "truong.kstthc", {"assignee": office.users["cv.kstthc"]})
    complete(office, clock, step(office, old), "cv.kstthc", {"result": "Xong"}, PDF)

    assert step(office, old).step_id == "review"
    complete(office, clock, step(office, old), "theodoi", {"decision": "accept"})
    assert office.ready(old) == []
