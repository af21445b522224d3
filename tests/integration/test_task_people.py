"""The people each task's assignment named (`task_people`, migration 0035), kept equal to
`plan_tasks.people` by the database: through an assignment, a change by any writer, a
task inserted naming people and its deletion; an office built before 0035 upgrades with
its rows filled and the table `orm.py` defines, and goes back down and up again."""
from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from sqlalchemy import delete, inspect, insert, select, update

from adapters.storage import Storage, orm
from engine.access import task_access
from engine.reading.unit_work import person_work
from engine.tasks import steps
from tests.support.deadlines import ISSUED, office_clock, ready
from tests.support.office import KSTTHC, staffed
from tests.support.schema import office_at
from tests.support.statements import sent_statements

TODAY = date(2024, 3, 11)
BEFORE = "0034_history_indexes"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url")


@pytest.fixture
def fresh(url):
    """A staffed office at the newest schema, and its storage."""
    storage = Storage(url)
    storage.upgrade()
    yield storage, staffed(storage)
    storage.engine.dispose()


def kept(storage: Storage) -> set[tuple[int, str, int]]:
    with storage.engine.connect() as conn:
        return set(conn.execute(select(orm.task_people.c.task_id, orm.task_people.c.kind, orm.task_people.c.user_id)))


def named_in(storage: Storage) -> set[tuple[int, str, int]]:
    """The rows `plan_tasks.people` names, read in Python."""
    with storage.engine.connect() as conn:
        return {(task_id, kind, user_id) for task_id, people in conn.execute(select(orm.plan_tasks.c.id,
                                                                                    orm.plan_tasks.c.people))
                for kind, user_ids in (people or {}).items() for user_id in user_ids}


def assign(office, clock, plan_id: int, co_handlers: list[str], informed: list[str]) -> int:
    item = ready(office, plan_id, "assign")[0]
    steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"],
                        {"assignee": office.users["cv.kstthc"], "co_handlers": [office.users[u] for u in co_handlers],
                         "informed": [office.users[u] for u in informed]}, clock=clock)
    return item.plan_task_id


def page(office, name: str) -> list[int]:
    return [task.id for task in person_work(office.uow(), office.users[name], TODAY).tasks]


def test_the_named_people_follow_the_assignment_a_change_and_the_task_s_deletion(fresh):
    storage, office = fresh
    users = office.users
    with office_clock(ISSUED) as clock:
        plan = office.plan([{"ref": ref, "lead": [KSTTHC], "due": "2024-03-29"} for ref in "12"], issued=ISSUED)
        clock.on(TODAY)
        assert kept(storage) == set()  # a start names no one
        task = assign(office, clock, plan, ["truong.kstthc"], ["cv.kstthc2"])
    assert kept(storage) == named_in(storage) == {(task, "co_handlers", users["truong.kstthc"]),
                                                  (task, "informed", users["cv.kstthc2"])}
    assert page(office, "cv.kstthc2") == [task]  # told for information: no step of theirs

    with storage.engine.begin() as conn:  # another writer: a repair by hand
        conn.execute(update(orm.plan_tasks).where(orm.plan_tasks.c.id == task)
                     .values(people={"co_handlers": [], "informed": [users["cv.kstthc2"], users["truong.kstthc"]]}))
    assert kept(storage) == named_in(storage) == {(task, "informed", users["cv.kstthc2"]),
                                                  (task, "informed", users["truong.kstthc"])}
    with storage.engine.begin() as conn:
        conn.execute(update(orm.plan_tasks).where(orm.plan_tasks.c.id == task).values(people=None))
    assert kept(storage) == set() and page(office, "cv.kstthc2") == []

    with storage.engine.begin() as conn:  # a task inserted naming people, then deleted
        row = {k: v for k, v in conn.execute(select(*orm.written(orm.plan_tasks))
                                             .where(orm.plan_tasks.c.id == task)).one()._mapping.items() if k != "id"}
        copy = conn.execute(insert(orm.plan_tasks).returning(orm.plan_tasks.c.id),
                            {**row, "people": {"co_handlers": [users["theodoi"]], "informed": []}}).scalar_one()
    assert kept(storage) == named_in(storage) == {(copy, "co_handlers", users["theodoi"])}
    with storage.engine.begin() as conn:
        conn.execute(delete(orm.plan_tasks).where(orm.plan_tasks.c.id == copy))
    assert kept(storage) == set()


