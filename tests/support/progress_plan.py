"""A plan with a task in every state on a known day, for the progress, report, search
and browser tests: built through the service layer on a controlled clock.

On TODAY (Monday 11/03/2024):
  1  KSTTHC        due 29/03, closed 04/03          done on time
  2  KSTTHC        due 29/02, closed 04/03          done late (2 working days)
  3  TTPV          due 29/02, at report             overdue (7 working days), notices recorded on 01/03 and 06/03
  4  TTPV (+KSTTHC coordinates) due 29/03, at assign   in progress
  5  KSTTHC        no date                          waiting for a date
  6  KSTTHC+TTPV   due 01/03, at assign             overdue (6 working days)
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING

from engine import model
from engine.process.step_forms import Upload
from engine.tasks import steps
from tests.support.office import KSTTHC, TTPV, Office, clock_on, make_office

if TYPE_CHECKING:
    from flask import Flask

TODAY = date(2024, 3, 11)
CLOSED_ON = date(2024, 3, 4)
TASKS = [
    {"ref": "1", "title": "Rà soát, đơn giản hóa thủ tục hành chính", "lead": [KSTTHC], "due": "2024-03-29"},
    {"ref": "2", "title": "Công bố danh mục thủ tục hành chính", "lead": [KSTTHC], "due": "2024-02-29"},
    {"ref": "3", "title": "Số hóa hồ sơ tại Trung tâm Phục vụ", "lead": [TTPV], "due": "2024-02-29"},
    {"ref": "4", "title": "Khảo sát mức độ hài lòng của người dân", "lead": [TTPV], "coordinators": [KSTTHC],
     "due": "2024-03-29"},
    {"ref": "5", "title": "Tuyên truyền cải cách hành chính", "lead": [KSTTHC]},
    {"ref": "6", "title": "Kiểm tra công tác cải cách hành chính", "lead": [KSTTHC, TTPV], "due": "2024-03-01"},
]
RESULTS = {"1": "Đã ban hành Quyết định rà soát", "2": "Đã công bố danh mục"}
COUNTS = {"done_on_time": 1, "done_late": 1, "in_progress": 1, "overdue": 2, "waiting_date": 1, "total": 6}
STATE_OF = {"1": "done_on_time", "2": "done_late", "3": "overdue", "4": "in_progress", "5": "waiting_date",
            "6": "overdue"}
DAYS_LATE = {"2": 2, "3": 7, "6": 6}


@contextmanager
def progress_world(url: str) -> Iterator[tuple[Office, dict[str, int], Flask]]:
    """The progress plan on a fresh database at `url`, and an app on it standing on TODAY."""
    from web import create_app

    office = make_office(url)
    ids = build_progress_plan(office)
    app = create_app({"DATABASE_URL": url, "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "test", "TODAY": TODAY})
    try:
        yield office, ids, app
    finally:
        office.storage.engine.dispose()
        app.extensions["planflow"].engine.dispose()


def build_progress_plan(office: Office) -> dict[str, int]:
    """Store the plan and walk its tasks to their states; return task ids by ref."""
    plan_id = office.plan(TASKS)
    with office.uow() as uow:
        ids = {t.ref: t.id for t in uow.tasks.for_plan(plan_id)}
    for ref in ("1", "2"):
        close_task(office, plan_id, ids[ref], RESULTS[ref])
    _assign(office, plan_id, ids["3"], "giamdoc.ttpv", "cv.ttpv")
    _notice(office, ids["3"], datetime(2024, 3, 1, 2), "holder", "Đặng Quốc Huy")
    _notice(office, ids["3"], datetime(2024, 3, 6, 2), "unit_head", "Võ Thị Giang")
    return {"plan": plan_id, **ids}


def _item(office: Office, plan_id: int, task_id: int, form: str):
    found = [i for i in office.ready(plan_id) if i.plan_task_id == task_id and i.form == form]
    assert len(found) == 1, (task_id, form, [(i.plan_task_id, i.form) for i in office.ready(plan_id)])
    return found[0]


def _complete(office: Office, item, username: str, fields: dict, upload: Upload | None = None) -> None:
    steps.complete_step(office.uow(), item.id, office.users[username], fields, upload, clock=clock_on(CLOSED_ON))


def _assign(office: Office, plan_id: int, task_id: int, head: str, staff: str) -> None:
    _complete(office, _item(office, plan_id, task_id, "assign"), head, {"assignee": office.users[staff]})


def close_task(office: Office, plan_id: int, task_id: int, result: str) -> None:
    """A KSTTHC task walked to its closing on CLOSED_ON: assigned, reported, accepted."""
    _assign(office, plan_id, task_id, "truong.kstthc", "cv.kstthc")
    _complete(office, _item(office, plan_id, task_id, "report"), "cv.kstthc", {"result": result},
              Upload("bao-cao.txt", "text/plain", result.encode()))
    _complete(office, _item(office, plan_id, task_id, "review"), "theodoi", {"decision": "accept", "comment": ""})


def _notice(office: Office, task_id: int, at: datetime, rung: str, to: str) -> None:
    """A notice as `engine.deadlines.notices` records it in the audit trail (same detail keys)."""
    user_id = {"Đặng Quốc Huy": office.users["cv.ttpv"], "Võ Thị Giang": office.users["giamdoc.ttpv"]}[to]
    days_late = 1 if at.day == 1 else 4
    with office.uow() as uow:
        uow.audit.add(model.AuditEvent(plan_task_id=task_id, action=f"notice_{rung}", at=at,
                                       step_name="Báo cáo kết quả",
                                       detail={"rung": rung, "due": "2024-02-29", "days_late": days_late,
                                               "recipients": [to], "recipient_ids": [user_id]}))
        uow.commit()
