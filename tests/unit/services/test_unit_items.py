"""A task the unit head gives to the unit's staff rather than to one person: its report
waits in every staff member's inbox as the unit's item until one takes it ("nhận xử
lý"); whoever takes it is the main handler, so a returned report comes back to them.
Giving it back ("trả lại") makes it the unit's again."""
from __future__ import annotations

import pytest

from engine.errors import AlreadyDone, InvalidInput, NotAllowed
from engine.process.step_forms import UNIT_STAFF, Upload
from engine.tasks import inbox, steps
from tests.support.deadlines import DUE, ISSUED, ready
from tests.support.office import KSTTHC

PDF = Upload("bao-cao.pdf", "application/pdf", b"%PDF-1.4")


@pytest.fixture
def plan_id(office, clock):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE}])
    [assign] = ready(office, plan_id, "assign")
    steps.complete_step(office.uow(), assign.id, office.users["truong.kstthc"],
                        {"assignee": UNIT_STAFF, "instruction": "Một đồng chí nhận xử lý"}, clock=clock)
    return plan_id


def whose(office, username):
    return [(i.step_id, i.mine, i.claimed) for i in inbox.list_inbox(office.uow(), office.users[username], ISSUED).items]


def test_the_report_waits_for_the_lead_units_staff_as_a_unit_item(office, clock, plan_id):
    [report] = ready(office, plan_id, "report")
    assert (report.assignee_user_id, report.candidate_unit_id, report.candidate_role) == \
        (None, office.units[KSTTHC], "staff")
    assert whose(office, "cv.kstthc") == whose(office, "cv.kstthc2") == [("report", False, False)]
    assert whose(office, "truong.kstthc") == whose(office, "cv.ttpv") == []
    with pytest.raises(NotAllowed):  # staff of another unit
        steps.claim(office.uow(), report.id, office.users["cv.ttpv"], clock=clock)


def test_one_staff_member_takes_it_and_it_leaves_the_colleagues_inbox(office, clock, plan_id):
    [report] = ready(office, plan_id, "report")
    steps.claim(office.uow(), report.id, office.users["cv.kstthc"], clock=clock)
    assert whose(office, "cv.kstthc") == [("report", True, True)]
    assert whose(office, "cv.kstthc2") == []
    with pytest.raises(AlreadyDone):
        steps.claim(office.uow(), report.id, office.users["cv.kstthc2"], clock=clock)
    with pytest.raises(NotAllowed):
        steps.complete_step(office.uow(), report.id, office.users["cv.kstthc2"], {"result": "x"}, PDF, clock=clock)


def test_whoever_took_it_and_reported_gets_the_return_with_its_reason(office, clock, plan_id):
    [report] = ready(office, plan_id, "report")
    steps.claim(office.uow(), report.id, office.users["cv.kstthc"], clock=clock)
    steps.unclaim(office.uow(), report.id, office.users["cv.kstthc"], clock=clock)  # given back
    assert whose(office, "cv.kstthc2") == [("report", False, False)]
    steps.claim(office.uow(), report.id, office.users["cv.kstthc2"], clock=clock)
    steps.complete_step(office.uow(), report.id, office.users["cv.kstthc2"], {"result": "Đã xong"}, PDF, clock=clock)
    [review] = ready(office, plan_id, "review")
    steps.complete_step(office.uow(), review.id, office.users["theodoi"],
                        {"decision": "return", "comment": "Thiếu phụ lục"}, clock=clock)

    [revise] = ready(office, plan_id, "report")
    assert revise.assignee_user_id == office.users["cv.kstthc2"]
    view = steps.get_step(office.uow(), revise.id, office.users["cv.kstthc2"])
    assert view.can_act and view.evidence.returned["detail"]["comment"] == "Thiếu phụ lục"
    assert view.evidence.assignment["detail"]["shared_with_unit"] is True


def test_giving_it_to_the_staff_is_a_choice_of_the_assign_form_only(office, clock):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE}])
    [assign] = ready(office, plan_id, "assign")
    with pytest.raises(InvalidInput):
        steps.complete_step(office.uow(), assign.id, office.users["truong.kstthc"], {"assignee": "units"},
                            clock=clock)
