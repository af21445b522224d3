"""The write paths' statements run on the DB-API cursor (`cursor_reads.write`), on SQLite
and PostgreSQL: what they store is what the session would store (times and JSON
converted by the dialect), the rows they count and return are the database's, they run
in the unit of work's transaction and are seen by `before_cursor_execute` listeners; and
a step's writes take that path rather than SQLAlchemy's execution."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import case, delete, event, func, insert, select
from sqlalchemy.exc import DBAPIError

from adapters.storage import cursor_reads, orm
from adapters.storage.batched_writes import update_by_id
from engine.deadlines import sweep
from engine.tasks import steps
from tests.support.office import CBTH, KSTTHC, TTPV, clock_on, make_office
from tests.support.statements import sent_statements, sent_with_parameters

AT = datetime(2024, 1, 16, 9, 30)


def test_a_write_on_the_cursor_stores_counts_and_returns_as_the_session_would(office_on_each_database):
    office = office_on_each_database
    plan_id = office.plan([{"ref": str(n), "lead": [KSTTHC], "due": "2024-03-29"} for n in range(1, 4)])
    engine, e, t = office.storage.engine, orm.audit_events, orm.plan_tasks
    with office.storage.engine.connect() as connection:
        task_ids = list(connection.execute(select(t.c.id).where(t.c.plan_id == plan_id).order_by(t.c.id)).scalars())
    adding = insert(e).returning(e.c.id, e.c.at, e.c.detail)
    with office.uow() as uow, sent_statements(engine) as sent:
        count, returned = cursor_reads.write(uow.session, adding, [
            {"plan_task_id": task_ids[0], "at": AT, "action": "noted", "detail": {"lý do": "thử", "n": 2}}])
        assert count == 1 and len(returned) == 1
        event_id, at, detail = returned[0]
        assert (at, detail) == (AT, {"lý do": "thử", "n": 2})  # as the dialect reads them back
        # Many rows: one statement run for each, their written rows counted; one gone, not counted.
        renaming = update_by_id(t, ("title",))
        count, _ = cursor_reads.write(uow.session, renaming, [{"_id": task_id, "title": f"Tên {task_id}"}
                                                              for task_id in (*task_ids, -1)])
        assert count == len(task_ids)
        assert [s.split()[0] for s in sent] == ["INSERT", "UPDATE"]
        many = [{"plan_task_id": task_id, "at": AT, "action": "noted", "detail": {"n": n}}
                for n, task_id in enumerate(task_ids)]
        if engine.dialect.name == "sqlite":
            with pytest.raises(ValueError):  # sqlite3 returns no rows from a statement run for many
                cursor_reads.write(uow.session, adding, many)
        else:  # psycopg gives back each row's, converted as for one row
            count, returned = cursor_reads.write(uow.session, adding, many)
            assert count == len(task_ids) and [(at, detail) for _, at, detail in returned] == \
                [(AT, {"n": n}) for n in range(len(task_ids))]
            assert len({event_id, *(row[0] for row in returned)}) == 1 + len(task_ids)
            uow.session.execute(delete(e).where(e.c.id.in_([row[0] for row in returned])))
        # In the unit of work's own transaction: its session sees them before the commit.
        stored = uow.session.execute(select(e.c.at, e.c.detail).where(e.c.id == event_id)).one()
        assert tuple(stored) == (AT, {"lý do": "thử", "n": 2})
    with engine.connect() as connection:  # not committed: nothing stays
        assert connection.execute(select(func.count()).where(e.c.action == "noted")).scalar_one() == 0
        assert connection.execute(select(func.count()).where(t.c.title.like("Tên %"))).scalar_one() == 0
    with office.uow() as uow:
        cursor_reads.write(uow.session, renaming, [{"_id": task_id, "title": f"Tên {task_id}"} for task_id in task_ids])
        uow.commit()
    with engine.connect() as connection:
        assert list(connection.execute(select(t.c.title).where(t.c.plan_id == plan_id).order_by(t.c.id)).scalars()) \
            == [f"Tên {task_id}" for task_id in task_ids]


def test_a_steps_writes_are_sent_on_the_cursor_not_through_sqlalchemys_execution(office_on_each_database):
    """Its new items too: the assign step of a task with two coordinating units makes
    one for each, in one INSERT."""
    office = office_on_each_database
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [CBTH, TTPV], "due": "2024-03-29"}])
    asked = next(item for item in office.ready(plan_id) if item.form == "assign")
    engine = office.storage.engine
    executed: list[str] = []

    def through_execute(connection, statement, *rest) -> None:
        executed.append(str(statement).split()[0])

    event.listen(engine, "before_execute", through_execute)
    try:
        with sent_statements(engine) as sent:
            steps.complete_step(office.uow(), asked.id, office.users["truong.kstthc"],
                                {"assignee": office.users["cv.kstthc"]}, clock=clock_on(date(2024, 1, 16)))
    finally:
        event.remove(engine, "before_execute", through_execute)
    writes = [s for s in sent if s.lstrip().split()[0] in ("UPDATE", "INSERT", "WITH")]
    # The step wrote its state, its items, its new items with their arrivals, its audit
    # line: on PostgreSQL in one statement.
    assert len(writes) >= (2 if engine.dialect.name == "sqlite" else 1), sent
    if engine.dialect.name == "sqlite":  # (PostgreSQL sends them with the step's other writes)
        assert any(s.startswith("INSERT INTO work_items") and "), (" in s for s in writes), writes
    assert [s for s in executed if s in ("UPDATE", "INSERT", "WITH")] == [], executed
    with engine.connect() as connection:
        assert connection.execute(select(orm.work_items.c.state).where(orm.work_items.c.id == asked.id)
                                  ).scalar_one() == "completed"


def test_a_steps_new_items_are_named_by_the_arrivals_and_notices_written_with_them(office_on_each_database):
    """On PostgreSQL a step's new items are inserted with its other writes, at its commit,
    and the rows that name them read their ids there (`NewId`): each arrival's item and
    key, and the audit line of a notice of a step completed past its rungs, name the
    item the step made, as on SQLite, where the items are inserted first."""
    office = office_on_each_database
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [CBTH, TTPV], "due": "2024-03-29",
                            "director": "chanhvp"}])
    asked = next(item for item in office.ready(plan_id) if item.form == "assign")
    steps.complete_step(office.uow(), asked.id, office.users["truong.kstthc"], {"assignee": office.users["cv.kstthc"]},
                        clock=clock_on(date(2024, 4, 30)))
    w, a, e = orm.work_items, orm.arrivals, orm.audit_events
    with office.storage.engine.connect() as connection:
        new = set(connection.execute(select(w.c.id).where(w.c.instance_id == asked.instance_id, w.c.id > asked.id))
                  .scalars())
        told = connection.execute(select(a.c.key, a.c.kind, a.c.work_item_id, a.c.recipient_user_id)
                                  .where(a.c.work_item_id > asked.id)).all()
        noticed = set(connection.execute(select(e.c.work_item_id).where(e.c.instance_id == asked.instance_id,
                                                                       e.c.action.like("notice_%"))).scalars())
    assert len(new) == 2 and {item for _, _, item, _ in told} == new  # the two units' contributions
    assert all(key == f"{kind}:item:{item}:{user}" for key, kind, item, user in told), told
    assert noticed and noticed <= new


def test_a_chunk_of_starts_inserts_its_rows_and_reads_their_ids_on_the_cursor_on_postgresql(office_on_each_database):
    """On PostgreSQL the inserts of a chunk of starts whose ids come back (tasks, their
    units, instances, work items) go on the cursor too (psycopg returns each row's id from
    a statement run for many), each row given the id of its own: SQLAlchemy's insert of
    many values was one long statement that psycopg parsed again at every chunk. On
    SQLite (sqlite3 returns no rows from a statement run for many) they stay SQLAlchemy's."""
    office = office_on_each_database
    office.plan([{"ref": "0", "lead": [KSTTHC], "due": "2024-03-29"}])  # the process deployed: not counted
    engine = office.storage.engine
    executed: list[str] = []

    def through_execute(connection, statement, *rest) -> None:
        executed.append(" ".join(str(statement).split()[:3]))

    refs = [str(n) for n in range(1, 8)]
    event.listen(engine, "before_execute", through_execute)
    try:
        with sent_statements(engine) as sent:
            plan_id = office.plan([{"ref": ref, "lead": [KSTTHC], "coordinators": [CBTH] if int(ref) % 2 else [],
                                    "due": "2024-03-29"} for ref in refs])
    finally:
        event.remove(engine, "before_execute", through_execute)
    inserts = [s.split()[2] for s in sent if s.lstrip().startswith("INSERT")]
    assert {"plan_tasks", "task_units", "process_instances", "work_items"} <= set(inserts), inserts
    started = [f"INSERT INTO {table}" for table in ("plan_tasks", "task_units", "process_instances", "work_items")]
    assert [s for s in executed if s in started] == ([] if engine.dialect.name == "postgresql" else started), executed
    # Each row under the id of its own: a task's units, instance and first step are its.
    t, u, i, w = orm.plan_tasks, orm.task_units, orm.process_instances, orm.work_items
    with engine.connect() as connection:
        rows = connection.execute(
            select(t.c.ref, func.count(u.c.id.distinct()), func.count(i.c.id.distinct()),
                   func.sum(case((w.c.plan_task_id == t.c.id, 0), else_=1)))
            .join(u, u.c.task_id == t.c.id).join(i, i.c.plan_task_id == t.c.id).join(w, w.c.instance_id == i.c.id)
            .where(t.c.plan_id == plan_id).group_by(t.c.ref).order_by(t.c.ref)).all()
    assert [tuple(row) for row in rows] == [(ref, 1 + int(ref) % 2, 1, 0) for ref in refs]


