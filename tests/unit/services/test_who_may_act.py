"""Who may complete a step (engine/tasks/steps.py, engine/process/actors.py): the BPMN
names an actor, the directory names the people; anyone else is refused and nothing
changes."""
from __future__ import annotations

import dataclasses

import pytest

from engine import model
from engine.errors import AlreadyDone, InvalidInput, NotAllowed, NotFound
from engine.process.step_forms import Upload
from engine.tasks import inbox, steps
from tests.support.deadlines import DUE, ISSUED, ready
from tests.support.office import KSTTHC, TTPV

REPORT = {"result": "Đã hoàn thành"}
PDF = Upload("bao-cao.pdf", "application/pdf", b"%PDF-1.4")


@pytest.fixture
def plan_id(office, clock):
    return office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV], "due": DUE, "director": "chanhvp"}])


def complete(office, clock, item, username, fields, upload=None):
    steps.complete_step(office.uow(), item.id, office.users[username], fields, upload, clock=clock)


def refused(office, clock, item, username, fields, upload=None):
    """Complete as `username`, expecting NotAllowed and no change at all."""
    before = _state(office, item)
    with pytest.raises(NotAllowed):
        complete(office, clock, item, username, fields, upload)
    assert _state(office, item) == before


def _state(office, item):
    """The task's workflow, work items, audit trail and files, as plain values."""
    with office.uow() as uow:
        return (uow.instances.get(item.instance_id).state,
                [dataclasses.asdict(i) for i in uow.work_items.ready_for_instance(item.instance_id)],
                uow.audit.for_task(item.plan_task_id), uow.attachments.for_task(item.plan_task_id))


def _audit(office, item):
    with office.uow() as uow:
        return uow.audit.for_task(item.plan_task_id)


def walk_to(office, clock, plan_id, form):
    """Complete the steps before the first `form` step, each by its rightful holder."""
    holders = {"assign": ("truong.kstthc", {"assignee": office.users["cv.kstthc"]}),
               "contribute": ("giamdoc.ttpv", {"contribution": "Góp ý"})}
    while not ready(office, plan_id, form):
        [item] = office.ready(plan_id)
        username, fields = holders[item.form]
        complete(office, clock, item, username, fields)
    [item] = ready(office, plan_id, form)
    return item


@pytest.mark.parametrize("username", ["cv.kstthc", "giamdoc.ttpv", "truong.th", "chanhvp", "theodoi"])
def test_only_the_head_of_the_lead_unit_assigns(office, clock, plan_id, username):
    [assign] = ready(office, plan_id, "assign")
    refused(office, clock, assign, username, {"assignee": office.users["cv.kstthc"]})
    complete(office, clock, assign, "truong.kstthc", {"assignee": office.users["cv.kstthc"]})
    assert [i.form for i in office.ready(plan_id)] == ["contribute"]


@pytest.mark.parametrize("username", ["truong.kstthc", "cv.ttpv", "truong.th"])
def test_the_opinion_is_given_by_the_head_of_the_coordinating_unit(office, clock, plan_id, username):
    item = walk_to(office, clock, plan_id, "contribute")
    assert (item.candidate_unit_id, item.candidate_role) == (office.units[TTPV], "unit_head")
    refused(office, clock, item, username, {"contribution": "Góp ý"})
    complete(office, clock, item, "giamdoc.ttpv", {"contribution": "Góp ý"})


@pytest.mark.parametrize("username", ["cv.kstthc2", "truong.kstthc", "chanhvp"])
def test_a_step_given_to_a_person_is_theirs_alone(office, clock, plan_id, username):
    report = walk_to(office, clock, plan_id, "report")
    assert report.assignee_user_id == office.users["cv.kstthc"]
    refused(office, clock, report, username, REPORT, PDF)
    complete(office, clock, report, "cv.kstthc", REPORT, PDF)
    assert [i.form for i in office.ready(plan_id)] == ["review"]


@pytest.mark.parametrize("username", ["truong.hcqt", "cv.hcqt", "chanhvp"])
def test_the_result_is_reviewed_by_the_plan_s_monitors_only(office, clock, plan_id, username):
    walk_to(office, clock, plan_id, "report")
    complete(office, clock, ready(office, plan_id, "report")[0], "cv.kstthc", REPORT, PDF)
    [review] = ready(office, plan_id, "review")
    refused(office, clock, review, username, {"decision": "accept", "comment": ""})
    complete(office, clock, review, "theodoi", {"decision": "accept", "comment": ""})
    assert office.ready(plan_id) == []


def test_a_step_completed_once_cannot_be_completed_again(office, clock, plan_id):
    [assign] = ready(office, plan_id, "assign")
    complete(office, clock, assign, "truong.kstthc", {"assignee": office.users["cv.kstthc"]})
    with pytest.raises(AlreadyDone):
        complete(office, clock, assign, "truong.kstthc", {"assignee": office.users["cv.kstthc2"]})
    assert [a["action"] for a in _audit(office, assign)].count("step_completed") == 1


def test_the_assignee_is_chosen_among_the_lead_unit_s_people(office, clock, plan_id):
    [assign] = ready(office, plan_id, "assign")
    view = steps.get_step(office.uow(), assign.id, office.users["truong.kstthc"])
    assert sorted(name for _, name in view.choices) == ["Hoàng Văn Em", "Lê Minh Châu", "Phạm Thu Dung"]
    with pytest.raises(InvalidInput) as wrong:
        complete(office, clock, assign, "truong.kstthc", {"assignee": office.users["cv.ttpv"]})
    assert set(wrong.value.errors) == {"assignee"}


def test_a_step_shows_who_may_act_and_does_not_exist_for_those_who_may_not_read_it(office, clock, plan_id):
    [assign] = ready(office, plan_id, "assign")
    assert steps.get_step(office.uow(), assign.id, office.users["truong.kstthc"]).can_act
    assert not steps.get_step(office.uow(), assign.id, office.users["chanhvp"]).can_act  # reads, does not act
    with pytest.raises(NotFound):
        steps.get_step(office.uow(), assign.id, office.users["truong.th"])


def test_a_step_taken_from_the_unit_s_role_is_the_taker_s_alone_until_given_back(office, clock, plan_id):
    with office.uow() as uow:
        deputy = model.User(username="pho.kstthc", full_name="Phó trưởng phòng", unit_id=office.units[KSTTHC],
                            role="unit_head", password_hash="-")
        uow.users.add(deputy)
        uow.commit()
    [assign] = ready(office, plan_id, "assign")
    assert inbox_of(office, office.users["truong.kstthc"]) == inbox_of(office, deputy.id) == [(assign.id, False)]

    steps.claim(office.uow(), assign.id, deputy.id, clock=clock)
    assert inbox_of(office, deputy.id) == [(assign.id, True)]
    assert inbox_of(office, office.users["truong.kstthc"]) == []
    refused(office, clock, assign, "truong.kstthc", {"assignee": office.users["cv.kstthc"]})
    with pytest.raises(NotAllowed):
        steps.unclaim(office.uow(), assign.id, office.users["truong.kstthc"], clock=clock)

    steps.unclaim(office.uow(), assign.id, deputy.id, clock=clock)
    assert inbox_of(office, office.users["truong.kstthc"]) == [(assign.id, False)]
    complete(office, clock, assign, "truong.kstthc", {"assignee": office.users["cv.kstthc"]})


def inbox_of(office, user_id):
    return [(i.work_item_id, i.claimed) for i in inbox.list_inbox(office.uow(), user_id, ISSUED).items]
