"""A page's task units and open steps come as tuples of `UNIT_ROW`'s and `STEP_ROW`'s
columns, read by position (`engine.reading.progress`, `plan_pages`): from the page
details' one statement, from `task_units` and `open_steps` and from
`open_for_tasks` alike, each row its tables' values in that order, on SQLite and
PostgreSQL."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from adapters.storage import orm
from engine.reading.progress import STEP_ROW, UNIT_ROW
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
    tu, u, w, us = orm.task_units, orm.units, orm.work_items, orm.users
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
    assert len(units) == 15 and len(ready_steps) > 6  # (the assigned task's coordinating units' steps too)
    with office.uow() as uow:
        details = uow.progress.page_details(ids, "notice")
        for found in (details["units"], uow.progress.task_units(None, ids), uow.progress.task_units(plan_id)):
            assert all(type(row) is tuple for row in found) and found == units
        for found in (details["steps"], uow.progress.open_steps(None, ids), uow.progress.open_steps(plan_id),
                      uow.work_items.open_for_tasks(ids)):
            assert all(type(row) is tuple for row in found) and found == ready_steps
