"""A unit of work that only read ends with a commit, so that PostgreSQL keeps the
statements psycopg prepared on the connection (psycopg forgets them at every rollback,
and a read run once per unit of work was planned again each time); one that wrote and
did not commit is still rolled back, on both databases."""
from __future__ import annotations

import uuid
from contextlib import nullcontext
from datetime import date

import pytest
from sqlalchemy import event, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from adapters.storage import orm
from engine.errors import NotFound
from engine.reading import plan_pages, progress, search, unit_work
from engine.tasks.inbox import InboxQuery, list_inbox
from engine.unit_of_work import ReadOnlyWork
from tests.support.office import KSTTHC, make_office

TODAY = date(2024, 3, 11)


def test_an_inbox_read_again_and_again_runs_its_prepared_statements(postgres_fresh_url):
    office = make_office(postgres_fresh_url)
    office.plan([{"ref": str(n), "lead": [KSTTHC], "due": "2024-03-29"} for n in range(1, 6)])
    head = office.users["truong.kstthc"]
    engine = office.storage.engine
    engine.dispose()  # one connection from here on: the pool's, reused by each read
    for _ in range(12):
        assert len(list_inbox(office.uow(), head, TODAY).items) == 5
    with engine.connect() as connection:
        prepared = connection.execute(text("SELECT statement, generic_plans, custom_plans "
                                           "FROM pg_prepared_statements")).all()
        connection.commit()  # a rollback would make psycopg drop them
    assert engine.pool.checkedin() == 1
    pages = [p for p in prepared if "FROM work_items" in p.statement and "LIMIT 50" in p.statement]
    counts = [p for p in prepared if "inbox_counts" in p.statement]
    people = [p for p in prepared if "FROM users" in p.statement]
    assert len(pages) == len(counts) == len(people) == 1, prepared
    # Prepared at the 6th read and run again by the 7 after it (psycopg's threshold is 5).
    assert pages[0].generic_plans + pages[0].custom_plans == 7, prepared
    # The page's bounds are written in it: its plan for any holder is one plan.
    assert pages[0].generic_plans >= 1, prepared
    # The scheduler's fold of the count rows, on the same pooled connection, keeps them.
    office.storage.compact_inbox_counts()
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM pg_prepared_statements")) >= 3


@pytest.mark.parametrize("username, steps", [("theodoi", 0), ("cv.kstthc2", 2)])
def test_a_small_inbox_read_again_runs_its_statements_on_one_plan(postgres_fresh_url, username, steps):
    """The monitor's inbox (empty: its counts, no page) and a staff member's (two steps),
    in an office where a colleague holds 3,000 steps by name, its statistics taken: the
    page and the counts are each planned for any holder alike. While PostgreSQL saw whose inbox it planned,
    it planned a page of few steps cheaper than its generic plan (the statistics of names
    know only the colleague's) and so planned that page again at every read. (In this
    office the counts' plans cost the same either way: for them this pins the behaviour.)"""
    office = office_of_a_colleague_holding_3000(postgres_fresh_url, username, steps)
    reader, engine = office.users[username], office.storage.engine
    for _ in range(12):
        assert len(list_inbox(office.uow(), reader, TODAY).items) == steps
    prepared = prepared_statements(engine)
    pages = [p for p in prepared if "FROM work_items" in p.statement and "LIMIT 50" in p.statement]
    counts = [p for p in prepared if "inbox_counts" in p.statement]
    # (An empty inbox reads no page: its counts say there is none.)
    assert len(counts) == 1 and len(pages) == (1 if steps else 0), prepared
    for statement in pages + counts:
        # Prepared at the 6th read and run by the 7 after it: PostgreSQL plans its first 5
        # runs for their values, then keeps its generic plan if that costs no more.
        assert statement.generic_plans + statement.custom_plans == 7, prepared
        assert statement.generic_plans == 2, prepared


