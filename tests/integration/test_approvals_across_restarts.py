"""The approvals the process's settings switch on, on SQLite and PostgreSQL, every step
completed in a fresh Storage (a new engine, an empty spec cache: a restarted server):
the unit head returns, then approves; the monitor accepts; the directing leader
returns, then accepts. A task started before the settings changed keeps its version."""
from __future__ import annotations

from datetime import date

from adapters.storage import Storage
from engine.process.step_forms import UNIT_STAFF, Upload
from engine.tasks import steps
from tests.support.office import KSTTHC, TTPV, clock_on, deploy_settings

DAY = date(2024, 3, 4)
PDF = Upload("bao-cao.pdf", "application/pdf", b"%PDF-1.4")


def act(office, plan_id, username, fields, upload=None):
    """Complete the task's one ready step as `username` in a fresh Storage; its step id."""
    [item] = office.ready(plan_id)
    storage = Storage(office.storage.url)
    try:
        steps.complete_step(storage.uow(), item.id, office.users[username], fields, upload, clock=clock_on(DAY))
    finally:
        storage.engine.dispose()
    return item.step_id


def test_a_report_passes_the_unit_head_the_monitor_and_the_leader_after_restarts(office_on_each_database):
    office = office_on_each_database
    old = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29", "director": "chanhvp"}])
    deploy_settings(office, clock_on(DAY).now(), unit_approval=True, leader_acceptance=True)
    new = office.plan([{"ref": "2", "lead": [KSTTHC], "due": "2024-03-29", "director": "chanhvp"}])
    staff = office.users["cv.kstthc"]
    walk = [
        ("truong.kstthc", {"assignee": staff}, None),
        ("cv.kstthc", {"result": "Báo cáo lần 1"}, PDF),
        ("truong.kstthc", {"decision": "return", "comment": "Thiếu số liệu"}, None),
        ("cv.kstthc", {"result": "Báo cáo lần 2"}, PDF),
        ("truong.kstthc", {"decision": "accept"}, None),
        ("theodoi", {"decision": "accept"}, None),
        ("chanhvp", {"decision": "return", "comment": "Cần so sánh với năm trước"}, None),
        ("cv.kstthc", {"result": "Báo cáo lần 3"}, PDF),
        ("truong.kstthc", {"decision": "accept"}, None),
        ("theodoi", {"decision": "accept"}, None),
        ("chanhvp", {"decision": "accept"}, None),
    ]
    done = [act(office, new, username, fields, upload) for username, fields, upload in walk]

    assert done == ["assign", "report", "approve", "revise", "approve", "review", "accept", "revise", "approve",
                    "review", "accept"]
    assert office.ready(new) == []
    with office.uow() as uow:
        assert uow.tasks.get(uow.tasks.for_plan(new)[0].id).status == "closed"

    # The task started before: its report goes to the monitor, who closes it.
    done = [act(office, old, username, fields, upload) for username, fields, upload in
            [walk[0], walk[1], ("theodoi", {"decision": "accept"}, None)]]
    assert done == ["assign", "report", "review"]
    assert office.ready(old) == []


def test_a_unit_item_taken_reported_and_returned_after_restarts_comes_back_to_who_took_it(office_on_each_database):
    office = office_on_each_database
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    act(office, plan_id, "truong.kstthc", {"assignee": UNIT_STAFF})
    [report] = office.ready(plan_id)
    storage = Storage(office.storage.url)
    try:
        steps.claim(storage.uow(), report.id, office.users["cv.kstthc2"], clock=clock_on(DAY))
    finally:
        storage.engine.dispose()
    act(office, plan_id, "cv.kstthc2", {"result": "Đã xong"}, PDF)
    act(office, plan_id, "theodoi", {"decision": "return", "comment": "Thiếu phụ lục"})

    [revise] = office.ready(plan_id)
    assert (revise.step_id, revise.assignee_user_id) == ("revise", office.users["cv.kstthc2"])


def test_co_handlers_parts_given_after_restarts_lead_on_to_the_report(office_on_each_database):
    office = office_on_each_database
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV], "due": "2024-03-29"}])
    co_handlers = [office.users["cv.kstthc2"], office.users["truong.kstthc"]]
    act(office, plan_id, "truong.kstthc", {"assignee": office.users["cv.kstthc"], "co_handlers": co_handlers})
    names = {office.users[u]: u for u in ("cv.kstthc2", "truong.kstthc")}
    for item in office.ready(plan_id):
        username = names.get(item.assignee_user_id, "giamdoc.ttpv")
        storage = Storage(office.storage.url)
        try:
            steps.complete_step(storage.uow(), item.id, office.users[username], {"contribution": f"Phần của {username}"},
                                clock=clock_on(DAY))
        finally:
            storage.engine.dispose()

    assert [i.step_id for i in office.ready(plan_id)] == ["report"]


def test_a_report_reassigned_then_withdrawn_after_restarts_reaches_whom_the_head_names(office_on_each_database):
    office = office_on_each_database
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    act(office, plan_id, "truong.kstthc", {"assignee": office.users["cv.kstthc"]})
    for to, reason in (("cv.kstthc2", "Đồng chí Dung đi công tác"), (None, "Chưa đúng người")):
        [item] = office.ready(plan_id)
        storage = Storage(office.storage.url)
        try:
            steps.reassign(storage.uow(), item.id, office.users["truong.kstthc"], office.users[to] if to else None,
                           reason, clock=clock_on(DAY))
        finally:
            storage.engine.dispose()
        [after] = office.ready(plan_id)
        assert (after.step_id, after.assignee_user_id) == \
            (("report", office.users["cv.kstthc2"]) if to else ("assign_again", None))
    assert act(office, plan_id, "truong.kstthc", {"assignee": office.users["cv.kstthc"]}) == "assign_again"
    assert act(office, plan_id, "cv.kstthc", {"result": "Đã xong"}, PDF) == "report"
    assert [i.step_id for i in office.ready(plan_id)] == ["review"]
