"""A plan's dashboard counts its tasks by state and by the months of their dates, the
plan page how many tasks its plan has, and the leader's overview every plan's, from
`plan_task_counts`, kept by triggers on `plan_tasks` (migration 0048); they must be what
the plan's tasks say after any write to them: a plan started whole or in chunks, a task
closed, its date set or moved, moved to another plan, updated without a change of its
group, inserted, deleted; folded by the scheduler; read by a fresh Storage; an office
with plans from before 0048 counted by its upgrade. On SQLite and PostgreSQL, on several
days (a task's state depends on the day), whole and narrowed by due dates."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from alembic import command
from sqlalchemy import delete, func, insert, inspect, select, update

from adapters.storage import Storage, orm
from engine.reading.plan_pages import plan_overview
from engine.reading.progress import TaskScope, TaskSlice, task_state
from tests.support.deadlines import ISSUED, office_clock
from tests.support.office import CBTH, KSTTHC, TTPV, Office, make_office
from tests.support.progress_plan import close_task
from tests.support.raw_writes import set_task, write
from tests.support.schema import office_at

DAYS = (date(2024, 3, 1), date(2024, 4, 2), date(2024, 7, 1))
DUE = (date(2024, 3, 1), date(2024, 4, 30))


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url")


def month(day: date | None) -> str | None:
    return None if day is None else f"{day.year:04d}-{day.month:02d}"


def expected(office: Office, plan_id: int, as_of: date, due: tuple[date, date] | None) -> Counter:
    """The plan's tasks by (state, month due, month closed), straight from `plan_tasks`."""
    t = orm.plan_tasks.c
    with office.storage.engine.connect() as conn:
        tasks = conn.execute(select(t.status, t.due_on, t.closed_on).where(t.plan_id == plan_id)).all()
    return Counter((task_state(status, due_on, closed_on, as_of), month(due_on), month(closed_on))
                   for status, due_on, closed_on in tasks
                   if due is None or (due_on is not None and due[0] <= due_on <= due[1]))


def overview_expected(office: Office, as_of: date) -> dict[int, dict[str, int]]:
    """The overview's counts of each plan holding a task, straight from `plan_tasks`."""
    t = orm.plan_tasks.c
    found: dict[int, Counter] = {}
    with office.storage.engine.connect() as conn:
        for plan_id, status, due_on in conn.execute(select(t.plan_id, t.status, t.due_on)):
            found.setdefault(plan_id, Counter()).update(
                total=1, closed=status == "closed", waiting=status == "waiting_date",
                overdue=status == "open" and due_on is not None and due_on < as_of)
    return {plan_id: {k: counts[k] for k in ("total", "closed", "overdue", "waiting")}
            for plan_id, counts in found.items()}


def overdue_units_expected(office: Office, as_of: date) -> list[tuple[int, int]]:
    """The overview's lead units with overdue tasks (open and past due), the most first,
    then by name, straight from `plan_tasks`, `task_units` and `units`."""
    t, tu, u = orm.plan_tasks.c, orm.task_units.c, orm.units.c
    with office.storage.engine.connect() as conn:
        led = conn.execute(select(tu.unit_id, u.name).join(orm.plan_tasks, t.id == tu.task_id)
                           .join(orm.units, u.id == tu.unit_id)
                           .where(tu.role == "lead", t.status == "open", t.due_on < as_of)).all()
    names = dict(led)
    counts = Counter(unit_id for unit_id, _ in led)
    return sorted(counts.items(), key=lambda item: (-item[1], names[item[0]]))


def check_every_plan(office: Office) -> int:
    """Every plan's dashboard counts (its dates' part, and so its states) on every day,
    whole and narrowed by due dates, and the overview's counts of every plan, equal its
    tasks'; return how many tasks the plans hold."""
    with office.storage.engine.connect() as conn:
        plan_ids = conn.execute(select(orm.plans.c.id)).scalars().all()
    for as_of in DAYS:
        with office.uow() as uow:
            shown = {r["id"]: {k: r[k] for k in ("total", "closed", "overdue", "waiting")}
                     for r in uow.progress.plan_counts(as_of)}
            units = [(r["unit_id"], r["overdue"]) for r in uow.progress.overdue_by_lead_unit(as_of, 10)]
        assert shown == overview_expected(office, as_of), as_of
        assert units == overdue_units_expected(office, as_of), as_of
    held = 0
    for plan_id in plan_ids:
        for as_of in DAYS:
            for due in (None, DUE):
                scope = TaskScope(as_of, plan_id=plan_id, due_from=due and due[0], due_to=due and due[1])
                with office.uow() as uow:
                    found = uow.progress.dashboard_counts(scope, scope)
                dates = Counter({(r["state"], r["due_month"], r["closed_month"]): r["n"] for r in found["dates"]})
                want = expected(office, plan_id, as_of, due)
                assert len(found["dates"]) == len(dates) and all(r["n"] > 0 for r in found["dates"]), found["dates"]
                assert dates == want, (plan_id, as_of, due)
                states = Counter()
                for (state, _, _), n in want.items():
                    states[state] += n
                assert {r["state"]: r["n"] for r in found["states"]} == dict(states), (plan_id, as_of, due)
                with office.uow() as uow:
                    counted = uow.progress.counted_slices(scope, [TaskSlice(None, "position", 0, 2)])[0]
                    past_the_end = uow.progress.counted_slices(scope, [TaskSlice(None, "position", 1000, 2)])[0]
                assert counted == past_the_end == sum(want.values()), (plan_id, as_of, due)
            listed = plan_overview(office.uow(), plan_id, as_of, office.users["theodoi"]).listed
            assert listed == sum(expected(office, plan_id, as_of, None).values()), (plan_id, as_of)
        held += sum(expected(office, plan_id, DAYS[0], None).values())
    return held


