"""The small reads' statements run on the DB-API cursor (`adapters/storage/cursor_reads.py`),
on SQLite and PostgreSQL: the same rows with the same values as the session gives them
(dates, times and JSON converted as the dialect converts them), lists of ids of every
length and page bounds in turn each with its own rows, in the unit of work's own
transaction, and each statement seen by `before_cursor_execute` listeners."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import bindparam, literal_column, select, update
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from adapters.storage import cursor_reads, orm
from adapters.storage.reads import count_statements, page_details, page_statements, statement_shapes
from adapters.storage.row_dicts import dicts
from engine.reading.progress import OVERDUE, TASK_ROW, TaskScope, TaskSlice, plan_dashboard
from tests.support.office import CBTH, KSTTHC
from tests.support.statements import sent_statements, sent_with_parameters

TODAY = date(2024, 3, 11)


def _plan(office) -> int:
    return office.plan([{"ref": str(i), "lead": [KSTTHC], "coordinators": [CBTH],
                         **({"due": "2024-02-20" if i % 2 else "2024-03-29"} if i % 3 else {})}
                        for i in range(1, 13)])


def _slices(uow, plan_id: int, offset: int) -> list[list[dict]]:
    """The pages' rows as dicts by column (`TASK_ROW`)."""
    pages = uow.progress.task_slices(TaskScope(TODAY, plan_id=plan_id), [TaskSlice(None, "position", offset, 5),
                                                                          TaskSlice(OVERDUE, "urgency", 0, 3)])
    return [[dict(zip(TASK_ROW, row)) for row in page] for page in pages]


def test_a_read_on_the_cursor_gives_the_rows_and_values_the_session_gives(office_on_each_database):
    office = office_on_each_database
    plan_id = _plan(office)
    with office.uow() as uow:
        session = uow.session
        sqlite = session.get_bind().dialect.name == "sqlite"
        ids = [t.id for t in uow.tasks.for_plan(plan_id)]
        shape, values = statement_shapes.bound(TaskScope(TODAY, plan_id=plan_id))
        every_event = page_details.audit_statement("")  # times and JSON details
        told = page_details.told("", False, True)  # times, the names joined, among ids
        reads = [
            (page_details.page_details_statement("notice"), {"task_ids": ids[:2], "told_ids": ids[:2]}),
            (page_details.page_details_statement("notice"), {"task_ids": ids, "told_ids": ids[1:4]}),  # fewer told
            (page_details.page_details_statement("notice"), {"task_ids": ids[3:5], "told_ids": ids[3:5]}),
            (every_event, {"plan_id": plan_id}),
            (told, {"task_ids": ids}),
            (told, {"task_ids": ids[:2]}),
            (told, {"task_ids": ids[6:8]}),  # as many ids as the read before: other rows
            (count_statements._state_counts_statement(shape, sqlite), values),
            (page_statements.slices_statement(shape, ((None, "position"),), sqlite),
             {**values, "state_0": None, "offset_0": 0, "limit_0": 4, "reach_0": 4, "state_day": TODAY,
              "search_reach": 1000}),
            (page_statements.slices_statement(shape, ((None, "position"),), sqlite),
             {**values, "state_0": None, "offset_0": 4, "limit_0": 6, "reach_0": 10, "state_day": TODAY,
              "search_reach": 1000}),
        ]
        for statement, bound in reads:
            assert cursor_reads.dicts(session, statement, bound) == dicts(session.execute(statement, bound))
        events = cursor_reads.dicts(session, every_event, {"plan_id": plan_id})
        assert events and all(isinstance(e["at"], datetime) for e in events)
        assert any(isinstance(e["detail"], dict) for e in events)
        assert {e["task_id"] for e in cursor_reads.dicts(session, told, {"task_ids": ids[6:8]})} == set(ids[6:8])
        counted = cursor_reads.dicts(session, count_statements._state_counts_statement(shape, sqlite), values)
        assert sum(row["n"] for row in counted) == 12
        position, overdue = _slices(uow, plan_id, 5)
        assert [t["ref"] for t in position] == ["6", "7", "8", "9", "10"]
        assert all(isinstance(t["due_on"], date) for t in overdue) and len(overdue) == 3



# Tasks of a plan due by a day: a date bound (`cursor_reads._bind_processor` remembers it).
_DUE_BY = (select(orm.plan_tasks.c.ref).where(orm.plan_tasks.c.plan_id == bindparam("plan_id"),
                                              orm.plan_tasks.c.due_on <= bindparam("day"))
           .order_by(orm.plan_tasks.c.id))


