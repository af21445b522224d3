"""The page of the most overdue tasks (`page_statements._most_overdue`: open tasks read
in the order of `ix_plan_tasks_open_due`, migration 0038, and those with a closing date
apart), on SQLite and PostgreSQL: paged, under each filter, on several days and beside
the plan-order page the dashboard reads with it, it is every overdue task sorted most
urgent first, as `task_state` decides the state; the dashboard shows the same; an
office built before 0038 upgrades to the index `orm.py` defines, and back."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from alembic import command
from sqlalchemy import select, update

from adapters.storage import orm
from engine.reading.progress import OVERDUE, TaskScope, TaskSlice, plan_dashboard, task_state
from tests.support.deadlines import ISSUED, office_clock
from tests.support.office import CBTH, KSTTHC, TTPV, make_office
from tests.support.schema import defined, office_at, stored

DAY = date(2024, 4, 2)
DAYS = (date(2024, 3, 1), DAY, date(2024, 7, 1))
BEFORE = "0037_task_people_lists"
# (status, due_on, closed_on) in days from DAY: overdue, overdue on one date, closed
# after the day while late, a closing date on an open task, closed without a closing
# date, waiting with and without a date, done on time and late, due after the day.
KINDS = [("open", -5, None), ("open", -40, None), ("open", -5, None), ("open", 3, None), ("open", None, None),
         ("waiting_date", None, None), ("waiting_date", -2, None), ("closed", -9, -12), ("closed", -20, -3),
         ("closed", -3, 4), ("closed", -30, 8), ("open", -2, -1), ("open", -6, 9), ("closed", -4, None),
         ("open", 0, None), ("open", -5, None)]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url")


def on(days: int | None) -> date | None:
    return None if days is None else DAY + timedelta(days=days)


def every_kind(office) -> int:
    """A plan of each kind of task three times (positions shuffled against the ids), led
    by two units in turn; and a second plan of the same kinds: its id."""
    with office_clock(ISSUED):
        plans = [office.plan([{"ref": str(i), "lead": [KSTTHC] if i % 3 else [CBTH], "coordinators": [TTPV]}
                              for i in range(1, 3 * len(KINDS) + 1)], issued=ISSUED) for _ in range(2)]
    t = orm.plan_tasks.c
    with office.storage.engine.begin() as conn:
        ids = list(conn.execute(select(t.id).where(t.plan_id.in_(plans)).order_by(t.id)).scalars())
        for n, (task_id, (status, due, closed)) in enumerate(zip(ids, KINDS * 6)):
            conn.execute(update(orm.plan_tasks).where(t.id == task_id).values(
                status=status, due_on=on(due), closed_on=on(closed), position=(7 * n) % len(ids)))
    return plans[0]


def most_overdue(office, as_of: date, plan_id: int | None, due: tuple[date, date] | None = None,
                 lead: int | None = None) -> list[int]:
    """The overdue tasks of the plan (every plan's if None), most urgent first, sorted here."""
    t, tu = orm.plan_tasks.c, orm.task_units.c
    with office.storage.engine.connect() as conn:
        tasks = conn.execute(select(t.id, t.plan_id, t.position, t.status, t.due_on, t.closed_on)).all()
        led = set(conn.execute(select(tu.task_id).where(tu.unit_id == lead, tu.role == "lead")).scalars())
    kept = [k for k in tasks if task_state(k.status, k.due_on, k.closed_on, as_of) == OVERDUE
            and plan_id in (None, k.plan_id) and (lead is None or k.id in led)
            and (due is None or due[0] <= k.due_on <= due[1])]
    return [k.id for k in sorted(kept, key=lambda k: (k.closed_on is not None, k.due_on, k.plan_id, k.position, k.id))]


def paged(office, scope: TaskScope, size: int, pages: int) -> list[int]:
    """The overdue pages of `size`, each read beside a plan-order page, as the dashboard reads them."""
    found = []
    with office.uow() as uow:
        for page in range(pages):
            _, overdue = uow.progress.task_slices(scope, [TaskSlice(None, "position", 0, 5),
                                                          TaskSlice(OVERDUE, "urgency", page * size, size)])
            found += [row[0] for row in overdue]
    return found


def test_the_most_overdue_are_every_overdue_task_most_urgent_first(url):
    office = make_office(url)
    try:
        plan_id = every_kind(office)
        for as_of in DAYS:
            for plan, due, lead in [(plan_id, None, None), (None, None, None), (plan_id, (on(-30), on(-4)), None),
                                    (plan_id, None, office.units[KSTTHC])]:
                want = most_overdue(office, as_of, plan, due, lead)
                scope = TaskScope(as_of, plan_id=plan, due_from=due and due[0], due_to=due and due[1], lead_unit_id=lead)
                for size in (2, 5):
                    assert paged(office, scope, size, len(want) // size + 2) == want, (as_of, plan, due, lead, size)
            view = plan_dashboard(office.uow(), plan_id, as_of)
            assert [task.id for task in view.overdue] == most_overdue(office, as_of, plan_id)[:20]
        t = orm.plan_tasks.c
        with office.storage.engine.connect() as conn:
            closing = {task_id: closed for task_id, closed in conn.execute(select(t.id, t.closed_on))}
        late = most_overdue(office, DAY, plan_id)
        assert sum(closing[i] is None for i in late) == 15 and sum(closing[i] is not None for i in late) == 12, \
            "open tasks overdue, and tasks with a closing date after the day or while open"
    finally:
        office.storage.engine.dispose()


def first_page(office, plan_id: int) -> list[int]:
    """The dashboard's page of the most overdue tasks, its statement alone (the dashboard's
    counts read a table of a later migration than the office may be at, 0048)."""
    return paged(office, TaskScope(DAY, plan_id=plan_id), 20, 1)


def test_an_office_before_0038_upgrades_to_the_index_and_back(url):
    with office_at(url, BEFORE) as (storage, office):
        plan_id = every_kind(office)
        want = most_overdue(office, DAY, plan_id)[:20]
        assert "ix_plan_tasks_open_due" not in stored(storage, "plan_tasks")
        assert first_page(office, plan_id) == want
        storage.upgrade()
        index = defined(storage, "plan_tasks")["ix_plan_tasks_open_due"]
        assert stored(storage, "plan_tasks")["ix_plan_tasks_open_due"] == index
        assert first_page(office, plan_id) == want
        command.downgrade(storage.alembic_config(), BEFORE)
        assert "ix_plan_tasks_open_due" not in stored(storage, "plan_tasks")
        storage.upgrade()
        assert stored(storage, "plan_tasks")["ix_plan_tasks_open_due"] == index
        assert first_page(office, plan_id) == want
