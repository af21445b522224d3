"""The write paths read their rows with Core and make the domain objects themselves (a
step's people, a sweep batch's instances, tasks, plans and items): the objects are what
the rules say (only active people of a unit, by name; a task's units in plan order),
and held by the unit of work as read, so a change to one is written (an instance's
through its versioned write). On SQLite and PostgreSQL."""
from __future__ import annotations

import re

from datetime import date

import pytest
from sqlalchemy import func, inspect, select

from adapters.storage import Storage, orm
from engine import model
from engine.tasks import steps
from engine.clock import to_storage
from engine.errors import AlreadyDone, InvalidInput
from tests.support.office import CBTH, KSTTHC, TTPV, clock_on, make_office
from tests.support.statements import sent_statements, sent_with_parameters

ALL_DUE = date(2024, 4, 30)  # past every rung of a task due on 2024-03-29


def test_a_units_people_are_its_active_ones_in_name_order_and_a_change_to_one_is_written(office_on_each_database):
    office = office_on_each_database
    unit, u = office.units[KSTTHC], orm.users.c
    with office.uow() as uow:
        staff = uow.users.in_unit(unit, "staff")
        assert staff and {person.role for person in staff} == {"staff"}
        leaving = staff[0]
        leaving.active = False  # an object read with Core: its change is written at commit
        uow.commit()
    with office.storage.engine.connect() as connection:
        assert connection.execute(select(u.active).where(u.id == leaving.id)).scalar_one() is False
        by_name = list(connection.execute(select(u.id).where(u.unit_id == unit, u.active.is_(True))
                                          .order_by(u.full_name)).scalars())
    with office.uow() as uow:
        assert [person.id for person in uow.users.in_unit(unit)] == by_name
        assert leaving.id not in {person.id for person in uow.users.in_unit(unit, "staff")}
        # By id whatever their state; by unit or role, only the active ones.
        asked = uow.users.directory([leaving.id], [unit], ["unit_head"])
    with office.storage.engine.connect() as connection:
        heads = set(connection.execute(select(u.id).where(u.role == "unit_head", u.active.is_(True))).scalars())
    assert {person.id for person in asked} == {leaving.id, *by_name, *heads}


def test_the_people_of_a_role_come_in_id_order_wherever_their_rows_lie(office_on_each_database):
    # Who is told of a late task (the leaders, a role's holders) is read by role: with no
    # order, PostgreSQL gave the rows as they lie on disk, and a row written again moves.
    office = office_on_each_database
    leaders = sorted((office.users["chanhvp"], office.users["phochanhvp"]))
    with office.storage.engine.begin() as connection:
        connection.execute(orm.users.update().where(orm.users.c.id == leaders[0])
                           .values(full_name=orm.users.c.full_name))
    with office.uow() as uow:
        assert [person.id for person in uow.users.with_role("leader")] == leaders


def test_a_sweep_batchs_rows_become_objects_whose_changes_are_written(office_on_each_database):
    office = office_on_each_database
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV, CBTH], "due": "2024-03-29"},
                           {"ref": "2", "lead": [TTPV], "due": "2024-03-29"}])
    with office.uow() as uow:
        due = uow.instances.due_for_timers(to_storage(clock_on(ALL_DUE).now()), 10)
        assert len(due) == 2 and all(instance.state for instance in due)
        tasks = uow.tasks.with_plans(instance.plan_task_id for instance in due)
        (first, plan), (second, same_plan) = (tasks[i.plan_task_id] for i in sorted(due, key=lambda i: i.plan_task_id))
        assert plan is same_plan and plan.id == plan_id
        assert [(unit.role, unit.unit_id) for unit in first.units] == [
            ("lead", office.units[KSTTHC]), ("coordinator", office.units[TTPV]), ("coordinator", office.units[CBTH])]
        ready = uow.work_items.ready_for_instances(instance.id for instance in due)
        item = ready[due[0].id][0]
        item.due_on, first.title = date(2024, 5, 2), "Đã đổi tên"
        for instance in due:
            instance.next_timer_at = None
        uow.instances.write_states(due)
        uow.commit()
    with office.storage.engine.connect() as connection:
        assert connection.execute(select(orm.work_items.c.due_on).where(orm.work_items.c.id == item.id)
                                  ).scalar_one() == date(2024, 5, 2)
        assert connection.execute(select(orm.plan_tasks.c.title).where(orm.plan_tasks.c.id == first.id)
                                  ).scalar_one() == "Đã đổi tên"
        versions = connection.execute(select(orm.process_instances.c.version, orm.process_instances.c.next_timer_at)
                                      .where(orm.process_instances.c.id.in_([i.id for i in due]))).all()
    assert versions == [(2, None), (2, None)]


