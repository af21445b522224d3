"""A page's task units, open steps and notices come as tuples of `UNIT_ROW`'s,
`STEP_ROW`'s and `NOTICE_ROW`'s columns, read by position (`engine.reading.progress`,
`plan_pages`): from the page details' one statement, from `task_units`, `open_steps`,
`notices` and from `open_for_tasks` alike, each row its tables' values in that order, on
SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from adapters.storage import orm
from engine import model
from engine.reading.progress import NOTICE_ROW, STEP_ROW, UNIT_ROW
from engine.tasks import steps
from tests.support.deadlines import office_clock, ready
from tests.support.office import CBTH, KSTTHC, TTPV


def test_a_pages_units_and_steps_are_their_columns_in_order(office_on_each_database):
    office = office_on_each_database
    plan_id = office.plan([{"ref": str(n), "lead": [KSTTHC], "coordinators": [CBTH, TTPV][:1 + n % 2],
                            "due": "2024-03-29" if n % 3 else None} for n in range(1, 7)])
    with office_clock(date(2024, 1, 16)) as clock:  # one task assigned: its next steps
        item = ready(office, plan_id, "assign")[0]
        steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"],
                            {"assignee": office.users["cv.kstthc"]}, clock=clock)
    told = [["Đặng Quốc Huy"], ["Võ Thị Giang", "Lê Minh Châu"], "Phạm Thu Dung"]  # as the ladder writes them
    with office.uow() as uow:
        task_ids = [task.id for task in uow.tasks.for_plan(plan_id)]
        for n, action in enumerate(["notice_holder", "step_completed", "notice_unit_head", "notice_director"]):
            uow.audit.add(model.AuditEvent(plan_task_id=task_ids[n % 2], action=action, at=datetime(2024, 3, 2, n),
                                           step_name=f"step {n}", detail={"recipients": told[n % 3]}))
        uow.commit()
    tu, u, w, us, a = orm.task_units, orm.units, orm.work_items, orm.users, orm.audit_events
    columns = {"task_id": tu.c.task_id, "unit_id": tu.c.unit_id, "role": tu.c.role, "name": u.c.name,
               "position": tu.c.position}
    holder = u.alias("holder")
    held = {"task_id": w.c.plan_task_id, "work_item_id": w.c.id, "user_name": us.c.full_name,
            "unit_name": holder.c.name}
    with office.storage.engine.connect() as conn:
        ids = list(conn.execute(select(orm.plan_tasks.c.id).where(orm.plan_tasks.c.plan_id == plan_id)).scalars())
        units = [tuple(r) for r in conn.execute(
            select(*(columns[name] for name in UNIT_ROW)).join(u, u.c.id == tu.c.unit_id)
            .where(tu.c.task_id.in_(ids)).order_by(tu.c.task_id, tu.c.role, tu.c.position))]
        ready_steps = [tuple(r) for r in conn.execute(
            select(*(held[name] if name in held else w.c[name] for name in STEP_ROW))
            .outerjoin(us, us.c.id == w.c.assignee_user_id).outerjoin(holder, holder.c.id == w.c.candidate_unit_id)
            .where(w.c.plan_task_id.in_(ids), w.c.state == "ready").order_by(w.c.id))]
        lines = conn.execute(select(a.c.plan_task_id, a.c.action, a.c.at, a.c.step_name, a.c.id)
                             .where(a.c.plan_task_id.in_(ids), a.c.action.like("notice%")).order_by(a.c.at, a.c.id))
        to = {1: "Đặng Quốc Huy", 2: "Võ Thị Giang, Lê Minh Châu", 3: "Phạm Thu Dung"}
        notices = [(task_id, action, at, step_name, to[int(step_name[-1]) % 3 + 1], line_id)
                   for task_id, action, at, step_name, line_id in lines]
    assert len(units) == 15 and len(ready_steps) > 6  # (the assigned task's coordinating units' steps too)
    assert len(NOTICE_ROW) == 6 and len(notices) == 3  # (the step's line is no notice)
    with office.uow() as uow:
        details = uow.progress.page_details(ids, "notice")
        for found in (details["units"], uow.progress.task_units(None, ids), uow.progress.task_units(plan_id)):
            assert all(type(row) is tuple for row in found) and found == units
        for found in (details["steps"], uow.progress.open_steps(None, ids), uow.progress.open_steps(plan_id),
                      uow.work_items.open_for_tasks(ids)):
            assert all(type(row) is tuple for row in found) and found == ready_steps
        for found in (details["notices"], uow.progress.notices(None, "notice", ids), uow.progress.notices(plan_id, "notice")):
            assert all(type(row) is tuple for row in found) and found == notices
