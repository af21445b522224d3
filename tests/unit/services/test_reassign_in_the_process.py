"""Reassigning and withdrawing as the process says (the messages "reassign" and
"withdraw" caught by boundary events of processes/plan_task.bpmn): the held step starts
again for the new holder, or the work goes back to an assign step of the head's; the
reason is kept in the history. A version that catches neither hands the step over."""
from __future__ import annotations

from engine import model
from engine.clock import to_storage
from engine.process import instances
from engine.process.step_forms import Upload
from engine.tasks import steps
from tests.support.deadlines import DUE, ready
from tests.support.designer_bpmn import PROCESS
from tests.support.office import KSTTHC

PDF = Upload("bao-cao.pdf", "application/pdf", b"%PDF-1.4")


def assigned(office, clock) -> int:
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE}])
    [item] = ready(office, plan_id, "assign")
    steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"], {"assignee": office.users["cv.kstthc"]},
                        clock=clock)
    return plan_id


def reassign(office, clock, item, to: str | None, reason: str) -> None:
    steps.reassign(office.uow(), item.id, office.users["truong.kstthc"], office.users[to] if to else None, reason,
                   clock=clock)


def history(office, plan_id, action):
    with office.uow() as uow:
        [task] = uow.tasks.for_plan(plan_id)
        return [e["detail"] for e in uow.audit.for_task(task.id) if e["action"] == action]


def test_a_reassigned_report_starts_again_for_the_new_holder(office, clock):
    plan_id = assigned(office, clock)
    [report] = office.ready(plan_id)
    reassign(office, clock, report, "cv.kstthc2", "Đồng chí Dung đi công tác")

    [again] = office.ready(plan_id)
    assert again.id != report.id and (again.step_id, again.assignee_user_id) == ("report", office.users["cv.kstthc2"])
    with office.uow() as uow:
        assert uow.work_items.get(report.id).state == "cancelled"
        told = [a["kind"] for a in uow.arrivals.for_user(office.users["cv.kstthc2"])]
    assert told == ["assigned"]
    assert history(office, plan_id, "step_reassigned")[0]["reason"] == "Đồng chí Dung đi công tác"


def test_a_withdrawn_report_goes_back_to_the_head_who_assigns_it_again(office, clock):
    plan_id = assigned(office, clock)
    [report] = office.ready(plan_id)
    reassign(office, clock, report, None, "Chưa đúng người")

    [again] = office.ready(plan_id)
    assert (again.step_id, again.form, again.candidate_role) == ("assign_again", "assign", "unit_head")
    assert history(office, plan_id, "step_withdrawn")[0]["reason"] == "Chưa đúng người"
    steps.complete_step(office.uow(), again.id, office.users["truong.kstthc"],
                        {"assignee": office.users["cv.kstthc2"]}, clock=clock)
    [report] = office.ready(plan_id)
    assert (report.step_id, report.assignee_user_id) == ("report", office.users["cv.kstthc2"])


def test_a_withdrawn_revision_goes_back_to_the_head_and_keeps_its_return_reason(office, clock):
    plan_id = assigned(office, clock)
    [report] = office.ready(plan_id)
    steps.complete_step(office.uow(), report.id, office.users["cv.kstthc"], {"result": "Xong"}, PDF, clock=clock)
    [review] = office.ready(plan_id)
    steps.complete_step(office.uow(), review.id, office.users["theodoi"],
                        {"decision": "return", "comment": "Thiếu phụ lục"}, clock=clock)
    [revise] = office.ready(plan_id)
    reassign(office, clock, revise, None, "Đồng chí Dung nghỉ phép")

    [again] = office.ready(plan_id)
    assert again.step_id == "revise_assign_again"
    steps.complete_step(office.uow(), again.id, office.users["truong.kstthc"],
                        {"assignee": office.users["cv.kstthc2"]}, clock=clock)
    [revise] = office.ready(plan_id)
    assert (revise.step_id, revise.assignee_user_id) == ("revise", office.users["cv.kstthc2"])
    view = steps.get_step(office.uow(), revise.id, office.users["cv.kstthc2"])
    assert view.evidence.returned["detail"]["comment"] == "Thiếu phụ lục"


def test_a_version_without_the_events_hands_the_step_over_as_it_stands(office, clock):
    with office.uow() as uow:
        live = instances.ensure_live_version(uow, clock.now())
        live.is_live = False
        uow.process_versions.add(model.ProcessVersion(process_key=live.process_key, number=live.number + 1,
                                                      bpmn_xml=PROCESS, created_at=to_storage(clock.now()),
                                                      is_live=True))
        uow.commit()
    plan_id = assigned(office, clock)
    [report] = office.ready(plan_id)
    reassign(office, clock, report, "cv.kstthc2", "Đồng chí Dung đi công tác")
    [same] = office.ready(plan_id)
    assert (same.id, same.assignee_user_id) == (report.id, office.users["cv.kstthc2"])
    reassign(office, clock, same, None, "Chưa đúng người")
    [same] = office.ready(plan_id)
    assert (same.id, same.assignee_user_id) == (report.id, office.users["truong.kstthc"])