def test_a_sweep_batchs_reads_give_every_column_as_the_orm_and_core_read_it(office_on_each_database):
    """The batch's reads run on the cursor: each object holds every column of its row, of
    the type the ORM gives (SQLite's dates and times, JSON lists), and an open incident
    is the row Core reads."""
    office = office_on_each_database
    office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV, CBTH], "due": "2024-03-29"},
                 {"ref": "2", "lead": [TTPV], "due": "2024-03-29"}])
    now = to_storage(clock_on(ALL_DUE).now())
    with office.uow() as uow:
        [first, _] = due = uow.instances.due_for_timers(now, 10)
        incident_id = uow.incidents.add({"instance_id": first.id, "plan_task_id": first.plan_task_id, "source": "timer",
                                         "error": "boom", "state": "open", "created_at": now, "updated_at": now,
                                         "attempts": 2, "data": {"why": ["a", 1]}})
        uow.commit()
    with office.uow() as uow:
        due = uow.instances.due_for_timers(now, 10)
        tasks = uow.tasks.with_plans(instance.plan_task_id for instance in due)
        ready = uow.work_items.ready_for_instances(instance.id for instance in due)
        incidents = uow.incidents.open_for_instances(instance.id for instance in due)
        uow.rollback()
    read = [*due, *(o for task, plan in tasks.values() for o in (task, plan, *task.units)),
            *(item for items in ready.values() for item in items)]
    assert len(due) == 2 and all(ready.values())
    with office.storage.session_factory() as session:
        for obj in read:
            table = orm.metadata.tables[_TABLE_OF[type(obj)]]
            loaded = session.get(type(obj), obj.id)
            for column in orm.written(table):  # (not the copies the database keeps itself)
                value, expected = getattr(obj, column.name), getattr(loaded, column.name)
                assert value == expected and type(value) is type(expected), (table.name, column.name, value, expected)
        stored = dict(session.execute(select(orm.incidents).where(orm.incidents.c.id == incident_id)).one()._mapping)
    assert incidents == {first.id: stored} and stored["data"] == {"why": ["a", 1]}


_TABLE_OF = {model.ProcessInstance: "process_instances", model.PlanTask: "plan_tasks", model.Plan: "plans",
             model.TaskUnit: "task_units", model.WorkItem: "work_items"}


def test_rows_written_with_core_are_left_as_read_and_a_later_change_is_written_once(office_on_each_database):
    """A step's rows are read, written and inserted with Core, and their objects are held
    by the unit of work itself as read, outside the ORM's session: the same object for the
    same row, nothing pending. So a flush after the writes sends nothing, a later change to
    any of them (the new item, a task unit) is one UPDATE of just that row, and a fresh
    storage reads what was written."""
    office = office_on_each_database
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV], "due": "2024-03-29"}])
    asked = next(item for item in office.ready(plan_id) if item.form == "assign")
    engine = office.storage.engine
    with office.uow() as uow:
        locked = uow.instances.lock_step(asked.id, office.users["truong.kstthc"])
        objects = [locked.item, locked.instance, locked.task, locked.plan, locked.user, *locked.task.units]
        assert all(uow.rows.get(type(obj), obj.id) is obj for obj in objects)
        assert not any(obj in uow.session for obj in objects) and not uow.session.dirty
        # each detached with its row's identity, as the ORM's loading leaves an object
        assert all(inspect(obj).detached and inspect(obj).identity == (obj.id,) for obj in objects)
        assert uow.work_items.get(asked.id) is locked.item and uow.tasks.get(locked.task.id) is locked.task
        locked.item.state, locked.task.title = "cancelled", "Đã đổi tên"
        locked.instance.next_timer_at = None
        uow.instances.write_states([locked.instance])
        new = _next_assign_step(office, locked)
        uow.work_items.add_many([new])  # writes the item's and the task's changes first
        assert all(uow.rows.get(type(obj), obj.id) is obj for obj in [*objects, new]) and not uow.session.dirty
        with sent_statements(engine) as nothing_left:
            uow.flush()
        new.due_on, locked.task.units[-1].position = date(2024, 5, 2), 7
        with sent_statements(engine) as changed:
            uow.commit()
    assert nothing_left == []
    # (on PostgreSQL both in one statement, each UPDATE a CTE of it)
    assert sorted(re.findall(r"\bUPDATE (\w+)", " ".join(changed))) == ["task_units", "work_items"]
    fresh = Storage(engine.url.render_as_string(hide_password=False))
    try:
        with fresh.uow() as uow:
            assert uow.work_items.get(asked.id).state == "cancelled"
            assert uow.work_items.get(new.id).due_on == date(2024, 5, 2)
            task = uow.tasks.get(locked.task.id)
            assert task.title == "Đã đổi tên" and [unit.position for unit in task.units][-1] == 7
            instance = uow.instances.get(locked.instance.id)
            assert instance.version == 2 and instance.next_timer_at is None
    finally:
        fresh.engine.dispose()


