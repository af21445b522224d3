"""The unit page's counts by state and its plans come from `unit_task_counts`, and its
list of tasks from `unit_tasks`, both kept by triggers (migrations 0021, 0022); they must
be what the tasks and their units say after any write to either table: a plan imported,
a task closed, its date set or moved, moved to another plan, a unit added (one that
already leads it too), a role or unit changed, a unit removed, a task deleted; folded by
the scheduler; read by a fresh Storage. On SQLite and PostgreSQL, on several days (a
task's state depends on the day). The list, paged, must be every task sorted most urgent
first, under every filter and state."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import delete, insert, literal, select, text, update

from adapters.storage import Storage, orm
from engine.reading.progress import OVERDUE, STATES, TaskScope, TaskSlice, states_counted, task_state
from engine.reading.unit_work import unit_work
from tests.support.deadlines import ISSUED, office_clock
from tests.support.office import CBTH, KSTTHC, TTPV, Office, make_office, staffed
from tests.support.progress_plan import close_task
from tests.support.raw_writes import set_task, write
from tests.support.schema import defined, office_at, stored

DAYS = (date(2024, 3, 1), date(2024, 4, 2), date(2024, 7, 1))


@pytest.fixture(params=["sqlite", "postgresql"])
def office(request):
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url")
    office = make_office(url)
    yield office
    office.storage.engine.dispose()


def expected(office: Office, unit_id: int, as_of: date, led: bool = False, plan_id: int | None = None,
             due: tuple[date, date] | None = None) -> tuple[dict[str, int], set[int], list[Any]]:
    """The counts by state, the plans and the tasks most urgent first (each with its
    `state`), straight from `plan_tasks` and `task_units`, sorted here."""
    t, tu = orm.plan_tasks.c, orm.task_units.c
    with office.storage.engine.connect() as conn:
        roles = conn.execute(select(tu.task_id, tu.role).where(tu.unit_id == unit_id)).all()
        tasks = {r.id: r for r in conn.execute(select(t.id, t.plan_id, t.position, t.status, t.due_on, t.closed_on))}
    mine = {task_id for task_id, role in roles if not led or role == "lead"}
    kept = [tasks[i] for i in mine if (plan_id is None or tasks[i].plan_id == plan_id)
            and (due is None or (tasks[i].due_on is not None and due[0] <= tasks[i].due_on <= due[1]))]
    rows = [{"id": k.id, "state": task_state(k.status, k.due_on, k.closed_on, as_of), "n": 1} for k in kept]
    key = {k.id: (0 if row["state"] == OVERDUE else 1, k.closed_on is not None, k.due_on is None,
                  k.due_on or date.min, k.plan_id, k.position, k.id) for k, row in zip(kept, rows)}
    return states_counted(rows), {k.plan_id for k in kept}, sorted(rows, key=lambda r: key[r["id"]])


def paged(office: Office, scope: TaskScope, state: str | None, size: int, pages: int) -> list[int]:
    """The ids of the list's first `pages` pages of `size` (one statement a page, as the unit page reads it)."""
    with office.uow() as uow:
        return [row[0] for page in range(pages)
                for row in uow.progress.task_slices(scope, [TaskSlice(state, "urgency", page * size, size)])[0]]