def test_a_sweep_batchs_notices_and_history_are_one_statement_each_psycopg_keeps_converted(postgres_fresh_url):
    """PostgreSQL: a batch's notices and its history lines each go as one INSERT of each
    column's values as an array (`cursor_reads.insert_arrays`), the same SQL for 3
    instances as for 12, with a parameter a column. As an insert of many values it named
    17 parameters a notice, past the 50 up to which psycopg keeps a statement's conversion
    (converted and planned again at every batch); as the INSERT of one row run for each,
    it was a statement a row for the server."""
    from psycopg import _queries as psycopg_queries

    office = make_office(postgres_fresh_url)
    sent_inserts, stored = [], []
    for size in (3, 12):
        office.plan([{"ref": str(n), "lead": [KSTTHC], "due": "2024-03-29", "director": "chanhvp"}
                     for n in range(size)])
        with sent_with_parameters(office.storage.engine) as sent:
            result = sweep.sweep(office.storage.uow, clock=clock_on(date(2024, 4, 30)), batch=50, max_batches=1)
        assert result.instances == size and result.errors == 0 and result.notices >= 2 * size
        sent_inserts.append([(sql, parameters) for sql, parameters in sent
                             if sql.startswith(("INSERT INTO notices", "INSERT INTO audit_events"))])
        stored.append(result.notices)
    for inserts in sent_inserts:
        assert [sql.split()[2] for sql, _ in inserts] == ["notices", "audit_events"], inserts
        for sql, parameters in inserts:
            assert isinstance(parameters, dict) and all(isinstance(v, list) for v in parameters.values())
            assert len(sql.encode()) <= psycopg_queries.MAX_CACHED_STATEMENT_LENGTH
            assert len(parameters) <= psycopg_queries.MAX_CACHED_STATEMENT_PARAMS, sql
    assert [sql for sql, _ in sent_inserts[0]] == [sql for sql, _ in sent_inserts[1]]
    with office.storage.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(orm.notices)).scalar_one() == sum(stored)
        assert connection.execute(select(func.count()).select_from(orm.audit_events)
                                  .where(orm.audit_events.c.action.startswith("notice_"))).scalar_one() > 0


