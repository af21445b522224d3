"""Co-handlers and people for information (engine/process/step_forms.py `_assign`, the
`co_handle` step of processes/plan_task.bpmn): each co-handler named at assign gets a
step of their own to give their part, in parallel with the coordinating units, and the
report waits for them; each person for information is told once."""
from __future__ import annotations

import pytest

from engine.errors import InvalidInput, NotAllowed
from engine.process.step_forms import Upload
from engine.tasks import steps
from tests.support.deadlines import DUE, ready
from tests.support.office import KSTTHC, TTPV

PDF = Upload("bao-cao.pdf", "application/pdf", b"%PDF-1.4")


def assign(office, clock, plan_id, **people):
    [item] = ready(office, plan_id, "assign")
    fields = {"assignee": office.users["cv.kstthc"], **{k: [office.users[u] for u in v] for k, v in people.items()}}
    steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"], fields, clock=clock)


def test_each_co_handler_gives_their_part_before_the_report(office, clock):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV], "due": DUE}])
    assign(office, clock, plan_id, co_handlers=["cv.kstthc2", "truong.kstthc"])
    parts = {i.assignee_user_id: i for i in office.ready(plan_id) if i.step_id == "co_handle"}
    assert set(parts) == {office.users["cv.kstthc2"], office.users["truong.kstthc"]}
    assert {i.form for i in parts.values()} == {"contribute"}
    with office.uow() as uow:
        told = [a["kind"] for a in uow.arrivals.for_user(office.users["cv.kstthc2"])]
    assert told == ["co_handle"]
    with pytest.raises(NotAllowed):  # each part is its holder's
        steps.complete_step(office.uow(), parts[office.users["truong.kstthc"]].id, office.users["cv.kstthc2"],
                            {"contribution": "x"}, clock=clock)

    steps.complete_step(office.uow(), parts[office.users["cv.kstthc2"]].id, office.users["cv.kstthc2"],
                        {"contribution": "Phần số liệu quý I do tôi tổng hợp"}, clock=clock)
    [coordinate] = [i for i in office.ready(plan_id) if i.step_id == "coordinate"]
    steps.complete_step(office.uow(), coordinate.id, office.users["giamdoc.ttpv"], {"contribution": "Đồng ý"},
                        clock=clock)
    assert ready(office, plan_id, "report") == []  # one co-handler has not given their part yet
    steps.complete_step(office.uow(), parts[office.users["truong.kstthc"]].id, office.users["truong.kstthc"],
                        {"contribution": "Phần hướng dẫn"}, clock=clock)

    [report] = ready(office, plan_id, "report")
    opinions = steps.get_step(office.uow(), report.id, office.users["cv.kstthc"]).evidence.opinions
    assert [o["detail"]["contribution"] for o in opinions] == \
        ["Phần số liệu quý I do tôi tổng hợp", "Đồng ý", "Phần hướng dẫn"]


def test_without_co_handlers_the_report_comes_at_once(office, clock):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE}])
    assign(office, clock, plan_id)
    assert [i.step_id for i in office.ready(plan_id)] == ["report"]


@pytest.mark.parametrize("people", ["Lan", "3;5", [None], ["abc"], [{"id": 3}], "99999999999"])
@pytest.mark.parametrize("field", ["co_handlers", "informed"])
def test_people_that_are_not_ids_are_refused_not_dropped(office, clock, field: str, people) -> None:
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE}])
    [item] = ready(office, plan_id, "assign")
    with pytest.raises(InvalidInput) as refused:
        steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"],
                            {"assignee": office.users["cv.kstthc"], field: people}, clock=clock)
    assert refused.value.errors == {"co_handlers": "Choose members of the unit."}
    assert ready(office, plan_id, "assign")  # still waiting


@pytest.mark.parametrize("people", ["", None, [], ","])
def test_no_people_for_information_is_no_one(office, clock, people) -> None:
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE}])
    [item] = ready(office, plan_id, "assign")
    steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"],
                        {"assignee": office.users["cv.kstthc"], "informed": people}, clock=clock)
    assert [i.step_id for i in office.ready(plan_id)] == ["report"]


def test_people_for_information_are_told_once_and_get_no_step(office, clock):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE}])
    assign(office, clock, plan_id, informed=["cv.kstthc2"])
    assert [i.step_id for i in office.ready(plan_id)] == ["report"]
    with office.uow() as uow:
        told = [a for a in uow.arrivals.for_user(office.users["cv.kstthc2"]) if a["kind"] == "informed"]
    assert len(told) == 1
    assert "Lê Minh Châu" in told[0]["body"] and "để biết" in told[0]["body"]