def check_every_unit(office: Office, size: int = 2) -> int:
    """Every unit's counts, plans and list (paged by `size`, in each state) on every day,
    under each filter, equal the tasks'; return how many tasks the units hold in all."""
    held = 0
    plan_ids = [p["id"] for p in office.uow().__enter__().plans.list_with_counts()]
    for unit_id in office.units.values():
        for as_of in DAYS:
            for led, plan_id, due in [(False, None, None), (True, None, None), (False, plan_ids[0], None),
                                      (False, None, (date(2024, 3, 1), date(2024, 4, 30)))]:
                scope = TaskScope(as_of, unit_id=unit_id, lead_unit_id=unit_id if led else None, plan_id=plan_id,
                                  due_from=due and due[0], due_to=due and due[1])
                counts, plans, listed = expected(office, unit_id, as_of, led, plan_id, due)
                with office.uow() as uow:
                    counted, holding = uow.progress.counts_and_plans(scope, scope)
                    assert states_counted(counted) == counts, (unit_id, scope)
                    assert {p["id"] for p in holding} == plans, (unit_id, scope)
                for state in (None, *STATES) if listed else ():  # (most units hold none)
                    want = [r["id"] for r in listed if state in (None, r["state"])]
                    assert paged(office, scope, state, size, len(want) // size + 2) == want, (unit_id, scope, state)
        held += expected(office, unit_id, DAYS[0])[0]["total"]
    return held


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

    set_task(office, one, status="closed", closed_on=date(2024, 4, 1))
    check_every_unit(office)  # closed late (due 29/03), but only from 01/04 on
    write(office, update(orm.plan_tasks).where(t.id == three).values(due_on=date(2024, 3, 20)),
          update(orm.plan_tasks).where(t.id == two).values(due_on=None, status="waiting_date"))
    check_every_unit(office)
    set_task(office, four, plan_id=second)
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


def test_the_unit_list_pages_every_kind_of_task_in_order(office):
    """Tasks in each of the list's groups and parts (overdue, closed after the day while
    late, a closing date on an open task, a closed task without one, waiting with and
    without a date, done on time and late, due after the day, undated), for two units,
    paged by 3: page after page is every task sorted, in each state and under each filter."""
    day = DAYS[1]
    with office_clock(ISSUED):
        plan = office.plan([{"ref": str(i), "lead": [KSTTHC] if i % 3 else [CBTH], "coordinators": [TTPV]}
                            for i in range(1, 34)], issued=ISSUED)
    with office.uow() as uow:
        ids = [task.id for task in uow.tasks.for_plan(plan)]
    t = orm.plan_tasks.c
    kinds = [  # (status, due_on, closed_on), relative to the day
        ("open", -5, None), ("open", -40, None), ("open", 3, None), ("open", None, None),
        ("waiting_date", None, None), ("waiting_date", 2, None), ("closed", -9, -12), ("closed", -20, -3),
        ("closed", -3, 4), ("closed", 6, 8), ("closed", None, -1), ("closed", None, 5), ("open", -2, -1),
        ("waiting_date", 1, 2), ("closed", -4, None), ("open", 0, None),
    ]

    def on(days: int | None) -> date | None:
        return None if days is None else day + timedelta(days=days)
    write(office, *(update(orm.plan_tasks).where(t.id == task_id).values(status=status, due_on=on(due),
                                                                          closed_on=on(closed))
                    for task_id, (status, due, closed) in zip(ids, kinds * 3)))
    assert check_every_unit(office, size=3) == 33 * 2
    write(office, update(orm.plan_tasks).where(t.id.in_(ids[::4])).values(status="closed", closed_on=day))
    check_every_unit(office, size=3)
    fresh = Office(Storage(office.storage.url), office.units, office.users)
    try:
        check_every_unit(fresh, size=3)
        view = unit_work(fresh.uow(), fresh.users["truong.kstthc"], day)
        want = [r["id"] for r in expected(fresh, fresh.units[KSTTHC], day)[2]]
        assert [task.id for task in view.tasks] == want and len(want) == 22
    finally:
        fresh.storage.engine.dispose()


def test_an_office_upgraded_from_before_the_unit_list_has_it(request):
    """A database with plans made before migration 0022 (a task closed, one coordinated
    and led by the same unit): the upgrade fills `unit_tasks` from its tasks, and the
    changes after it are kept."""
    with office_at(request.getfixturevalue("sqlite_url"), "0021_unit_task_counts") as (storage, office):
        with office_clock(ISSUED):
            plan = office.plan([{"ref": str(i), "lead": [KSTTHC], "coordinators": [TTPV, KSTTHC] if i == 2 else [TTPV],
                                 "due": "2024-03-29" if i % 2 else None} for i in range(1, 8)], issued=ISSUED)
        with office.uow() as uow:
            first = uow.tasks.for_plan(plan)[0].id
        set_task(office, first, status="closed", closed_on=date(2024, 3, 1))
        storage.upgrade()
        assert check_every_unit(office) == 14
        set_task(office, first, status="open", closed_on=None)
        check_every_unit(office)


def test_an_office_counted_by_the_old_trigger_is_counted_again_by_the_upgrade(postgres_fresh_url):
    """On PostgreSQL, before migration 0026, a unit that leads and coordinates a task
    imported in one INSERT lost it from its counts; the upgrade counts every unit again,
    and the changes after it are kept."""
    with office_at(postgres_fresh_url, "0025_state_lz4") as (storage, office):
        plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [CBTH, KSTTHC], "due": "2024-03-29"},
                               {"ref": "2", "lead": [TTPV], "coordinators": [KSTTHC, TTPV]}])
        # As the write path sent them then, and sends them now (one INSERT a chunk).
        units_again_in_one_insert(office, plan_id)
        with office.uow() as uow:
            scope = TaskScope(DAYS[0], unit_id=office.units[KSTTHC])
            miscounted = states_counted(uow.progress.counts_and_plans(scope, scope)[0])
        assert miscounted != expected(office, office.units[KSTTHC], DAYS[0])[0]  # what the upgrade must mend
        storage.upgrade()
        assert check_every_unit(office) == 4
        write(office, delete(orm.task_units).where(orm.task_units.c.unit_id == office.units[TTPV],
                                                   orm.task_units.c.role == "coordinator"))
        assert check_every_unit(office) == 4