def test_an_inbox_filtered_by_a_plan_counts_its_steps_on_one_plan(postgres_fresh_url):
    """A staff member's two steps of a plan, in which a colleague holds 3,000 by name, its
    statistics taken: read again by that plan, the statement counting them is planned
    for any holder and plan alike. Built for each read with the person and the plan
    bound, its custom plans cost less than its generic one, and it was planned again at
    every read."""
    office = office_of_a_colleague_holding_3000(postgres_fresh_url, "cv.kstthc2", 2)
    reader, engine = office.users["cv.kstthc2"], office.storage.engine
    with office.uow() as uow:
        plan_id = uow.plans.list_with_counts()[0]["id"]
    for _ in range(12):
        assert len(list_inbox(office.uow(), reader, TODAY, InboxQuery(plan_id=plan_id)).items) == 2
    counts = [p for p in prepared_statements(engine) if "count(*)" in p.statement and "work_items" in p.statement]
    assert len(counts) == 1 and counts[0].generic_plans + counts[0].custom_plans == 7, counts
    assert counts[0].generic_plans == 2, counts


def prepared_statements(engine) -> list:
    with engine.connect() as connection:
        prepared = connection.execute(text("SELECT statement, generic_plans, custom_plans "
                                           "FROM pg_prepared_statements")).all()
        connection.commit()  # a rollback would make psycopg drop them
    return prepared


def office_of_a_colleague_holding_3000(url: str, username: str, steps: int):
    """An office of one plan where cv.kstthc holds 3,000 steps by name and `username`
    `steps`, the counts folded and the statistics taken; its engine's pool emptied, so
    that each read from here on runs on one connection."""
    office = make_office(url)
    office.plan([{"ref": str(n), "lead": [KSTTHC], "due": "2024-03-29"} for n in range(1, 4)])
    reader = office.users[username]
    holders = [office.users["cv.kstthc"]] * 3000 + [reader] * steps
    engine = office.storage.engine
    with engine.begin() as connection:  # copies of the first task, each with a step held by name
        task, item = ({k: v for k, v in connection.execute(select(*columns).order_by(table.c.id).limit(1))
                       .one()._mapping.items() if k != "id"}
                      for table, columns in ((orm.plan_tasks, orm.plan_tasks.c), (orm.work_items,
                                                                                 orm.written(orm.work_items))))
        task_ids = connection.execute(insert(orm.plan_tasks).returning(orm.plan_tasks.c.id),
                                      [task] * len(holders)).scalars().all()
        connection.execute(insert(orm.work_items), [
            {**item, "plan_task_id": task_id, "task_uuid": str(uuid.uuid4()), "candidate_unit_id": None,
             "candidate_role": None, "assignee_user_id": holder} for task_id, holder in zip(task_ids, holders)])
    office.storage.compact_inbox_counts()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()  # one connection from here on: the pool's, reused by each read
    return office


@pytest.mark.parametrize("error", [None, ValueError])
def test_a_unit_of_work_that_wrote_and_did_not_commit_leaves_nothing(office_on_each_database, error):
    office = office_on_each_database
    head = office.users["truong.kstthc"]
    users = orm.users.c
    with pytest.raises(ValueError) if error else nullcontext():
        with office.uow() as uow:
            uow.users.acting(head)
            uow.session.execute(update(orm.users).where(users.id == head).values(full_name="Đã đổi"))
            assert uow.session.scalar(select(users.full_name).where(users.id == head)) == "Đã đổi"
            uow.users.acting(head)
            if error:
                raise error("stop")
    with office.uow() as uow:
        assert uow.session.scalar(select(users.full_name).where(users.id == head)) != "Đã đổi"


def test_a_unit_of_work_whose_read_failed_and_was_caught_ends_without_an_error(office_on_each_database):
    """A statement that failed (PostgreSQL then aborts the transaction, though nothing was
    written) and whose error the service caught: the unit of work still ends quietly (its
    commit is a rollback), and the next one reads."""
    office = office_on_each_database
    head = office.users["truong.kstthc"]
    with office.uow() as uow:
        assert uow.users.acting(head) is not None
        with pytest.raises(DBAPIError):
            uow.session.execute(text("SELECT no_such_column FROM users"))
    with office.uow() as uow:
        assert uow.users.acting(head).id == head