def table_of(storage: Storage) -> dict:
    """`task_people` as the database holds it: columns, primary key, foreign keys, indexes."""
    with storage.engine.connect() as conn:
        found = inspect(conn)
        return {
            "columns": [(c["name"], str(c["type"]).split("(")[0], c["nullable"])
                        for c in found.get_columns("task_people")],
            "primary key": found.get_pk_constraint("task_people")["constrained_columns"],
            "foreign keys": [(f["constrained_columns"], f["referred_table"], f["options"].get("ondelete"))
                             for f in found.get_foreign_keys("task_people")],
            "indexes": sorted((i["name"], i["column_names"], bool(i["unique"]))
                              for i in found.get_indexes("task_people")),
        }


def test_an_office_built_before_0035_upgrades_with_the_named_people_filled(url):
    with office_at(url, BEFORE) as (storage, office):
        with office_clock(ISSUED) as clock:
            plan = office.plan([{"ref": ref, "lead": [KSTTHC], "due": "2024-03-29"} for ref in "123"], issued=ISSUED)
            clock.on(TODAY)
            task = assign(office, clock, plan, ["truong.kstthc"], ["cv.kstthc2"])
            assign(office, clock, plan, [], [])  # an assignment naming no one
        storage.upgrade()
        assert kept(storage) == named_in(storage) and len(kept(storage)) == 2
        assert page(office, "cv.kstthc2") == [task]
        t = orm.task_people
        assert table_of(storage) == {
            "columns": [(c.name, str(c.type.compile(storage.engine.dialect)).split("(")[0], c.nullable)
                        for c in t.columns],
            "primary key": [c.name for c in t.primary_key.columns],
            "foreign keys": [(["task_id"], "plan_tasks", "CASCADE")],
            "indexes": sorted((i.name, [c.name for c in i.columns], bool(i.unique)) for i in t.indexes),
        }
        command.downgrade(storage.alembic_config(), BEFORE)
        assert "task_people" not in inspect(storage.engine).get_table_names()
        storage.upgrade()
        assert kept(storage) == named_in(storage) and len(kept(storage)) == 2


# What a hand repair may leave under a kind, and whom it names: the integers of a list.
REPAIRED = {"co_handlers": None, "informed": ["7", 2.5, True, None, {"id": 3}, [4]]}


def test_a_kind_that_is_no_list_of_ids_names_no_one_and_the_write_goes_through(fresh):
    storage, office = fresh
    users = office.users
    with office_clock(ISSUED) as clock:
        plan = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}], issued=ISSUED)
        clock.on(TODAY)
        task = assign(office, clock, plan, [], ["cv.kstthc2"])
    for people in (REPAIRED, {"co_handlers": 5}, [3], "x", {**REPAIRED, "informed": [users["theodoi"], None]}):
        with storage.engine.begin() as conn:
            conn.execute(update(orm.plan_tasks).where(orm.plan_tasks.c.id == task).values(people=people))
        named = {(task, "informed", u) for u in task_access.named(people)}
        assert kept(storage) == named, people
    assert named == {(task, "informed", users["theodoi"])}
    assert page(office, "theodoi") == [task] and page(office, "cv.kstthc2") == []