def units_again_in_one_insert(office: Office, plan_id: int) -> None:
    """The plan's rows of `task_units` deleted and inserted again in one INSERT, in one
    transaction: on PostgreSQL a row trigger then runs after the whole statement, each row
    seeing the others."""
    u = orm.task_units
    with office.storage.engine.connect() as connection:
        units = [dict(row._mapping) for row in connection.execute(
            select(u.c.task_id, u.c.unit_id, u.c.role, u.c.position).join(orm.plan_tasks)
            .where(orm.plan_tasks.c.plan_id == plan_id).order_by(u.c.id))]
    write(office, delete(u).where(u.c.task_id.in_({row["task_id"] for row in units})), insert(u).values(units))


def test_a_unit_that_leads_and_coordinates_a_task_counts_it_once_however_its_rows_came(office):
    """A plan states a unit as both lead and coordinator of a task: its two rows of
    `task_units` come with the plan's others in one INSERT (on PostgreSQL counted by a
    trigger run for the statement, 0031), or again all in one INSERT of their own: the
    unit still counts the task once, as
    leading; and again after one of the rows goes and after a fresh Storage."""
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [CBTH, KSTTHC], "due": "2024-03-29"},
                           {"ref": "2", "lead": [TTPV], "coordinators": [KSTTHC, TTPV, CBTH]},
                           {"ref": "3", "lead": [KSTTHC], "due": "2024-02-20"}])
    assert check_every_unit(office) == 6
    units_again_in_one_insert(office, plan_id)
    assert check_every_unit(office) == 6
    tu = orm.task_units.c
    write(office, delete(orm.task_units).where(tu.unit_id == office.units[KSTTHC], tu.role == "coordinator"))
    assert check_every_unit(office) == 5
    office.storage.compact_inbox_counts()
    assert check_every_unit(staffed(Storage(office.storage.url), load=False)) == 5