def test_a_step_reads_the_instances_ready_items_not_its_history(office_on_each_database):
    """An instance's finished items (each step it went through) are not read again by
    every later step: the step's read holds the asked item and the ready ones, so it
    does not grow with the instance's age. A finished item asked for is still read,
    for the step to answer that it was done already."""
    office = office_on_each_database
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV, CBTH], "due": "2024-03-29"}])
    asked = next(item for item in office.ready(plan_id) if item.form == "assign")
    w = orm.work_items
    with office.storage.engine.begin() as connection:
        history = [{**{c.name: getattr(asked, c.name) for c in orm.written(w) if c.name != "id"},
                    "task_uuid": f"done-{n}", "state": "completed" if n % 2 else "cancelled"} for n in range(6)]
        finished = list(connection.execute(w.insert().returning(w.c.id), history).scalars())
        ready = set(connection.execute(select(w.c.id).where(w.c.instance_id == asked.instance_id,
                                                            w.c.state == "ready")).scalars())
    head = office.users["truong.kstthc"]
    with office.uow() as uow:
        locked = uow.instances.lock_step(asked.id, head)
        assert {item.id for item in locked.items} == ready and locked.item.id == asked.id
    with office.uow() as uow:
        locked = uow.instances.lock_step(finished[0], head)
        assert locked.item.id == finished[0] and locked.item.state == "cancelled"
        assert {item.id for item in locked.items} == ready | {finished[0]}


def test_a_held_instances_own_change_is_written_at_the_version_it_was_read(office_on_each_database):
    """An instance the unit of work holds, changed outside `write_states` (a column of its
    own), is written at commit as one UPDATE that checks the version it was read at and
    moves it to the next; a row that moved on since is not overwritten (AlreadyDone)."""
    office = office_on_each_database
    office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    now, engine, i = to_storage(clock_on(ALL_DUE).now()), office.storage.engine, orm.process_instances
    with office.uow() as uow:
        [instance] = uow.instances.due_for_timers(now, 10)
        read_at = instance.version
        instance.status = "suspended"
        with sent_statements(engine) as sent:
            uow.commit()
    assert [s.split()[1] for s in sent if s.startswith("UPDATE")] == ["process_instances"]
    with engine.connect() as connection:
        assert connection.execute(select(i.c.status, i.c.version).where(i.c.id == instance.id)).one() == (
            "suspended", read_at + 1)
        connection.execute(i.update().where(i.c.id == instance.id).values(status="running"))
        connection.commit()
    with office.uow() as uow:
        [instance] = uow.instances.due_for_timers(now, 10)
        instance.status = "suspended"
        # Another write of the row in between (here in the same transaction, as no other
        # writer can pass the instance's lock): the version read no longer matches.
        uow.session.connection().execute(i.update().where(i.c.id == instance.id).values(version=i.c.version + 1))
        with pytest.raises(AlreadyDone):
            uow.commit()
    with engine.connect() as connection:
        assert connection.execute(select(i.c.status, i.c.version).where(i.c.id == instance.id)).one() == (
            "running", read_at + 1)