def rows_of(office: Office) -> int:
    with office.storage.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(orm.plan_task_counts))


def test_a_plans_counts_follow_every_write_to_its_tasks_and_survive_folding_and_a_restart(url):
    office = make_office(url)
    try:
        with office_clock(ISSUED):
            first = office.plan([
                {"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV], "due": "2024-03-29"},
                {"ref": "2", "lead": [KSTTHC, CBTH], "due": "2024-06-28"},
                {"ref": "3", "lead": [CBTH], "coordinators": [KSTTHC]},
                {"ref": "4", "lead": [TTPV], "due": "2024-04-30"},
                {"ref": "5", "lead": [KSTTHC], "due": "2024-03-29"},
            ], issued=ISSUED)
            second = office.plan_in_chunks([{"ref": str(n), "lead": [TTPV], "due": "2024-05-15" if n % 2 else None}
                                            for n in range(1, 8)], chunk=3, issued=ISSUED)
        assert check_every_plan(office) == 12
        t = orm.plan_tasks.c
        with office.uow() as uow:
            ids = {(task.plan_id, task.ref): task.id for plan in (first, second) for task in uow.tasks.for_plan(plan)}
        one, two, three, four, five = (ids[(first, ref)] for ref in "12345")

        close_task(office, first, five, "Đã hoàn thành")  # its steps, then the closing, as the office does
        check_every_plan(office)
        set_task(office, one, status="closed", closed_on=date(2024, 4, 1))
        check_every_plan(office)  # closed late (due 29/03), but only from 01/04 on
        write(office, update(orm.plan_tasks).where(t.id == three).values(due_on=date(2024, 3, 20)),
              update(orm.plan_tasks).where(t.id == two).values(due_on=None, status="waiting_date"))
        check_every_plan(office)
        set_task(office, four, plan_id=second)
        check_every_plan(office)
        before = rows_of(office)
        write(office, update(orm.plan_tasks).where(t.id.in_([one, two, three]))
              .values(status=t.status, due_on=t.due_on, closed_on=t.closed_on, title="Tên mới"))
        assert rows_of(office) == before  # no group changed: no row added

        task = {k: v for k, v in office.storage.engine.connect().execute(
            select(orm.plan_tasks).where(t.id == four)).one()._mapping.items() if k != "id"}
        with office.storage.engine.begin() as conn:  # a task with no instance yet, then deleted
            spare = conn.execute(insert(orm.plan_tasks).values(**task).returning(t.id)).scalar_one()
        check_every_plan(office)
        write(office, delete(orm.plan_tasks).where(t.id == spare))
        assert check_every_plan(office) == 12

        assert office.storage.compact_inbox_counts() > 0
        check_every_plan(office)
        fresh = Office(Storage(office.storage.url), office.units, office.users)
        try:
            assert check_every_plan(fresh) == 12
        finally:
            fresh.storage.engine.dispose()
    finally:
        office.storage.engine.dispose()


def test_an_office_upgraded_from_before_the_plan_counts_has_them(url):
    """A database with plans made before migration 0048 (a task closed): the upgrade
    counts its tasks, and the changes after it are kept; down to 0047 (no table, no
    trigger: a task's change writes nothing more) and up again, counted again."""
    with office_at(url, "0047_inbox_counts_by_due_date") as (storage, office):
        with office_clock(ISSUED):
            plan = office.plan([{"ref": str(i), "lead": [KSTTHC], "due": "2024-03-29" if i % 2 else None}
                                for i in range(1, 8)], issued=ISSUED)
        with office.uow() as uow:
            first = uow.tasks.for_plan(plan)[0].id
        set_task(office, first, status="closed", closed_on=date(2024, 3, 1))
        storage.upgrade()
        assert check_every_plan(office) == 7
        set_task(office, first, status="open", closed_on=None)
        check_every_plan(office)
        command.downgrade(storage.alembic_config(), "0047_inbox_counts_by_due_date")
        set_task(office, first, status="closed", closed_on=date(2024, 4, 10))
        assert not inspect(storage.engine).has_table("plan_task_counts")
        storage.upgrade()
        assert check_every_plan(office) == 7