def _trigger_work(office: Office, task_id: int, unit_id: int) -> int:
    """SQLite's virtual-machine steps to add a unit to a task and run its triggers (the
    counts and the list); rolled back."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0
    with office.storage.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        raw.set_progress_handler(count, 1)
        try:
            connection.execute(insert(orm.task_units).values(task_id=task_id, unit_id=unit_id, role="coordinator",
                                                             position=9))
        finally:
            raw.set_progress_handler(None, 1)
            connection.rollback()
    return steps


def test_a_units_row_is_counted_and_listed_without_reading_the_units_other_tasks(sqlite_url):
    """Starting a task writes its units, and their triggers look up the task's rows of
    each unit: that must read the task's rows, not every task of the unit, or a start
    costs more the more tasks its units have (SQLite without statistics chose the index
    on the unit for it before 0027)."""
    office = make_office(sqlite_url)
    try:
        plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
        with office.storage.engine.connect() as conn:
            task_id = conn.execute(select(orm.plan_tasks.c.id).where(orm.plan_tasks.c.plan_id == plan_id)).scalar_one()
        unit = office.units[TTPV]
        office.plan([{"ref": str(n), "lead": [TTPV], "due": "2024-03-29"} for n in range(5)])
        few = _trigger_work(office, task_id, unit)
        office.plan([{"ref": str(n), "lead": [TTPV], "due": "2024-03-29"} for n in range(300)])
        many = _trigger_work(office, task_id, unit)
        assert many - few < 100, (few, many)
    finally:
        office.storage.engine.dispose()


def test_a_unit_added_after_a_chunk_reads_no_table_whole_on_postgresql(postgres_fresh_url):
    """On PostgreSQL a new row of `task_units` is counted by a trigger run for its
    statement (0031). A connection that has just written a chunk's units must then add a
    single unit to a task by looking its rows up, not by reading `task_units`,
    `unit_tasks` and `plan_tasks` whole as the plan made for the chunk did (0032): else
    each unit added costs more the larger the office."""
    office = make_office(postgres_fresh_url)
    try:
        plan_id = office.plan([{"ref": str(n), "lead": [KSTTHC], "due": "2024-03-29"} for n in range(1, 1501)])
        tu = orm.task_units.c
        with office.storage.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))  # as autovacuum leaves a running office: sizes known
        with office.storage.engine.connect() as conn:
            task_ids = conn.execute(select(orm.plan_tasks.c.id).where(orm.plan_tasks.c.plan_id == plan_id)
                                    .order_by(orm.plan_tasks.c.id)).scalars().all()
            chunk = select(orm.plan_tasks.c.id, literal(office.units[CBTH]), literal("coordinate"), literal(1)) \
                .where(orm.plan_tasks.c.id.in_(task_ids[:-1]))
            conn.execute(insert(orm.task_units).from_select(["task_id", "unit_id", "role", "position"], chunk))
            conn.commit()
            before = _tables_read_whole(conn)
            conn.execute(insert(orm.task_units).values(task_id=task_ids[-1], unit_id=office.units[CBTH],
                                                       role="coordinate", position=1))
            read_whole = {name: n - before[name] for name, n in _tables_read_whole(conn).items()}
            conn.commit()
            units = conn.execute(select(tu.unit_id).where(tu.task_id == task_ids[-1])).scalars().all()
        assert sorted(units) == sorted([office.units[KSTTHC], office.units[CBTH]])
        assert read_whole == {"task_units": 0, "unit_tasks": 0, "plan_tasks": 0}
    finally:
        office.storage.engine.dispose()


def _tables_read_whole(conn) -> dict[str, int]:
    """The sequential scans of the tables a unit's trigger joins, as this connection has
    counted them and not yet reported (PostgreSQL's pending counts span transactions)."""
    return dict(conn.execute(text("SELECT relname, seq_scan FROM pg_stat_xact_user_tables "
                                  "WHERE relname IN ('task_units', 'unit_tasks', 'plan_tasks')")).all())


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_counts_stay_a_recount_through_a_chunked_start_a_step_and_a_closing_after_the_upgrade(request, database):
    """An office counted by the triggers of before migration 0031 (on PostgreSQL a row
    at a time, since a trigger a statement), upgraded: a plan started in chunks (its units
    one INSERT a chunk, a unit leading and coordinating a task), a step and a closing
    leave every unit's counts and list what its tasks say."""
    url = request.getfixturevalue("sqlite_url" if database == "sqlite" else "postgres_fresh_url")
    with office_at(url, "0030_plan_tasks_due_covering") as (storage, office):
        office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV, KSTTHC], "due": "2024-03-29"}])
        storage.upgrade()
        assert check_every_unit(office) == 2
        plan_id = office.plan_in_chunks(
            [{"ref": str(n), "lead": [KSTTHC] if n % 2 else [TTPV, KSTTHC],
              "coordinators": [KSTTHC, CBTH] if n % 3 == 0 else [], "due": "2024-03-29" if n % 4 else None}
             for n in range(1, 8)], chunk=3)
        assert check_every_unit(office) == 14
        with office.uow() as uow:
            task_id = uow.tasks.for_plan(plan_id)[0].id
        close_task(office, plan_id, task_id, "Đã hoàn thành")  # a step, each one, then the closing
        assert check_every_unit(office) == 14
        office.storage.compact_inbox_counts()
        assert check_every_unit(office) == 14


