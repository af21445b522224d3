"""One plan task from assign to close through the service layer, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date

import pytest

from engine.access import task_access
from engine.errors import AlreadyDone, InvalidInput, NotAllowed, NotFound
from engine.process.step_forms import Upload
from engine.reading import plan_pages
from engine.tasks import inbox, steps
from engine.workflow import serializer
from tests.support.office import CBTH, KSTTHC, TTPV, clock_on
from tests.support.statements import sent_statements

DAY = date(2024, 3, 4)


@pytest.fixture
def office(office_on_each_database):
    return office_on_each_database


def complete(office, item, username, fields, upload=None):
    steps.complete_step(office.uow(), item.id, office.users[username], fields, upload, clock=clock_on(DAY))


def only(items, form):
    found = [i for i in items if i.form == form]
    assert len(found) == 1, [(i.step_id, i.form) for i in items]
    return found[0]


def report_file(text="Báo cáo kết quả"):
    return Upload("bao-cao.txt", "text/plain", text.encode())


def test_a_task_goes_assign_coordinate_report_return_report_accept_closed(office):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV, CBTH], "due": "2024-03-29"}])

    assign = only(office.ready(plan_id), "assign")
    assert (assign.candidate_unit_id, assign.candidate_role) == (office.units[KSTTHC], "unit_head")
    complete(office, assign, "truong.kstthc", {"assignee": office.users["cv.kstthc"]})

    coordination = office.ready(plan_id)
    assert sorted(i.candidate_unit_id for i in coordination) == sorted([office.units[TTPV], office.units[CBTH]])
    assert {i.form for i in coordination} == {"contribute"}
    complete(office, coordination[0], "giamdoc.ttpv" if coordination[0].candidate_unit_id == office.units[TTPV]
             else "giamdoc.cbth", {"contribution": "Góp ý thứ nhất"})
    still = office.ready(plan_id)
    assert [i.id for i in still] == [coordination[1].id], "the other unit's step waits, the first is done"
    complete(office, still[0], "giamdoc.cbth" if still[0].candidate_unit_id == office.units[CBTH]
             else "giamdoc.ttpv", {"contribution": "Góp ý thứ hai"})

    report = only(office.ready(plan_id), "report")
    assert report.assignee_user_id == office.users["cv.kstthc"]
    assert report.due_on == date(2024, 3, 29)
    complete(office, report, "cv.kstthc", {"result": "Đã xong bản đầu"}, report_file())

    review = only(office.ready(plan_id), "review")
    assert (review.candidate_unit_id, review.candidate_role) == (office.units["Phòng Hành chính - Quản trị"], "monitor")
    complete(office, review, "theodoi", {"decision": "return", "comment": "Thiếu số liệu"})

    again = only(office.ready(plan_id), "report")
    assert again.id != report.id
    complete(office, again, "cv.kstthc", {"result": "Đã bổ sung số liệu"}, report_file("v2"))
    complete(office, only(office.ready(plan_id), "review"), "theodoi", {"decision": "accept", "comment": ""})

    assert office.ready(plan_id) == []
    view = plan_pages.plan_overview(office.uow(), plan_id, DAY, office.users["theodoi"])
    task = view.tasks[0].task
    assert task.status == "closed" and task.closed_on == DAY
    detail = plan_pages.task_detail(office.uow(), task.id, DAY, office.users["theodoi"])
    completed = [h for h in detail.history if h["action"] == "step_completed"]
    assert [h["actor_name"] for h in completed] == [
        "Lê Minh Châu", *sorted(["Võ Thị Giang", "Mai Văn Quang"], key=lambda n: n != completed[1]["actor_name"]),
        "Phạm Thu Dung", "Đỗ Thị Lan", "Phạm Thu Dung", "Đỗ Thị Lan",
    ]
    assert completed[0]["detail"]["assignee_name"] == "Phạm Thu Dung"
    assert completed[4]["detail"]["comment"] == "Thiếu số liệu"
    assert [a["filename"] for a in detail.attachments] == ["bao-cao.txt", "bao-cao.txt"]
    with office.uow() as uow:
        assert uow.instances.for_task(task.id).status == "completed"


def test_a_task_with_no_coordinators_goes_from_assign_to_report(office):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    complete(office, only(office.ready(plan_id), "assign"), "truong.kstthc", {"assignee": office.users["cv.kstthc"]})
    assert only(office.ready(plan_id), "report").assignee_user_id == office.users["cv.kstthc"]


def test_completing_someone_elses_step_is_refused_and_changes_nothing(office):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    assign = only(office.ready(plan_id), "assign")
    with pytest.raises(NotAllowed):
        complete(office, assign, "giamdoc.ttpv", {"assignee": office.users["cv.ttpv"]})
    with pytest.raises(NotAllowed):
        complete(office, assign, "cv.kstthc", {"assignee": office.users["cv.kstthc"]})
    assert [i.id for i in office.ready(plan_id)] == [assign.id]


def test_completing_a_step_twice_is_refused_and_nothing_is_doubled(office):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    assign = only(office.ready(plan_id), "assign")
    complete(office, assign, "truong.kstthc", {"assignee": office.users["cv.kstthc"]})
    with pytest.raises(AlreadyDone):
        complete(office, assign, "truong.kstthc", {"assignee": office.users["cv.kstthc2"]})
    report = only(office.ready(plan_id), "report")
    assert report.assignee_user_id == office.users["cv.kstthc"]
    detail = plan_pages.task_detail(office.uow(), report.plan_task_id, DAY, office.users["theodoi"])
    assert sum(h["action"] == "step_completed" for h in detail.history) == 1


def test_invalid_fields_are_reported_per_field(office):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    with pytest.raises(InvalidInput) as invalid:
        complete(office, only(office.ready(plan_id), "assign"), "truong.kstthc", {"assignee": office.users["cv.ttpv"]})
    assert set(invalid.value.errors) == {"assignee"}
    complete(office, only(office.ready(plan_id), "assign"), "truong.kstthc", {"assignee": office.users["cv.kstthc"]})
    report = only(office.ready(plan_id), "report")
    with pytest.raises(InvalidInput) as invalid:
        complete(office, report, "cv.kstthc", {"result": ""}, Upload("x.txt", "text/plain", b""))
    assert set(invalid.value.errors) == {"result", "product"}


def test_listing_an_inbox_deserializes_no_workflow(office, monkeypatch):
    plan_id = office.plan([{"ref": str(n), "lead": [KSTTHC], "coordinators": [TTPV], "due": "2024-03-29"}
                           for n in range(1, 6)])
    assert len(office.ready(plan_id)) == 5
    loads = []
    monkeypatch.setattr(serializer, "loads", lambda *a, **k: loads.append(a))
    with sent_statements(office.storage.engine) as statements:
        box = inbox.list_inbox(office.uow(), office.users["truong.kstthc"], DAY)

    assert box.counts["total"] == 5 and {i.form for i in box.items} == {"assign"}
    assert loads == []
    assert statements and not any("process_instances" in s for s in statements), statements


def test_a_task_is_read_by_the_people_on_it_and_does_not_exist_for_anyone_else(office):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"},
                           {"ref": "2", "lead": [CBTH], "coordinators": [TTPV], "due": "2024-03-29"}])
    [assign] = [i for i in office.ready(plan_id) if i.candidate_unit_id == office.units[KSTTHC]]
    complete(office, assign, "truong.kstthc", {"assignee": office.users["cv.kstthc"]})
    with office.uow() as uow:  # the assignee moves to another unit: holding a step, they still read its task
        uow.users.get(office.users["cv.kstthc"]).unit_id = office.units[CBTH]
        uow.commit()
    with office.uow() as uow:
        plan, tasks = uow.plans.get(plan_id), uow.tasks.for_plan(plan_id)
        rows = [(t.ref, t) for t in tasks]
        scope = {name: task_access.readable(uow, office.users[name], plan, rows)
                 for name in ("theodoi", "cv.kstthc", "cv.kstthc2", "cv.ttpv", "cv.th")}
        assert scope == {"theodoi": ["1", "2"], "cv.kstthc": ["1", "2"], "cv.kstthc2": ["1"], "cv.ttpv": ["2"],
                         "cv.th": []}
        task_access.require_readable(uow, office.users["cv.kstthc"], tasks[0])
        with pytest.raises(NotFound):
            task_access.require_readable(uow, office.users["cv.th"], tasks[0])