def test_an_assignment_naming_no_one_leaves_a_task_never_named_on_as_it_is(fresh):
    """A task no assignment named anyone on keeps JSON null through one that names no
    one (it reads the same: no one named), its row not written; one that names someone
    writes the lists."""
    storage, office = fresh
    with office_clock(ISSUED) as clock:
        plan = office.plan([{"ref": ref, "lead": [KSTTHC], "due": "2024-03-29"} for ref in "12"], issued=ISSUED)
        clock.on(TODAY)
        with sent_statements(storage.engine) as sent:
            task = assign(office, clock, plan, [], [])
        assert not [s for s in sent if "UPDATE plan_tasks" in s], sent
        other = assign(office, clock, plan, [], ["cv.kstthc2"])
    with storage.engine.connect() as conn:
        read = conn.execute(select(orm.plan_tasks.c.id, orm.plan_tasks.c.people))
        people = {task_id: value for task_id, value in read}
    assert people == {task: None, other: {"co_handlers": [], "informed": [office.users["cv.kstthc2"]]}}
    assert task_access.named(people[task]) == set()


def test_the_rows_follow_each_change_whether_or_not_a_value_holds_a_digit(fresh):
    """The update's trigger runs only when the old or the new value holds a digit (0040):
    a value with none names no one, so `task_people` is the same either way."""
    storage, office = fresh
    users = office.users
    with office_clock(ISSUED) as clock:
        plan = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}], issued=ISSUED)
        clock.on(TODAY)
        task = assign(office, clock, plan, [], [])
    assert kept(storage) == set()
    named = {"co_handlers": [users["truong.kstthc"]], "informed": [users["cv.kstthc2"]]}
    empty = {"co_handlers": [], "informed": []}
    for people in (empty, named, empty, named, None, {"co_handlers": [], "informed": [], "note": "x"},
                   {"co_handlers": [], "informed": [users["theodoi"]], "note": "x"}, {"informed": []}):
        with storage.engine.begin() as conn:
            conn.execute(update(orm.plan_tasks).where(orm.plan_tasks.c.id == task).values(people=people))
        assert kept(storage) == {(task, kind, user_id) for kind in ("co_handlers", "informed")
                                 for user_id in (people or {}).get(kind, [])}, people
    assert page(office, "theodoi") == []


def test_an_office_at_0039_keeps_its_rows_up_to_0040_and_back(url):
    with office_at(url, "0039_audit_events_notices") as (storage, office):
        with office_clock(ISSUED) as clock:
            plan = office.plan([{"ref": ref, "lead": [KSTTHC], "due": "2024-03-29"} for ref in "12"], issued=ISSUED)
            clock.on(TODAY)
            task = assign(office, clock, plan, ["truong.kstthc"], ["cv.kstthc2"])
            other = assign(office, clock, plan, [], [])
        rows = kept(storage)
        storage.upgrade()
        assert kept(storage) == rows and len(rows) == 2
        for revision in ("0039_audit_events_notices", "head"):
            (command.downgrade if revision != "head" else command.upgrade)(storage.alembic_config(), revision)
            for people in ({"co_handlers": [], "informed": [office.users["theodoi"]]}, {"co_handlers": [], "informed": []}):
                with storage.engine.begin() as conn:
                    conn.execute(update(orm.plan_tasks).where(orm.plan_tasks.c.id.in_([task, other])).values(people=people))
                assert kept(storage) == named_in(storage), (revision, people)


def test_an_office_at_0036_keeps_its_rows_up_to_0037_and_back(url):
    with office_at(url, "0036_director_index") as (storage, office):
        with office_clock(ISSUED) as clock:
            plan = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}], issued=ISSUED)
            clock.on(TODAY)
            task = assign(office, clock, plan, ["truong.kstthc"], ["cv.kstthc2"])
        rows = kept(storage)
        storage.upgrade()
        assert kept(storage) == rows and len(rows) == 2
        command.downgrade(storage.alembic_config(), "0036_director_index")
        with storage.engine.begin() as conn:  # 0035's triggers back: a list still copied
            conn.execute(update(orm.plan_tasks).where(orm.plan_tasks.c.id == task)
                         .values(people={"co_handlers": [], "informed": [office.users["theodoi"]]}))
        assert kept(storage) == {(task, "informed", office.users["theodoi"])}
        storage.upgrade()
        with storage.engine.begin() as conn:
            conn.execute(update(orm.plan_tasks).where(orm.plan_tasks.c.id == task).values(people=REPAIRED))
        assert kept(storage) == set()
