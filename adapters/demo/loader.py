"""Load the demo: the directory, then each plan, each task walked to its story's state.

Every step is completed through the service layer, as a person would, on a clock set
to the day it happened; so the history, the index and the workflows are all real.
"""
from __future__ import annotations

import calendar as month_calendar
from datetime import date, datetime, time, timedelta
from typing import Callable

from adapters.demo.directory import MONITOR_UNIT, PEOPLE, UNITS
from adapters.demo.plans import PLANS, DemoPlan, DemoTask
from engine import model
from engine.access import accounts
from engine.clock import OFFICE_TZ, Clock, FixedClock, office_date
from engine.process import actors
from engine.process.step_forms import Upload
from engine.tasks import intake, steps
from engine.unit_of_work import AbstractUnitOfWork

DEMO_PASSWORD = "planflow"
UowFactory = Callable[[], AbstractUnitOfWork]

# The steps each story completes, in order; "coordinate_one" leaves the others waiting.
WALKS: dict[str, list[str]] = {
    "assign": [], "no_date": [],
    "coordinate": ["assign", "coordinate_one"],
    "report": ["assign", "coordinate_all"],
    "review": ["assign", "coordinate_all", "report"],
    "returned": ["assign", "coordinate_all", "report", "return"],
    "closed_on_time": ["assign", "coordinate_all", "report", "accept"],
    "closed_late": ["assign", "coordinate_all", "report", "accept"],
}


def load_demo(uow_factory: UowFactory, clock: Clock) -> bool:
    """Load the demo into an empty database; return False (and do nothing) if it has users."""
    with uow_factory() as uow:
        if uow.users.by_username(PEOPLE[0][0]) is not None:
            return False
        load_directory(uow)
        uow.commit()
    today = office_date(clock.now())
    for demo_plan in PLANS:
        _load_plan(uow_factory, demo_plan, today)
    return True


def load_directory(uow: AbstractUnitOfWork) -> None:
    """The demo units and people, every one with the demo password."""
    for name, aliases, kind in UNITS:
        uow.units.add(model.Unit(name=name, aliases=aliases, kind=kind))
    uow.flush()
    password_hash = accounts.hash_password(DEMO_PASSWORD)
    for username, full_name, unit_name, role in PEOPLE:
        uow.users.add(model.User(username=username, full_name=full_name, role=role,
                                 unit_id=uow.units.by_name(unit_name).id, password_hash=password_hash,
                                 email=f"{username}@demo.planflow.vn"))


def _load_plan(uow_factory: UowFactory, demo_plan: DemoPlan, today: date) -> None:
    issued = _month_end(today, -demo_plan.months_ago_issued) - timedelta(days=20)
    with uow_factory() as uow:
        unit_ids = {u.name: u.id for u in uow.units.list()}
        users = {u.username: u.id for u in uow.users.with_role("leader")}
    plan = model.Plan(title=demo_plan.title.format(year=today.year), year=today.year, number=demo_plan.number,
                      issued_on=issued, monitor_unit_id=unit_ids[MONITOR_UNIT], source_name="demo")
    tasks = [_task(t, unit_ids, users, today) for t in demo_plan.tasks]
    plan_id = intake.create_plan(uow_factory(), plan, tasks, clock=_at(issued))
    with uow_factory() as uow:
        tasks = uow.tasks.for_plan(plan_id)
    for demo_task, task in zip(demo_plan.tasks, tasks):
        _walk(uow_factory, task, demo_task, issued, today)