def test_the_dashboard_plan_page_and_unit_page_read_again_run_their_pages_on_one_plan(postgres_fresh_url):
    """Their pages' offsets and limits (and the unit page's day) are written into the
    statements on PostgreSQL: bound, the generic plan guessed a tenth of the rows under
    each LIMIT, and PostgreSQL planned each page again at every read."""
    office = make_office(postgres_fresh_url)
    plan_id = office.plan([{"ref": str(n), "lead": [KSTTHC], "due": "2024-03-29"} for n in range(1, 601)])
    head, monitor = office.users["truong.kstthc"], office.users["theodoi"]
    engine = office.storage.engine
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()  # one connection from here on: the pool's, reused by each read
    for _ in range(12):
        assert progress.plan_dashboard(office.uow(), plan_id, TODAY).listed == 600
        assert len(plan_pages.plan_overview(office.uow(), plan_id, TODAY, monitor).tasks) == 50
        assert len(unit_work.unit_work(office.uow(), head, TODAY).tasks) == 50
    with engine.connect() as connection:
        prepared = connection.execute(text("SELECT statement, generic_plans, custom_plans "
                                           "FROM pg_prepared_statements")).all()
        connection.commit()
    pages = {name: [p for p in prepared if all(mark in p.statement for mark in marks)]
             for name, marks in (("dashboard", ("SELECT anon_1.id", "urgent_due")), ("plan page", ("count_count",)),
                                 ("unit page", ("unit_tasks.sort_group",)))}
    for name, found in pages.items():
        assert len(found) == 1, (name, prepared)
        # Prepared at the 6th read and run again by the 7 after it, on one plan.
        assert found[0].generic_plans + found[0].custom_plans == 7, (name, found)
        assert found[0].generic_plans >= 1, (name, found)


def test_a_unit_of_work_entered_for_reading_refuses_to_write_and_keeps_nothing(office_on_each_database):
    """Its commit and flush refuse; on PostgreSQL, where each of its statements would commit at
    once, so do a write and a locking read. Entered plainly again, it writes."""
    office = office_on_each_database
    office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    head = office.users["truong.kstthc"]
    users = orm.users.c
    with office.uow() as uow:
        instance_id = uow.session.scalar(select(orm.process_instances.c.id))
    uow = office.uow()
    postgresql = office.storage.engine.dialect.name == "postgresql"
    with uow.reading():
        assert uow.users.acting(head).id == head
        with pytest.raises(ReadOnlyWork) if postgresql else nullcontext():
            uow.session.execute(update(orm.users).where(users.id == head).values(full_name="Đã đổi"))
        if postgresql:
            with pytest.raises(ReadOnlyWork):
                uow.instances.lock(instance_id)
        for write in (uow.flush, uow.commit):
            with pytest.raises(ReadOnlyWork):
                write()
    with office.uow() as check:
        assert check.session.scalar(select(users.full_name).where(users.id == head)) != "Đã đổi"
    with uow:
        assert uow.instances.lock(instance_id) is not None
        uow.session.execute(update(orm.users).where(users.id == head).values(full_name="Đã đổi"))
        uow.commit()
    with office.uow() as check:
        assert check.session.scalar(select(users.full_name).where(users.id == head)) == "Đã đổi"


def test_a_unit_of_work_entered_for_reading_reads_on_the_one_connection_it_holds(office_on_each_database):
    """Its cursor reads and its session's reads run on one connection, the cursor's with no
    transaction of the session's; at its end, a failed read's too, the pool has it back."""
    office = office_on_each_database
    office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    head = office.users["truong.kstthc"]
    engine = office.storage.engine
    used = []
    event.listen(engine, "before_cursor_execute", lambda connection, *_: used.append(connection))
    before = engine.pool.checkedout()
    uow = office.uow()
    with uow.reading():
        assert uow.users.acting(head).id == head
        assert not uow.session.in_transaction()
        assert uow.progress.units()  # through the session
        assert uow.users.profile(head)["id"] == head
        assert engine.pool.checkedout() == before + 1
    assert len(used) == 3 and len(set(map(id, used))) == 1
    assert engine.pool.checkedout() == before
    with pytest.raises(NotFound):
        unit_work.person_work(office.uow(), head + 1000, TODAY)
    assert engine.pool.checkedout() == before
    assert unit_work.person_work(office.uow(), head, TODAY).scope == "person"