def test_rows_updated_as_arrays_are_written_at_the_version_read_and_counted(postgres_fresh_url):
    """PostgreSQL: `update_arrays` (a sweep batch's instances) writes each row's values, a
    versioned row only at the version read, moving it on; a row moved on since is left
    and not counted, so the writer sees it (`AlreadyDone`); a value too long fails."""
    office = make_office(postgres_fresh_url)
    plan_id = office.plan([{"ref": str(n), "lead": [KSTTHC], "due": "2024-03-29"} for n in range(1, 4)])
    i, t = orm.process_instances, orm.plan_tasks
    with office.storage.engine.connect() as connection:
        rows = connection.execute(select(i.c.id, i.c.version).join(t, t.c.id == i.c.plan_task_id)
                                  .where(t.c.plan_id == plan_id).order_by(i.c.id)).all()
    written = [{"_id": row_id, "_read": version + (n == 2), "status": "running", "next_timer_at": AT}
               for n, (row_id, version) in enumerate(rows)]  # the third read at a version since gone
    with office.uow() as uow, sent_statements(office.storage.engine) as sent:
        assert cursor_reads.update_arrays(uow.session, i, ("status", "next_timer_at"), written) == 2
        assert len(sent) == 1
        uow.commit()
    with office.storage.engine.connect() as connection:
        stored = connection.execute(select(i.c.version, i.c.next_timer_at).where(i.c.id.in_([r[0] for r in rows]))
                                    .order_by(i.c.id)).all()
    assert [tuple(row) for row in stored[:2]] == [(rows[0][1] + 1, AT), (rows[1][1] + 1, AT)]
    assert stored[2].version == rows[2][1] and stored[2].next_timer_at != AT
    with office.uow() as uow, pytest.raises(DBAPIError):
        cursor_reads.update_arrays(uow.session, t, ("ref",), [{"_id": 1, "ref": "x" * 41}, {"_id": 2, "ref": "y"}])


