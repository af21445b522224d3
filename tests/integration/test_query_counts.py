"""The number of SQL statements a step or a timer costs does not grow with the work:
starting a plan of 40 tasks sends as many as one of 10,
completing a step of a 40-task plan sends as many as one of a 4-task plan, a sweep
batch of 4N due instances as many as one of N, a sweep with nothing due one read, and
an inbox holding ten times the rows as many as a small one; a write that records notices
names their steps from the work items its save held, reading none again, and a step
tells them from the people read with it. On SQLite and
PostgreSQL, each write in a fresh Storage (a new engine, an empty spec cache: a restarted
server).
(Counted, never timed.)"""
from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from datetime import date
from typing import Iterator

import pytest
from sqlalchemy import func, select

from adapters.storage import Storage, orm
from engine.deadlines import sweep, task_dates
from engine.tasks import inbox, steps
from tests.support.office import CBTH, KSTTHC, TTPV, clock_on, make_office
from tests.support.statements import sent_statements

DAY = date(2024, 2, 1)
ALL_DUE = date(2024, 4, 30)  # past every rung of a task due on 2024-03-29


@contextmanager
def restarted(url: str) -> Iterator[Storage]:
    storage = Storage(url)
    try:
        yield storage
    finally:
        storage.engine.dispose()


def tasks(count: int) -> list[dict]:
    return [{"ref": str(n), "lead": [KSTTHC], "due": "2024-03-29", "director": "chanhvp"} for n in range(count)]


def test_starting_a_plan_of_four_times_the_tasks_costs_the_same_statements(office_on_each_database) -> None:
    """Tasks, their units, instances, first steps, arrivals, audit lines and the notices
    of a plan imported after its deadlines are each written in one statement for the
    whole plan (as for each chunk of a large plan's job), whatever the tasks hold."""
    office = office_on_each_database
    office.plan(tasks(1))  # the shipped process deployed on first use: not part of what is counted
    counts, started = [], []
    for size in (10, 40):
        varied = [{"ref": str(n), "lead": [KSTTHC] if n % 3 else [TTPV], "coordinators": [CBTH] if n % 2 else [],
                   "due": "2024-03-29" if n % 4 else "2024-01-10", "director": "chanhvp" if n % 5 else None}
                  for n in range(size)]
        with restarted(office.storage.url) as storage, sent_statements(storage.engine) as statements:
            plan_id = dataclasses.replace(office, storage=storage).plan(varied, clock=clock_on(DAY))
        counts.append(len(statements))
        with office.uow() as uow:
            task_ids = [task.id for task in uow.tasks.for_plan(plan_id)]
            assert [len(task.units) for task in uow.tasks.for_plan(plan_id)] == [1 + n % 2 for n in range(size)]
            assert all(uow.instances.for_task(task_id).version == 1 for task_id in task_ids)
        with office.storage.engine.connect() as connection:
            def rows(table):
                return connection.execute(select(func.count()).select_from(table)
                                          .where(table.c.plan_task_id.in_(task_ids))).scalar_one()
            started.append((rows(orm.work_items), rows(orm.arrivals), rows(orm.notices), rows(orm.audit_events)))
        items, told, notices, audit = started[-1]
        assert len(task_ids) == items == told == size and notices > 0 and audit > size, started
    assert counts[0] == counts[1], counts


def test_completing_a_step_costs_the_same_statements_in_a_small_and_a_large_plan(office_on_each_database) -> None:
    office = office_on_each_database
    head, staff = office.users["truong.kstthc"], office.users["cv.kstthc"]
    counts = []
    for size in (4, 40):
        plan_id = office.plan(tasks(size))
        item = office.ready(plan_id)[0]
        with restarted(office.storage.url) as storage, sent_statements(storage.engine) as statements:
            steps.complete_step(storage.uow(), item.id, head, {"assignee": staff}, clock=clock_on(DAY))
        counts.append(len(statements))
        assert sorted(i.form for i in office.ready(plan_id)).count("report") == 1
    assert counts[0] == counts[1], counts