def test_a_steps_writes_go_with_its_new_items_insert_and_still_check_the_version(office_on_each_database):
    """A step's state (`write_states`), its item's and task's changes and its new item are
    written together: on PostgreSQL in one statement, the INSERT's CTEs, on SQLite one
    after the other. Either way the instance is written only at the version it was read:
    a row that moved on since makes it AlreadyDone, and nothing of it is written, the new
    item neither."""
    office = office_on_each_database
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    asked = next(item for item in office.ready(plan_id) if item.form == "assign")
    engine, i, w = office.storage.engine, orm.process_instances, orm.work_items

    def step(moved_on: bool) -> list[str]:
        with office.uow() as uow:
            locked = uow.instances.lock_step(asked.id, office.users["truong.kstthc"])
            if moved_on:  # as another writer would (none can pass the lock: here in the same transaction)
                uow.session.connection().execute(i.update().where(i.c.id == locked.instance.id)
                                                 .values(version=i.c.version + 1))
            locked.item.state, locked.task.title = "completed", "Đã đổi tên"
            locked.instance.next_timer_at = None
            uow.instances.write_states([locked.instance])
            new = _next_assign_step(office, locked)
            with sent_statements(engine) as sent:
                uow.work_items.add_many([new])
                uow.commit()
        return sent

    with pytest.raises(AlreadyDone):
        step(moved_on=True)
    with engine.connect() as connection:
        assert connection.execute(select(i.c.version).where(i.c.id == asked.instance_id)).scalar_one() == 1
        assert connection.execute(select(w.c.state).where(w.c.id == asked.id)).scalar_one() == "ready"
        assert connection.execute(select(w.c.id).where(w.c.task_uuid == "a-new-step")).all() == []
    sent = step(moved_on=False)
    writes = [s for s in sent if not s.lstrip().startswith("SELECT")]
    if engine.dialect.name == "postgresql":
        assert len(writes) == 1 and sorted(re.findall(r"\b(UPDATE|INSERT INTO) (\w+)", writes[0])) == [
            ("INSERT INTO", "work_items"), ("UPDATE", "plan_tasks"), ("UPDATE", "process_instances"),
            ("UPDATE", "work_items")], writes
    else:
        assert len(writes) == 4, writes
    with engine.connect() as connection:
        assert connection.execute(select(i.c.version, i.c.next_timer_at).where(i.c.id == asked.instance_id)).one() == (
            2, None)
        assert connection.execute(select(w.c.state).where(w.c.id == asked.id)).scalar_one() == "completed"
        assert connection.execute(select(orm.plan_tasks.c.title).where(orm.plan_tasks.c.plan_id == plan_id)
                                  ).scalar_one() == "Đã đổi tên"
        assert connection.execute(select(w.c.plan_id).where(w.c.task_uuid == "a-new-step")).scalar_one() == plan_id


def test_a_steps_arrivals_and_audit_line_are_written_at_its_commit_together(office_on_each_database):
    """The rows a step adds whose ids nobody reads back (the next holder's arrival, the
    audit line) go with the unit of work's last write: on PostgreSQL one statement for
    both; stored once committed, and not at all when the step is not."""
    office = office_on_each_database
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    asked = next(item for item in office.ready(plan_id) if item.form == "assign")
    engine, a, e = office.storage.engine, orm.arrivals, orm.audit_events
    staff = office.users["cv.kstthc"]

    def stored() -> tuple[int, int]:
        with engine.connect() as connection:
            return (connection.execute(select(func.count()).where(a.c.recipient_user_id == staff)).scalar_one(),
                    connection.execute(select(func.count()).where(e.c.action == "step_completed")).scalar_one())

    now = to_storage(clock_on(date(2024, 1, 16)).now())
    with office.uow() as uow:  # not committed: nothing of it stays
        uow.audit.add_many([model.AuditEvent(plan_task_id=asked.plan_task_id, action="step_completed", at=now)])
        uow.arrivals.add_many_later([{"key": "x", "kind": "assigned", "plan_task_id": asked.plan_task_id,
                                      "recipient_user_id": staff, "created_at": now, "subject": "s", "body": "b",
                                      "email_state": "none", "attempts": 0}])
    assert stored() == (0, 0)
    with sent_statements(engine) as sent:
        steps.complete_step(office.uow(), asked.id, office.users["truong.kstthc"], {"assignee": staff},
                            clock=clock_on(date(2024, 1, 16)))
    assert stored() == (1, 1)
    inserting = [s for s in sent if re.search(r"\bINSERT INTO (arrivals|audit_events)\b", s)]
    if engine.dialect.name == "postgresql":
        assert len(inserting) == 1 and "INSERT INTO arrivals" in inserting[0] and "INSERT INTO audit_events" in \
            inserting[0], inserting
    else:
        assert len(inserting) == 2, inserting


