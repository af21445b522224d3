"""Extension requests (engine/deadlines/extension_requests.py): only a step's holder
asks, for a later date and with a reason, one request at a time; the approver the BPMN
names decides, once; an accepted date moves the step's and the task's deadline, a
refused one changes nothing."""
from __future__ import annotations

from datetime import date

import pytest

from engine.deadlines import extension_requests as ext
from engine.errors import AlreadyDone, InvalidInput, NotAllowed
from engine.process.step_forms import Upload
from engine.tasks import steps
from tests.support.deadlines import DUE, assign, audit_rows, name_extension_approver, ready, sweep_at
from tests.support.office import KSTTHC

NEW_DUE = date(2024, 4, 12)
PDF = Upload("bao-cao.pdf", "application/pdf", b"%PDF-1.4")


@pytest.fixture
def report(office, clock):
    """A task directed by chanhvp whose report step cv.kstthc holds."""
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE, "director": "chanhvp"}])
    assign(office, plan_id, clock.on(date(2024, 1, 16)))
    [report] = ready(office, plan_id, "report")
    return report


def ask(office, clock, item, username="cv.kstthc", new_due="2024-04-12", reason="Chờ số liệu của Sở"):
    return ext.request_extension(office.uow(), item.id, office.users[username], new_due, reason, clock=clock)


def decide(office, clock, request_id, username, accept):
    ext.decide_extension(office.uow(), request_id, office.users[username], accept, "Ý kiến", clock=clock)


@pytest.mark.parametrize("username", ["cv.kstthc2", "truong.kstthc", "chanhvp"])
def test_only_the_holder_of_the_step_may_ask_for_more_time(office, clock, report, username):
    with pytest.raises(NotAllowed):
        ask(office, clock, report, username)
    with pytest.raises(NotAllowed):
        ext.require_holder(office.uow(), report.id, office.users[username])
    assert office.storage.tables["extensions"] == {}


@pytest.mark.parametrize("new_due, reason, field", [
    ("2024-03-29", "Lý do", "new_due"),  # not later than the deadline
    ("2024-03-01", "Lý do", "new_due"),
    ("", "Lý do", "new_due"),
    ("2024-04-12", "  ", "reason"),
])
def test_a_request_needs_a_later_date_and_a_reason(office, clock, report, new_due, reason, field):
    with pytest.raises(InvalidInput) as refused:
        ask(office, clock, report, new_due=new_due, reason=reason)
    assert set(refused.value.errors) == {field}


def test_a_second_request_waits_until_the_first_is_decided(office, clock, report):
    first = ask(office, clock, report)
    with pytest.raises(InvalidInput) as refused:
        ask(office, clock, report, new_due="2024-04-30")
    assert set(refused.value.errors) == {"new_due"}
    decide(office, clock, first, "chanhvp", False)
    ask(office, clock, report, new_due="2024-04-30")


def test_a_request_on_a_completed_step_is_refused(office, clock, report):
    steps.complete_step(office.uow(), report.id, office.users["cv.kstthc"], {"result": "Xong"}, PDF, clock=clock)
    with pytest.raises(AlreadyDone):
        ask(office, clock, report)


@pytest.mark.parametrize("username", ["phochanhvp", "truong.kstthc", "theodoi", "cv.kstthc"])
def test_the_task_s_director_decides_and_nobody_else(office, clock, report, username):
    request_id = ask(office, clock, report)
    with pytest.raises(NotAllowed):
        decide(office, clock, request_id, username, True)
    assert ext.pending_for(office.uow(), office.users[username]) == []
    [pending] = ext.pending_for(office.uow(), office.users["chanhvp"])
    assert (pending["id"], pending["old_due"], pending["new_due"]) == (request_id, date(2024, 3, 29), NEW_DUE)


def test_without_a_director_any_leader_decides(office, clock):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE}])
    assign(office, plan_id, clock.on(date(2024, 1, 16)))
    [report] = ready(office, plan_id, "report")
    request_id = ask(office, clock, report)
    assert [p["id"] for p in ext.pending_for(office.uow(), office.users["chanhvp"])] == [request_id]
    assert [p["id"] for p in ext.pending_for(office.uow(), office.users["phochanhvp"])] == [request_id]
    decide(office, clock, request_id, "phochanhvp", True)


def test_the_bpmn_may_name_the_lead_unit_s_head_as_approver(office, clock):
    name_extension_approver(office, clock, "lead_head")
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE, "director": "chanhvp"}])
    assign(office, plan_id, clock.on(date(2024, 1, 16)))
    [report] = ready(office, plan_id, "report")
    request_id = ask(office, clock, report)
    with pytest.raises(NotAllowed):
        decide(office, clock, request_id, "chanhvp", True)
    decide(office, clock, request_id, "truong.kstthc", True)


def test_a_request_is_decided_once(office, clock, report):
    request_id = ask(office, clock, report)
    decide(office, clock, request_id, "chanhvp", False)
    with pytest.raises(AlreadyDone):
        decide(office, clock, request_id, "chanhvp", True)
    assert [r["state"] for r in ext.for_task(office.uow(), report.plan_task_id)] == ["refused"]


def test_a_request_outlived_by_its_step_lapses(office, clock, report):
    request_id = ask(office, clock, report)
    steps.complete_step(office.uow(), report.id, office.users["cv.kstthc"], {"result": "Xong"}, PDF, clock=clock)
    with pytest.raises(AlreadyDone):
        decide(office, clock, request_id, "chanhvp", True)
    assert [r["state"] for r in ext.for_task(office.uow(), report.plan_task_id)] == ["lapsed"]


def test_an_accepted_date_moves_the_step_the_task_and_the_ladder(office, clock, report):
    decide(office, clock, ask(office, clock.on(date(2024, 3, 20)), report), "chanhvp", True)
    [item] = ready(office, _plan(office, report), "report")
    with office.uow() as uow:
        task_due = uow.tasks.get(report.plan_task_id).due_on
    assert (item.due_on, task_due) == (NEW_DUE, NEW_DUE)
    assert sweep_at(office, clock, date(2024, 3, 26)).notices == 0  # no reminder at the old date
    assert sweep_at(office, clock, date(2024, 4, 9)).notices == 1  # 3 working days before the new one
    assert [(a["action"], a["detail"]["old_due"], a["detail"]["new_due"]) for a in audit_rows(
        office, report.plan_task_id, "extension_")] == [("extension_requested", DUE, "2024-04-12"),
                                                        ("extension_accepted", DUE, "2024-04-12")]


def test_a_refused_date_changes_nothing_but_the_history(office, clock, report):
    decide(office, clock, ask(office, clock.on(date(2024, 3, 20)), report), "chanhvp", False)
    [item] = ready(office, _plan(office, report), "report")
    assert item.due_on == date(2024, 3, 29)
    assert sweep_at(office, clock, date(2024, 3, 26)).notices == 1  # the old ladder stands
    assert [a["action"] for a in audit_rows(office, report.plan_task_id, "extension_")] == [
        "extension_requested", "extension_refused"]


def _plan(office, item):
    with office.uow() as uow:
        return uow.tasks.get(item.plan_task_id).plan_id