def test_an_assign_step_tells_the_assignee_from_the_people_it_read_for_the_choices(office_on_each_database) -> None:
    """The unit's people, read to check whom the head may name, are the new step's
    holders too: users are read once, and the assignee is told."""
    office = office_on_each_database
    head, staff = office.users["truong.kstthc"], office.users["cv.kstthc"]
    [item] = office.ready(office.plan(tasks(1)))
    with restarted(office.storage.url) as storage, sent_statements(storage.engine) as statements:
        steps.complete_step(storage.uow(), item.id, head, {"assignee": staff}, clock=clock_on(DAY))
    assert sum(" FROM users " in f" {' '.join(s.split())} " for s in statements) == 1, statements
    with office.storage.engine.connect() as connection:
        told = connection.execute(select(orm.arrivals.c.kind).where(orm.arrivals.c.recipient_user_id == staff)).all()
    assert [kind for kind, in told] == ["assigned"]


def test_an_assign_step_asks_the_coordinating_units_heads_from_the_people_read_with_it(
        office_on_each_database) -> None:
    """The contributions an assign step asks of the task's coordinating units wait for
    their heads, read with the step: users are read once, and each head is told."""
    office = office_on_each_database
    head, staff = office.users["truong.kstthc"], office.users["cv.kstthc"]
    [item] = office.ready(office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [CBTH, TTPV],
                                        "due": "2024-03-29", "director": "chanhvp"}]))
    with restarted(office.storage.url) as storage, sent_statements(storage.engine) as statements:
        steps.complete_step(storage.uow(), item.id, head, {"assignee": staff}, clock=clock_on(DAY))
    assert sum(" FROM users " in f" {' '.join(s.split())} " for s in statements) == 1, statements
    with office.storage.engine.connect() as connection:
        told = connection.execute(select(orm.arrivals.c.recipient_user_id)
                                  .where(orm.arrivals.c.kind == "contribute")).scalars().all()
    assert sorted(told) == sorted([office.users["giamdoc.cbth"], office.users["giamdoc.ttpv"]]), told


def test_a_step_completed_past_the_next_step_s_rungs_names_them_from_the_items_it_wrote(
        office_on_each_database) -> None:
    """The next step's rungs already past fire as the step is completed: their notices
    name the new step from the work item the save wrote, not from a read of it after."""
    office = office_on_each_database
    sent = assigned_past_every_rung(office)
    written = next(n for n, s in enumerate(sent) if "INSERT INTO work_items" in s)
    assert not [s for s in sent[written:] if s.startswith("SELECT") and " FROM work_items" in s], sent
    with office.storage.engine.connect() as connection:
        [step] = connection.execute(select(orm.work_items.c.id, orm.work_items.c.step_name)
                                    .where(orm.work_items.c.state == "ready")).all()
        told = connection.execute(select(orm.notices.c.step_name)).scalars().all()
        audited = connection.execute(select(orm.audit_events.c.work_item_id)
                                     .where(orm.audit_events.c.action.like("notice_%"))).scalars().all()
    assert told and set(told) == {step.step_name} and audited and set(audited) == {step.id}, (told, audited)


def test_a_step_completed_past_every_rung_tells_them_from_the_people_read_with_it(office_on_each_database) -> None:
    """A step completed past the next step's rungs (its holder's, the unit head's, the
    director's) tells their people from those the step's own read held: no users are
    read after it, and each rung's people are told."""
    office = office_on_each_database
    sent = assigned_past_every_rung(office)
    assert sum(" FROM users " in f" {s} " for s in sent) == 1 and " FROM users " in f" {sent[1]} ", sent
    with office.storage.engine.connect() as connection:
        told = connection.execute(select(orm.notices.c.rung, orm.notices.c.recipient_user_id)).all()
    assert {rung for rung, _ in told} == {"holder", "unit_head", "director"}, told
    assert {user for rung, user in told if rung == "director"} == {office.users["chanhvp"]}, told