def test_notices_inserted_together_store_their_values_and_skip_keys_already_stored(office_on_each_database):
    office = office_on_each_database
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    task_id = office.ready(plan_id)[0].plan_task_id
    staff = office.users["cv.kstthc"]

    def notice(key: str, **values) -> dict:
        return {"key": key, "plan_task_id": task_id, "instance_id": None, "step_task_id": None, "step_id": "s",
                "step_name": "Bước", "rung": "holder", "due": date(2024, 3, 29), "days_late": None,
                "recipient_user_id": staff, "created_at": AT, "subject": "Nhắc việc", "body": "Nội dung",
                "email_to": None, "email_state": "none", "attempts": 0, "next_attempt_at": None, **values}

    with office.uow() as uow:
        assert uow.notices.add_many_if_absent([notice("a"), notice("b", days_late=3, next_attempt_at=AT)]) == {"a", "b"}
        uow.commit()
    with office.uow() as uow:  # a key stored already (or twice in one call) is skipped, the others inserted
        assert uow.notices.add_many_if_absent([notice("b"), notice("c"), notice("c", rung="unit")]) == {"c"}
        uow.commit()
    n = orm.notices
    with office.storage.engine.connect() as connection:
        found = connection.execute(select(n.c.key, n.c.due, n.c.days_late, n.c.created_at, n.c.next_attempt_at,
                                          n.c.step_name, n.c.rung).order_by(n.c.key)).all()
    assert [tuple(row) for row in found] == [("a", date(2024, 3, 29), None, AT, None, "Bước", "holder"),
                                            ("b", date(2024, 3, 29), 3, AT, AT, "Bước", "holder"),
                                            ("c", date(2024, 3, 29), None, AT, None, "Bước", "holder")]
    if office.storage.engine.dialect.name == "postgresql":
        # A value too long for its column fails, not cut short.
        with office.uow() as uow, pytest.raises(DBAPIError):
            uow.notices.add_many_if_absent([notice("d", step_name="x" * 300)])