def test_a_read_on_the_cursor_binds_each_date_as_given_again_and_again(office_on_each_database):
    """Each date bound, in turn and again (its conversion remembered on SQLite), gives its
    own rows, as the session does; no date, none."""
    office = office_on_each_database
    plan_id = _plan(office)
    days = [date(2024, 2, 19), date(2024, 2, 20), date(2024, 3, 29), None, date(2024, 2, 20), date(2024, 2, 19)]
    with office.uow() as uow:
        found = [cursor_reads.rows(uow.session, _DUE_BY, {"plan_id": plan_id, "day": day})[1] for day in days * 2]
        assert found == [list(uow.session.execute(_DUE_BY, {"plan_id": plan_id, "day": day})) for day in days * 2]
    refs = [[ref for (ref,) in rows] for rows in found[:4]]
    assert refs == [[], ["1", "5", "7", "11"], ["1", "2", "4", "5", "7", "8", "10", "11"], []]


def test_a_read_on_the_cursor_runs_in_its_unit_of_work_and_is_seen_by_listeners(office_on_each_database):
    office = office_on_each_database
    plan_id = _plan(office)
    with office.uow() as uow:
        first = _slices(uow, plan_id, 0)[0][0]
        uow.session.execute(update(orm.plan_tasks).where(orm.plan_tasks.c.id == first["id"]).values(title="Đổi tên"))
        with sent_statements(office.storage.engine) as sent:
            seen = _slices(uow, plan_id, 0)[0][0]
        assert seen["title"] == "Đổi tên"  # its own uncommitted write: the same transaction
        pages = 2 if office.storage.engine.dialect.name == "sqlite" else 1  # (SQLite: a statement a page)
        assert len(sent) == pages and all(sql.startswith("SELECT") for sql in sent)
    with office.uow() as uow:
        assert _slices(uow, plan_id, 0)[0][0]["title"] == first["title"]  # not committed, gone


def test_a_read_on_the_cursor_after_its_transaction_ended_runs_in_the_next_one(office_on_each_database):
    """The transaction's connection is kept (`_connection`) only while that transaction lasts:
    after a commit, and after a rollback of a write, a read runs in the next transaction."""
    office = office_on_each_database
    plan_id = _plan(office)
    with office.uow() as uow:
        first = _slices(uow, plan_id, 0)[0][0]
        uow.session.execute(update(orm.plan_tasks).where(orm.plan_tasks.c.id == first["id"]).values(title="Đổi tên"))
        uow.commit()
        assert _slices(uow, plan_id, 0)[0][0]["title"] == "Đổi tên"
        assert cursor_reads._connection(uow.session) is uow.session.connection()
        uow.session.execute(update(orm.plan_tasks).where(orm.plan_tasks.c.id == first["id"]).values(title="Bỏ"))
        uow.rollback()
        assert _slices(uow, plan_id, 0)[0][0]["title"] == "Đổi tên"
        assert cursor_reads._connection(uow.session) is uow.session.connection()


def test_a_unit_of_work_entered_again_makes_its_repositories_on_its_new_session(office_on_each_database):
    uow = office_on_each_database.uow()
    with uow:
        before = uow.progress
        assert uow.progress is before and before.session is uow.session
        assert uow.users.rows is uow.rows
    with uow:
        assert uow.progress is not before and uow.progress.session is uow.session
        assert uow.users.rows is uow.rows and uow.users.session is uow.session
    with pytest.raises(AttributeError):
        uow.no_such_repository


def test_a_read_on_the_cursor_that_fails_raises_as_the_session_does(office_on_each_database):
    office = office_on_each_database
    with office.uow() as uow:
        broken = select(literal_column("no_such_column")).select_from(orm.plan_tasks)
        with pytest.raises(DBAPIError) as raised:
            cursor_reads.rows(uow.session, broken)
        assert isinstance(raised.value, (OperationalError, ProgrammingError))


def test_a_read_on_the_cursor_sends_by_name_only_the_parameters_its_sql_names(office_on_each_database):
    """The dashboard's statements, each parameter once: not also each anonymous one under
    its key (psycopg counts what is sent toward the 50 parameters whose conversion it keeps)."""
    office = office_on_each_database
    plan_id = _plan(office)
    with sent_with_parameters(office.storage.engine) as sent:
        plan_dashboard(office.uow(), plan_id, date(2024, 3, 11))
    assert len(sent) == (7 if office.storage.engine.dialect.name == "sqlite" else 4)  # SQLite: pages, details a part each
    for sql, parameters in sent:
        if isinstance(parameters, dict):
            assert set(parameters) == set(re.findall(r"%\((\w+)\)s", sql)), sql
        else:
            assert len(parameters) == sql.count("?"), sql