def test_a_unit_of_work_entered_for_reading_closes_its_session_only_if_it_read_through_it(office_on_each_database):
    """A session that began no transaction (cursor reads only) is left as it is, holding
    nothing; one that loaded objects is closed, so that they leave it detached."""
    office = office_on_each_database
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    head = office.users["truong.kstthc"]
    engine = office.storage.engine
    before = engine.pool.checkedout()
    uow = office.uow()
    with uow.reading():
        assert uow.users.acting(head).id == head
        cursor_only = uow.session
    assert not cursor_only.in_transaction() and not cursor_only.identity_map
    with uow.reading():
        plan = uow.plans.get(plan_id)  # through the session: it begins its transaction
        loaded = uow.session
        assert loaded.in_transaction() and plan in loaded
    assert not loaded.in_transaction() and plan not in loaded and plan.id == plan_id
    assert engine.pool.checkedout() == before


def test_reads_entered_for_reading_send_no_begin_and_no_commit_on_postgresql(postgres_fresh_url, tmp_path):
    """The inbox, the unit page, the person page, a plan's dashboard and page and a search each
    send their statements alone (libpq's trace of the connection: no BEGIN, COMMIT or ROLLBACK);
    the connection, back in the pool, begins a transaction again for the next unit of work."""
    office = make_office(postgres_fresh_url)
    plan_id = office.plan([{"ref": str(n), "lead": [KSTTHC], "due": "2024-03-29"} for n in range(1, 4)])
    head = office.users["truong.kstthc"]
    engine = office.storage.engine
    engine.dispose()  # one connection from here on: the pool's, reused by each read
    reads = [lambda: list_inbox(office.uow(), head, TODAY), lambda: unit_work.unit_work(office.uow(), head, TODAY),
             lambda: unit_work.person_work(office.uow(), head, TODAY),
             lambda: progress.plan_dashboard(office.uow(), plan_id, TODAY),
             lambda: plan_pages.plan_overview(office.uow(), plan_id, TODAY, head),
             lambda: search.search_tasks(office.uow(), "nhiệm vụ", TODAY, user_id=head)]
    for read in reads:
        read()  # (the pool's connection made, and the office days' version seen)
    with engine.connect() as connection:
        libpq = connection.connection.dbapi_connection.pgconn
        connection.rollback()
    trace = tmp_path / "trace"
    for read in reads:
        with open(trace, "w") as sent:
            libpq.trace(sent.fileno())
            read()
            libpq.untrace()
        lines = trace.read_text().splitlines()
        assert any("\tParse\t" in line or "\tQuery\t" in line for line in lines)
        assert not [line for line in lines if any(word in line for word in ("BEGIN", "COMMIT", "ROLLBACK"))], lines
    with open(trace, "w") as sent:
        libpq.trace(sent.fileno())
        with office.uow() as uow:
            uow.users.acting(head)
            uow.commit()
        libpq.untrace()
    assert "BEGIN" in trace.read_text() and "COMMIT" in trace.read_text()


def test_a_sqlite_file_hands_out_the_connection_returned_last(sqlite_url):
    """Another connection's write discards a SQLite connection's page cache: with two idle
    connections, each unit of work after them gets the one returned last, not the one
    idle longest (which the other's writes had made cold)."""
    engine = make_office(sqlite_url).storage.engine
    first, second = engine.connect(), engine.connect()
    last = second.connection.dbapi_connection
    first.close()
    second.close()
    for _ in range(3):
        with engine.connect() as again:
            assert again.connection.dbapi_connection is last