def assigned_past_every_rung(office) -> list[str]:
    """The statements (blanks folded) of a task's assignment completed, after a restart,
    on a day past every rung of the step it opens."""
    head, staff = office.users["truong.kstthc"], office.users["cv.kstthc"]
    [item] = office.ready(office.plan(tasks(1)))
    with restarted(office.storage.url) as storage, sent_statements(storage.engine) as statements:
        steps.complete_step(storage.uow(), item.id, head, {"assignee": staff}, clock=clock_on(ALL_DUE))
    return [" ".join(s.split()) for s in statements]


def test_a_date_moved_into_the_past_names_its_notices_steps_from_the_items_its_save_read(
        office_on_each_database) -> None:
    """The other writers that record notices (here a date moved back past the rungs) name
    the steps from the work items their save read, without looking each one up."""
    office = office_on_each_database
    head, staff = office.users["truong.kstthc"], office.users["cv.kstthc"]
    plan_id = office.plan(tasks(1))
    [item] = office.ready(plan_id)
    steps.complete_step(office.uow(), item.id, head, {"assignee": staff}, clock=clock_on(DAY))
    [report] = office.ready(plan_id)
    with restarted(office.storage.url) as storage, sent_statements(storage.engine) as statements:
        task_dates.change_task_due(storage.uow(), report.plan_task_id, office.users["theodoi"], "2024-03-01",
                                   "Hạn đúng theo văn bản gốc", confirmed=True, clock=clock_on(date(2024, 3, 20)))
    sent = [" ".join(s.split()) for s in statements]
    assert not [s for s in sent if s.startswith("SELECT") and "work_items.task_uuid =" in s], sent
    with office.storage.engine.connect() as connection:
        told = connection.execute(select(orm.notices.c.step_name)).scalars().all()
    assert told and set(told) == {report.step_name}, told


def test_a_sweep_batch_of_four_times_the_due_instances_costs_the_same_statements(office_on_each_database) -> None:
    office = office_on_each_database
    counts, notices = [], []
    for size in (3, 12):
        office.plan(tasks(size))
        with restarted(office.storage.url) as storage, sent_statements(storage.engine) as statements:
            result = sweep.sweep(storage.uow, clock=clock_on(ALL_DUE), batch=50, max_batches=1)
        counts.append(len(statements))
        assert result.instances == size and result.errors == 0
        notices.append(result.notices)
    with office.storage.engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(orm.notices)).scalar_one()
    assert notices[1] == 4 * notices[0] > 0 and stored == sum(notices)
    assert counts[0] == counts[1], counts


def test_a_sweep_batch_reads_its_calendar_version_with_its_due_instances(office_on_each_database) -> None:
    """Which office days the batch's deadlines are counted on (the calendar's version)
    comes as a column of the batch's locked read of its instances: no read of its own."""
    office = office_on_each_database
    office.plan(tasks(3))
    with restarted(office.storage.url) as storage, sent_statements(storage.engine) as statements:
        result = sweep.sweep(storage.uow, clock=clock_on(ALL_DUE), batch=50, max_batches=1)
    assert result.instances == 3 and result.errors == 0 and result.notices > 0
    versions = [" ".join(s.split()) for s in statements if "change_counters" in s]
    assert len(versions) == 1 and "FROM process_instances" in versions[0], statements


def test_a_sweep_with_nothing_due_sends_one_read_and_locks_nothing(office_on_each_database) -> None:
    """Most sweeps (one a minute) find nothing due: they take neither SQLite's write lock
    nor a row lock, so they never wait for a person's step, nor hold one up."""
    office = office_on_each_database
    office.plan(tasks(3))
    with restarted(office.storage.url) as storage, sent_statements(storage.engine) as statements:
        idle = sweep.sweep(storage.uow, clock=clock_on(DAY))
    assert idle.instances == 0 and idle.errors == 0
    assert len(statements) == 1, statements
    assert statements[0].lstrip().startswith("SELECT") and "FOR UPDATE" not in statements[0], statements
    # The timers were there, only not due yet: when they are, the sweep fires them.
    assert sweep.sweep(office.storage.uow, clock=clock_on(ALL_DUE)).instances == 3