def _next_assign_step(office, locked) -> model.WorkItem:
    """A new step of the locked task, as a step's completion adds one."""
    return model.WorkItem(instance_id=locked.instance.id, plan_task_id=locked.task.id, task_uuid="a-new-step",
                          step_id="assign", step_name="Giao việc", form="assign", actor="unit_head",
                          candidate_unit_id=office.units[KSTTHC], candidate_role="unit_head")


def test_an_assign_step_reads_its_units_people_with_its_own_rows(office_on_each_database):
    """An assign step's lock reads the active people of the unit it waits for, by name
    (as `in_unit`), in the step's own statement: the step sends no read of its own for
    them, and whom the head may name is those people. A step that waits for no unit's
    choice (a report) comes without them."""
    office = office_on_each_database
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    asked = next(item for item in office.ready(plan_id) if item.form == "assign")
    head, unit = office.users["truong.kstthc"], office.units[KSTTHC]
    with office.uow() as uow:
        leaving = next(person for person in uow.users.in_unit(unit, "staff") if person.id != office.users["cv.kstthc"])
        leaving.active = False
        uow.commit()
    with office.uow() as uow:
        locked = uow.instances.lock_step(asked.id, head)
        by_name = [person.id for person in uow.users.in_unit(unit)]
        assert len(by_name) >= 2 and leaving.id not in by_name
        assert locked.people is not None and [person.id for person in locked.people] == by_name
        assert locked.user.id == head and locked.item.id == asked.id and len(locked.items) == 1
    with pytest.raises(InvalidInput):  # one who left the unit's people is not a choice
        steps.complete_step(office.uow(), asked.id, head, {"assignee": leaving.id}, clock=clock_on(date(2024, 1, 16)))
    with sent_statements(office.storage.engine) as sent:
        steps.complete_step(office.uow(), asked.id, head, {"assignee": office.users["cv.kstthc"]},
                            clock=clock_on(date(2024, 1, 16)))
    assert [s for s in sent if re.match(r"\s*SELECT users\.", s)] == [], sent
    report = next(item for item in office.ready(plan_id) if item.form == "report")
    with office.uow() as uow:
        assert uow.instances.lock_step(report.id, office.users["cv.kstthc"]).people is None


def test_a_steps_statements_stay_within_what_psycopg_keeps_converted(postgres_fresh_url):
    """psycopg converts a statement's SQL (its named parameters to PostgreSQL's) once and
    keeps it only for SQL of at most 4 kB and 50 parameters; past that it parses the SQL
    again at every run. The step's read (its rows and its unit's people, in a union) was
    7.4 kB: its tables now go by short names and its people's branch names no column.
    The step's one write (its state, items, new items, arrivals and audit line) names
    more than 50 values: it goes with PostgreSQL's own placeholders on a raw cursor,
    converted once (`cursor_reads._raw`), which psycopg sends as it is."""
    from psycopg import _queries as psycopg_queries

    office = make_office(postgres_fresh_url)
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [CBTH], "due": "2024-03-29"}])
    asked = next(item for item in office.ready(plan_id) if item.form == "assign")
    with sent_with_parameters(office.storage.engine) as sent:
        steps.complete_step(office.uow(), asked.id, office.users["truong.kstthc"],
                            {"assignee": office.users["cv.kstthc"]}, clock=clock_on(date(2024, 1, 16)))
    assert len(sent) >= 3  # the lock, the read, the write
    raw = [sql for sql, _ in sent if "%(" not in sql and "$1" in sql]
    assert len(raw) == 1 and raw[0].lstrip().startswith("WITH"), [sql[:60] for sql, _ in sent]
    for sql, parameters in sent:
        if sql in raw:
            continue
        assert len(sql.encode()) <= psycopg_queries.MAX_CACHED_STATEMENT_LENGTH, (len(sql.encode()), sql[:60])
        assert len(parameters) <= psycopg_queries.MAX_CACHED_STATEMENT_PARAMS, sql[:60]
    following = office.ready(plan_id)
    assert following and asked.id not in {item.id for item in following}
