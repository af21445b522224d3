"""The unit page's counts by state and its plans come from `unit_task_counts`, kept by
triggers (migration 0021); they must be what the tasks and their units say after any
write to either table: a plan imported, a task closed, its date set or moved, moved to
another plan, a unit added (one that already leads it too), a role or unit changed, a
unit removed, a task deleted; folded by the scheduler; read by a fresh Storage. On SQLite
and PostgreSQL, on several days (a task's state depends on the day)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, insert, select, update

from adapters.storage import Storage, orm
from engine.reading.progress import TaskScope, states_counted, task_state
from engine.reading.unit_work import unit_work
from tests.support.deadlines import ISSUED, office_clock
from tests.support.office import CBTH, KSTTHC, TTPV, Office, make_office

DAYS = (date(2024, 3, 1), date(2024, 4, 2), date(2024, 7, 1))


@pytest.fixture(params=["sqlite", "postgresql"])
def office(request):
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url")
    office = make_office(url)
    yield office
    office.storage.engine.dispose()


def expected(office: Office, unit_id: int, as_of: date, led: bool = False, plan_id: int | None = None,
             due: tuple[date, date] | None = None) -> tuple[dict[str, int], set[int]]:
    """The counts by state and the plans, straight from `plan_tasks` and `task_units`."""
    t, tu = orm.plan_tasks.c, orm.task_units.c
    with office.storage.engine.connect() as conn:
        roles = conn.execute(select(tu.task_id, tu.role).where(tu.unit_id == unit_id)).all()
        tasks = {r.id: r for r in conn.execute(select(t.id, t.plan_id, t.status, t.due_on, t.closed_on))}
    mine = {task_id for task_id, role in roles if not led or role == "lead"}
    kept = [tasks[i] for i in mine if (plan_id is None or tasks[i].plan_id == plan_id)
            and (due is None or (tasks[i].due_on is not None and due[0] <= tasks[i].due_on <= due[1]))]
    rows = [{"state": task_state(k.status, k.due_on, k.closed_on, as_of), "n": 1} for k in kept]
    return states_counted(rows), {k.plan_id for k in kept}


def check_every_unit(office: Office) -> int:
    """Every unit's counts and plans on every day, under each filter, equal the tasks';
    return how many tasks the units hold in all."""
    held = 0
    plan_ids = [p["id"] for p in office.uow().__enter__().plans.list_with_counts()]
    for unit_id in office.units.values():
        for as_of in DAYS:
            for led, plan_id, due in [(False, None, None), (True, None, None), (False, plan_ids[0], None),
                                      (False, None, (date(2024, 3, 1), date(2024, 4, 30)))]:
                scope = TaskScope(as_of, unit_id=unit_id, lead_unit_id=unit_id if led else None, plan_id=plan_id,
                                  due_from=due and due[0], due_to=due and due[1])
                counts, plans = expected(office, unit_id, as_of, led, plan_id, due)
                with office.uow() as uow:
                    assert states_counted(uow.progress.state_counts(scope)) == counts, (unit_id, scope)
                    assert {p["id"] for p in uow.progress.plans_of(scope)} == plans, (unit_id, scope)
        held += expected(office, unit_id, DAYS[0])[0]["total"]
    return held


def write(office: Office, *statements) -> None:
    with office.storage.engine.begin() as conn:
        for statement in statements:
            conn.execute(statement)


def test_a_units_counts_follow_every_write_to_its_tasks_and_survive_folding_and_a_restart(office):
    with office_clock(ISSUED):
        first = office.plan([
            {"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV], "due": "2024-03-29"},
            {"ref": "2", "lead": [KSTTHC, CBTH], "due": "2024-06-28"},
            {"ref": "3", "lead": [CBTH], "coordinators": [KSTTHC]},
            {"ref": "4", "lead": [TTPV], "due": "2024-04-30"},
        ], issued=ISSUED)
        second = office.plan([{"ref": "1", "lead": [TTPV], "coordinators": [CBTH], "due": "2024-05-15"}],
                             issued=ISSUED)
    assert check_every_unit(office) == 9
    t, tu = orm.plan_tasks.c, orm.task_units.c
    with office.uow() as uow:
        ids = {(task.plan_id, task.ref): task.id for plan in (first, second) for task in uow.tasks.for_plan(plan)}
    one, two, three, four = (ids[(first, ref)] for ref in "1234")

    write(office, update(orm.plan_tasks).where(t.id == one).values(status="closed", closed_on=date(2024, 4, 1)))
    check_every_unit(office)  # closed late (due 29/03), but only from 01/04 on
    write(office, update(orm.plan_tasks).where(t.id == three).values(due_on=date(2024, 3, 20)),
          update(orm.plan_tasks).where(t.id == two).values(due_on=None, status="waiting_date"))
    check_every_unit(office)
    write(office, update(orm.plan_tasks).where(t.id == four).values(plan_id=second))
    check_every_unit(office)
    # KSTTHC coordinates 3 already; it now leads it too (counted once, as leading), CBTH coordinates 1.
    write(office, insert(orm.task_units).values(task_id=three, unit_id=office.units[KSTTHC], role="lead", position=1),
          insert(orm.task_units).values(task_id=one, unit_id=office.units[CBTH], role="coordinator", position=1))
    check_every_unit(office)
    write(office, update(orm.task_units).where(tu.task_id == one, tu.unit_id == office.units[TTPV])
          .values(role="lead"))  # a role changed
    check_every_unit(office)
    write(office, update(orm.task_units).where(tu.task_id == one, tu.unit_id == office.units[CBTH])
          .values(unit_id=office.units[KSTTHC]))  # a row moved to a unit the task already has
    check_every_unit(office)
    write(office, delete(orm.task_units).where(tu.task_id == three, tu.unit_id == office.units[KSTTHC],
                                               tu.role == "lead"))
    check_every_unit(office)

    task = {k: v for k, v in office.storage.engine.connect().execute(
        select(orm.plan_tasks).where(t.id == four)).one()._mapping.items() if k != "id"}
    with office.storage.engine.begin() as conn:  # a task with no instance yet, then deleted with its units
        spare = conn.execute(insert(orm.plan_tasks).values(**task).returning(t.id)).scalar_one()
        conn.execute(insert(orm.task_units).values(task_id=spare, unit_id=office.units[CBTH], role="lead", position=0))
    check_every_unit(office)
    write(office, delete(orm.plan_tasks).where(t.id == spare))
    check_every_unit(office)

    assert office.storage.compact_inbox_counts() > 0
    check_every_unit(office)
    fresh = Office(Storage(office.storage.url), office.units, office.users)
    try:
        assert check_every_unit(fresh) == 9
    finally:
        fresh.storage.engine.dispose()


def test_the_unit_page_shows_the_counted_states_and_plans(office):
    with office_clock(ISSUED):
        plan = office.plan([{"ref": str(i), "lead": [KSTTHC], "due": "2024-03-29" if i % 2 else None}
                            for i in range(1, 6)], issued=ISSUED)
    view = unit_work(office.uow(), office.users["truong.kstthc"], date(2024, 4, 1))
    assert view.counts["overdue"] == 3 and view.counts["waiting_date"] == 2 and view.counts["total"] == 5
    assert [p for p, _ in view.plan_choices] == [plan] and view.listed == 5 == len(view.tasks)