def test_an_inbox_costs_the_same_statements_with_ten_times_the_rows(sqlite_url: str) -> None:
    office = make_office(sqlite_url)
    head = office.users["truong.kstthc"]
    counts = []
    for size in (5, 45):  # the head holds 5, then 50 assign steps
        office.plan([{"ref": str(n), "lead": [KSTTHC], "due": "2024-03-29"} for n in range(1, size + 1)])
        inbox.list_inbox(office.uow(), head, DAY)
        with sent_statements(office.storage.engine) as statements:
            found = inbox.list_inbox(office.uow(), head, DAY)
        counts.append(len(statements))
        assert found.items
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("query", [inbox.InboxQuery(), inbox.InboxQuery(sort="received"),
                                   inbox.InboxQuery(plan_id=1), inbox.InboxQuery(whose="mine")])
def test_an_empty_inbox_reads_its_counts_and_no_page(sqlite_url: str, query) -> None:
    """The monitor holds nothing, and the head nothing of their own: the counts say so,
    and no page of steps is read (in due order or the order received, by a plan or by
    whose), yet the plans and steps to filter by are the whole inbox's."""
    office = make_office(sqlite_url)
    office.plan([{"ref": str(n), "lead": [KSTTHC], "due": "2024-03-29"} for n in range(1, 4)])
    for username in ("theodoi", "truong.kstthc"):
        user = office.users[username]
        with sent_statements(office.storage.engine) as statements:
            found = inbox.list_inbox(office.uow(), user, DAY, query)
        if username == "truong.kstthc" and query.whose is None:
            assert len(found.items) == 3 and any("FROM work_items" in s for s in statements), statements
            continue
        assert found.items == [] and found.counts["total"] == 0 and found.pages == 1, found
        assert not any("work_items" in s and "LIMIT" in s for s in statements), statements
        assert [p for p, _ in found.plans] == ([1] if username == "truong.kstthc" else []), found


def test_an_inbox_page_reads_only_the_holders_with_steps(sqlite_url: str) -> None:
    """The counts say which of the person's holders (by name or taken, a role with no
    unit, their unit's role) hold dated and undated steps: the page reads only those
    parts, and no undated step when the dated ones fill the page; the page is still the
    whole inbox's, undated last."""
    office = make_office(sqlite_url)
    plan = office.plan([{"ref": str(n), "lead": [KSTTHC], "due": None if n == 3 else f"2024-03-2{n}"}
                        for n in range(1, 5)])
    head, staff = office.users["truong.kstthc"], office.users["cv.kstthc"]

    def page_parts(user: int, query: inbox.InboxQuery, size: int | None = None) -> tuple[list[str], int]:
        with sent_statements(office.storage.engine) as statements:
            found = inbox.list_inbox(office.uow(), user, DAY, query, page_size=size)
        [page] = [s for s in statements if "FROM work_items" in s]
        return [item.task_ref for item in found.items], page.count("FROM work_items")

    # The head's steps all wait for the unit's role: of 4 holder branches, 1 (dated, undated).
    assert page_parts(head, inbox.InboxQuery()) == (["1", "2", "4", "3"], 2)
    assert page_parts(head, inbox.InboxQuery(), size=2) == (["1", "2"], 1)  # 3 dated fill it
    assert page_parts(head, inbox.InboxQuery(sort="received"))[1] == 1
    item = next(i for i in office.ready(plan) if i.form == "assign")
    steps.complete_step(office.uow(), item.id, head, {"assignee": staff}, clock=clock_on(DAY))
    # The staff member's step is theirs by name: the person's two branches (by name, taken), dated.
    refs, parts = page_parts(staff, inbox.InboxQuery())
    assert len(refs) == 1 and parts == 2