def _task(t: DemoTask, unit_ids: dict[str, int], users: dict[str, int], today: date) -> model.PlanTask:
    if t.months_from_now is None:
        schedule = {"kind": "unresolved", "due": [], "every": None, "until": None}
        deadline_text = t.deadline_text
    else:
        due = _month_end(today, t.months_from_now)
        schedule = {"kind": "once", "due": [due.isoformat()], "every": None, "until": None}
        deadline_text = f"Trong tháng {due.month}/{due.year}"
    return model.PlanTask.with_units(
        ref=t.ref, title=t.title.format(year=today.year), content=t.content, product=t.product,
        lead=[unit_ids[n] for n in t.lead], coordinators=[unit_ids[n] for n in t.coordinators],
        director="Chánh Văn phòng" if t.director == "chanhvp" else ("Phó Chánh Văn phòng" if t.director else ""),
        director_user_id=users.get(t.director) if t.director else None,
        deadline_text=deadline_text, schedule=schedule,
    )


def _walk(uow_factory: UowFactory, task: model.PlanTask, demo_task: DemoTask, issued: date, today: date) -> None:
    walk = WALKS[demo_task.story]
    day = issued + timedelta(days=3)
    for position, action in enumerate(walk):
        last = position == len(walk) - 1
        if last and demo_task.story == "closed_on_time":
            day = min(task.due_on - timedelta(days=4), today - timedelta(days=1))
        elif last and demo_task.story == "closed_late":
            day = min(task.due_on + timedelta(days=9), today - timedelta(days=1))
        _act(uow_factory, task, action, _at(day))
        day = min(day + timedelta(days=6), today - timedelta(days=1))


def _act(uow_factory: UowFactory, task: model.PlanTask, action: str, clock: Clock) -> None:
    form = {"assign": "assign", "report": "report", "return": "review", "accept": "review"}.get(action, "contribute")
    ready = [row for row in _ready(uow_factory, task) if row.form == form]
    if action == "coordinate_one":
        ready = ready[:1] if len(ready) > 1 else []
    for item in ready:
        user_id = _someone_who_may_act(uow_factory, item)
        fields, upload = _answer(uow_factory, item, action, task)
        # The workflow's timers run on this clock too: a rung of a step done months ago
        # fires on the story's day, not as if it were today.
        steps.complete_step(uow_factory(), item.id, user_id, fields, upload, clock=clock)


def _ready(uow_factory: UowFactory, task: model.PlanTask) -> list[model.WorkItem]:
    with uow_factory() as uow:
        instance = uow.instances.for_task(task.id)
        return uow.work_items.ready_for_instance(instance.id)


def _someone_who_may_act(uow_factory: UowFactory, item: model.WorkItem) -> int:
    with uow_factory() as uow:
        if item.assignee_user_id:
            return item.assignee_user_id
        people = uow.users.in_unit(item.candidate_unit_id) if item.candidate_unit_id else uow.users.with_role(item.candidate_role)
        return next(u.id for u in people if actors.may_act(u, item))


def _answer(uow_factory: UowFactory, item: model.WorkItem, action: str, task: model.PlanTask):
    if action == "assign":
        view = steps.get_step(uow_factory(), item.id, _someone_who_may_act(uow_factory, item))
        staff = [user_id for user_id, _ in view.choices]
        return {"assignee": staff[-1]}, None
    if action == "report":
        text = f"Đã triển khai thực hiện nhiệm vụ {task.ref}; kết quả chi tiết trong tệp đính kèm."
        upload = Upload(f"bao-cao-nhiem-vu-{task.ref}.txt", "text/plain", text.encode("utf-8"))
        return {"result": text}, upload
    if action == "return":
        return {"decision": "return", "comment": "Báo cáo chưa nêu số liệu cụ thể, đề nghị bổ sung."}, None
    if action == "accept":
        return {"decision": "accept", "comment": "Đạt yêu cầu."}, None
    return {"contribution": "Đơn vị đã góp ý bằng văn bản, thống nhất với dự thảo."}, None


def _month_end(today: date, months: int) -> date:
    index = today.year * 12 + today.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, month_calendar.monthrange(year, month + 1)[1])


def _at(day: date) -> FixedClock:
    return FixedClock(datetime.combine(day, time(9, 30), tzinfo=OFFICE_TZ))