def test_the_unit_page_offers_the_plans_holding_a_task_of_the_unit_as_its_tasks_come_and_go(office):
    """The plans to choose from are those whose groups of the unit sum to a task or more:
    a plan whose only task of the unit moved to another unit is no longer offered,
    though its groups still hold a row of +1 and one of -1 until folded (a plan asking
    only whether a group row of the unit is positive would still be offered); nor to a
    unit leading nothing of it; coordinating is enough."""
    with office_clock(ISSUED):
        first = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"},
                             {"ref": "2", "lead": [TTPV], "coordinators": [KSTTHC], "due": "2024-05-02"}],
                            issued=ISSUED)
        second = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-04-30"}], issued=ISSUED)
        third = office.plan([{"ref": "1", "lead": [CBTH]}], issued=ISSUED)
    head, ttpv = office.users["truong.kstthc"], office.users["giamdoc.ttpv"]

    def offered(user_id: int) -> list[int]:
        return [plan_id for plan_id, _ in unit_work(office.uow(), user_id, DAYS[1]).plan_choices]

    assert sorted(offered(head)) == sorted([first, second]) and offered(ttpv) == [first]
    tu = orm.task_units.c
    with office.uow() as uow:
        [moved] = [task.id for task in uow.tasks.for_plan(second)]
    write(office, update(orm.task_units).where(tu.task_id == moved).values(unit_id=office.units[TTPV]))
    with office.storage.engine.connect() as conn:  # (its rows kept, summing to none)
        assert sum(conn.execute(select(orm.unit_task_counts.c.n).where(
            orm.unit_task_counts.c.unit_id == office.units[KSTTHC],
            orm.unit_task_counts.c.plan_id == second)).scalars()) == 0
    assert offered(head) == [first] and sorted(offered(ttpv)) == sorted([first, second])
    assert third not in offered(head) + offered(ttpv)
    check_every_unit(office)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_an_office_before_0042_upgrades_to_the_covering_indexes_and_back_with_the_same_pages(request, database):
    """An office counted under migration 0041's indexes of `unit_task_counts` (a unit
    leading and coordinating a task, a task moved to another unit, one closed): the
    upgrade gives exactly the indexes `orm.py` defines (each holding every column its
    reads take), every unit's counts, plans and list stay what its tasks say, and it goes
    down to the old indexes and up again with the same."""
    url = request.getfixturevalue("sqlite_url" if database == "sqlite" else "postgres_fresh_url")
    with office_at(url, "0041_inbox_counts_one_statement") as (storage, office):
        with office_clock(ISSUED):
            plan_id = office.plan([{"ref": str(n), "lead": [KSTTHC] if n % 2 else [TTPV, KSTTHC],
                                    "coordinators": [KSTTHC, CBTH] if n % 3 == 0 else [],
                                    "due": f"2024-0{3 + n % 3}-29" if n % 4 else None} for n in range(1, 8)],
                                  issued=ISSUED)
            other = office.plan([{"ref": "1", "lead": [CBTH], "coordinators": [KSTTHC], "due": "2024-04-30"}],
                                issued=ISSUED)
        with office.uow() as uow:
            first, second = [task.id for task in uow.tasks.for_plan(plan_id)][:2]
            [moved] = [task.id for task in uow.tasks.for_plan(other)]
        write(office, update(orm.task_units).where(orm.task_units.c.task_id == moved,
                                                   orm.task_units.c.unit_id == office.units[KSTTHC])
              .values(unit_id=office.units[TTPV]),
              update(orm.plan_tasks).where(orm.plan_tasks.c.id == first)
              .values(status="closed", closed_on=date(2024, 4, 1)))
        old = stored(storage, "unit_task_counts")
        assert set(old) == {"ix_unit_task_counts_unit", "ix_unit_task_counts_plan"} and old != defined(
            storage, "unit_task_counts")
        held = check_every_unit(office)
        storage.upgrade()
        assert stored(storage, "unit_task_counts") == defined(storage, "unit_task_counts")
        assert check_every_unit(office) == held
        command.downgrade(storage.alembic_config(), "0041_inbox_counts_one_statement")
        assert stored(storage, "unit_task_counts") == old
        set_task(office, second, due_on=date(2024, 3, 1))
        assert check_every_unit(office) == held
        storage.upgrade()
        assert stored(storage, "unit_task_counts") == defined(storage, "unit_task_counts")
        assert check_every_unit(office) == held
