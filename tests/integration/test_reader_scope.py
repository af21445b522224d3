"""A reader who does not read every task searches the tasks the reading rule lets them
read (`task_access.may_read`), the ids of those tasks read first through indexes
(migration 0036) when they are few: for every person of an office with
directors, lead and coordinating units, a plan monitored by another unit, steps held and
completed and people named, the same tasks as the rule in Python and as the OR of
conditions on each task the search used before. The index of directed tasks comes with
an upgrade, and goes and comes back with the migration."""
from __future__ import annotations

import re
from datetime import date

import pytest
from alembic import command
from sqlalchemy import or_, select, update

from adapters.storage import orm, progress_queries
from engine.access import task_access
from engine.reading import search
from engine.reading.progress import IN_PROGRESS, OVERDUE, WAITING, Filters
from engine.reading.search import search_tasks
from engine.tasks import steps
from tests.support.deadlines import ISSUED, office_clock, ready
from tests.support.office import CBTH, KSTTHC, TTPV, make_office
from tests.support.schema import defined, office_at, stored
from tests.support.statements import sent_with_parameters

TODAY = date(2024, 3, 11)
TH, TCD, STTTT = "Phòng Tổng hợp", "Ban Tiếp công dân tỉnh", "Sở Thông tin và Truyền thông"
BEFORE = "0035_task_people"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url")


def an_office_of_every_kind_of_reading(office) -> None:
    """Two plans: the first monitored by the monitoring unit, its tasks led, coordinated
    and directed by various units and people; the second monitored by TTPV. A step of
    task 1 completed by KSTTHC's head, held by one of its staff, with a co-handler; task
    4 naming people of other units (written as a repair would, not through a step)."""
    with office_clock(ISSUED) as clock:
        first = office.plan([
            {"ref": "1", "lead": [KSTTHC], "due": "2024-03-29", "director": "chanhvp"},
            {"ref": "2", "lead": [TTPV], "coordinators": [CBTH], "due": "2024-03-29", "director": "cv.cbth"},
            {"ref": "3", "lead": [TTPV], "due": "2024-03-29", "director": "cv.th"},
            {"ref": "4", "lead": [TH], "due": "2024-03-29"},
            {"ref": "5", "lead": [KSTTHC], "coordinators": [TTPV], "due": "2024-03-29"},
            {"ref": "6", "lead": [TCD], "due": "2024-03-29", "director": "phochanhvp"},
        ], issued=ISSUED)
        second = office.plan([{"ref": str(n), "lead": [STTTT], "due": "2024-03-29"} for n in (1, 2)], issued=ISSUED)
        clock.on(TODAY)
        with office.uow() as uow:
            task_1 = next(t.id for t in uow.tasks.for_plan(first) if t.ref == "1")
        [item] = [i for i in ready(office, first, "assign") if i.plan_task_id == task_1]
        steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"],
                            {"assignee": office.users["cv.kstthc"], "co_handlers": [office.users["cv.kstthc2"]]},
                            clock=clock)
    t = orm.plan_tasks
    with office.storage.engine.begin() as conn:
        conn.execute(update(orm.plans).where(orm.plans.c.id == second).values(monitor_unit_id=office.units[TTPV]))
        conn.execute(update(t).where(t.c.plan_id == first, t.c.ref == "4").values(
            people={"co_handlers": [office.users["cv.ttpv"]], "informed": [office.users["giamdoc.stttt"]]}))


def found(office, user_id: int) -> set[int]:
    """Every task of every page a search of a word each task holds gives the reader."""
    first = search_tasks(office.uow(), "nhiệm vụ", TODAY, user_id=user_id)
    pages = [first] + [search_tasks(office.uow(), "nhiệm vụ", TODAY, user_id=user_id, page=n)
                       for n in range(2, first.pages + 1)]
    return {task.id for page in pages for task in page.tasks}


def by_the_rule(office, user_id: int) -> set[int]:
    with office.uow() as uow:
        plans = [uow.plans.get(p["id"]) for p in uow.plans.list_with_counts()]
        return {task_id for plan in plans for task_id in task_access.readable(
            uow, user_id, plan, [(t.id, t) for t in uow.tasks.for_plan(plan.id)])}


def as_before(office, user_id: int) -> set[int]:
    """The reading rule as the search wrote it before 0036, for every reader: an OR of
    conditions on each task (a reader who reads every task, every task)."""
    t, tu, w, named = orm.plan_tasks, orm.task_units, orm.work_items, orm.task_people
    with office.uow() as uow:
        user = uow.users.acting(user_id)
    either = [t.c.director_user_id == user.id,
              t.c.id.in_(select(w.c.plan_task_id).where(or_(w.c.assignee_user_id == user.id,
                                                            w.c.completed_by == user.id))),
              t.c.id.in_(select(named.c.task_id).where(named.c.user_id == user.id))]
    if user.unit_id is not None:
        either += [t.c.id.in_(select(tu.c.task_id).where(tu.c.unit_id == user.unit_id)),
                   t.c.plan_id.in_(select(orm.plans.c.id).where(orm.plans.c.monitor_unit_id == user.unit_id))]
    query = select(t.c.id) if task_access.reads_every_task(user) else select(t.c.id).where(or_(*either))
    with office.storage.engine.connect() as conn:
        return set(conn.execute(query).scalars())


@pytest.mark.parametrize("reader_ids", [progress_queries.READER_IDS, 6, 5, 1, 0])
def test_every_reader_s_search_finds_what_the_rule_and_the_former_query_let_them_read(url, monkeypatch, reader_ids):
    """Each reader's ids are read first and bound when they read no more tasks than
    `READER_IDS`, else the rule is a condition on each task: every reader one way (1,000),
    or each way as their tasks fall under the cap (cv.ttpv reads 6), or none (0)."""
    office = make_office(url)
    try:
        an_office_of_every_kind_of_reading(office)
        monkeypatch.setattr(search, "PAGE_SIZE", 3)
        monkeypatch.setattr(progress_queries, "READER_IDS", reader_ids)
        seen = {}
        for name, user_id in office.users.items():
            seen[name] = found(office, user_id)
            assert seen[name] == by_the_rule(office, user_id) == as_before(office, user_id), name
        # Each way in to a task is exercised: by unit (lead, coordinator), by monitored plan,
        # by direction, by a step held or completed, by name.
        assert len(seen["theodoi"]) == len(seen["chanhvp"]) == 8
        assert len(seen["cv.ttpv"]) == 6  # leads 2 and 3, coordinates 5, monitors the second plan; named on 4
        assert len(seen["cv.cbth"]) == 1  # coordinates 2, which cv.cbth also directs
        assert len(seen["cv.th"]) == 2  # TH leads 4, cv.th directs 3
        assert len(seen["giamdoc.stttt"]) == 3  # leads the second plan's two; named on 4
        assert seen["cv.tcd"] == seen["truongban.tcd"] and len(seen["cv.tcd"]) == 1
    finally:
        office.storage.engine.dispose()


def test_a_reader_s_ids_are_read_first_when_they_read_no_more_tasks_than_the_cap_each_once(url, monkeypatch):
    """With the cap at the number of tasks a reader may read, their ids (those tasks);
    one below it, none (the rule is then a condition on each task). A task that lets a
    reader in two ways counts once: cv.cbth coordinates the task it directs (a reader of
    one task in two rows), truong.kstthc completed a step of a task of the unit, cv.kstthc
    holds one, cv.kstthc2 is named on it."""
    office = make_office(url)
    try:
        an_office_of_every_kind_of_reading(office)
        for name, user_id in office.users.items():
            with office.uow() as uow:
                user = uow.users.acting(user_id)
            if task_access.reads_every_task(user):
                continue
            readable = tuple(sorted(by_the_rule(office, user_id)))
            for cap in {len(readable), max(len(readable) - 1, 0)}:
                monkeypatch.setattr(progress_queries, "READER_IDS", cap)
                with office.uow() as uow:
                    ids = uow.progress._ids_readable_by(user_id, user.unit_id)
                assert ids == (readable if cap == len(readable) else None), (name, cap)
    finally:
        office.storage.engine.dispose()


def test_an_office_built_before_0036_upgrades_to_the_defined_index_of_directed_tasks(url):
    with office_at(url, BEFORE) as (storage, office):
        an_office_of_every_kind_of_reading(office)
        assert "ix_plan_tasks_director" not in stored(storage, "plan_tasks")
        storage.upgrade()
        index = defined(storage, "plan_tasks")["ix_plan_tasks_director"]
        assert stored(storage, "plan_tasks")["ix_plan_tasks_director"] == index
        seen = {name: found(office, user_id) for name, user_id in office.users.items()}
        assert all(seen[name] == as_before(office, user_id) for name, user_id in office.users.items())
        command.downgrade(storage.alembic_config(), BEFORE)
        assert "ix_plan_tasks_director" not in stored(storage, "plan_tasks")
        storage.upgrade()
        assert stored(storage, "plan_tasks")["ix_plan_tasks_director"] == index


def searches(office, user_id: int, first_plan: int) -> dict[str, object]:
    """What a reader's searches give: a word no task holds; each state's tasks, counted;
    the first plan's tasks; the page past the last (the last page); each page read on
    from where the one before it ended."""
    def read(query: str = "nhiệm vụ", **kwargs) -> tuple[list[int], int, int, int]:
        found = search_tasks(office.uow(), query, TODAY, user_id=user_id, **kwargs)
        return [task.id for task in found.tasks], found.listed, found.page, found.pages
    first = search_tasks(office.uow(), "nhiệm vụ", TODAY, user_id=user_id)
    pages, before = [[task.id for task in first.tasks]], first
    while before.page < before.pages:
        before = search_tasks(office.uow(), "nhiệm vụ", TODAY, user_id=user_id, page=before.page + 1,
                              counted=first.found, after=before.next_after)
        pages.append([task.id for task in before.tasks])
    return {"none": read("khongcotu"), "past the end": read(page=99), "read on": pages,
            "first plan": read(filters=Filters(plan_id=first_plan)),
            **{state: read(filters=Filters(state=state)) for state in (WAITING, IN_PROGRESS, OVERDUE)}}


def test_a_reader_s_matches_read_first_give_what_the_rule_on_each_task_gives(url, monkeypatch):
    """Each reader's searches with their matches read first (the cap above every
    reader's count) and with the rule tested on each task (the cap at 0) give the same
    pages, counts and last pages: a word none of their tasks holds, none; filtered by
    plan or state; past the end; read on from where each page ended; and the pages
    hold what the rule lets them read, counted."""
    office = make_office(url)
    try:
        an_office_of_every_kind_of_reading(office)
        monkeypatch.setattr(search, "PAGE_SIZE", 2)
        with office.uow() as uow:
            first_plan = min(p["id"] for p in uow.plans.list_with_counts())
        seen = {}
        for cap in ("above", 0):
            monkeypatch.setattr(progress_queries, "READER_IDS", progress_queries.SEARCH_REACH if cap else 0)
            seen[cap] = {name: searches(office, user_id, first_plan) for name, user_id in office.users.items()}
        assert seen["above"] == seen[0]
        for name, user_id in office.users.items():
            read = seen[0][name]
            assert read["none"] == ([], 0, 1, 1), name
            readable = by_the_rule(office, user_id)
            assert {task for page in read["read on"] for task in page} == readable, name
            last = read["past the end"]
            assert last[1] == len(readable) and last[2] == last[3] and last[0] == read["read on"][-1], name
        assert seen[0]["cv.ttpv"]["first plan"][1] == 4  # (its two other tasks are the second plan's)
    finally:
        office.storage.engine.dispose()


def test_a_staff_member_of_a_unit_of_many_tasks_has_the_rule_tested_on_the_word_index(url, monkeypatch):
    """A reader whose unit holds more tasks than `READER_IDS` (here any task: the cap at
    0): on SQLite their ids are not read (their unit's holding tells they read more),
    their search's ranked reads test the rule on the word index's rowid and read no task
    for it (`readable_rowid`), and the count and the ranked reads find the unit's tasks
    by a LEFT JOIN (`words_looked_up`); their searches give what the rule on each task
    gives (forced by the unit counting as one of few), page by page, read on, filtered,
    counted."""
    office = make_office(url)
    try:
        an_office_of_every_kind_of_reading(office)
        monkeypatch.setattr(search, "PAGE_SIZE", 2)
        monkeypatch.setattr(progress_queries, "READER_IDS", 0)
        with office.uow() as uow:
            first_plan = min(p["id"] for p in uow.plans.list_with_counts())
        staff = office.users["cv.kstthc"]
        with sent_with_parameters(office.storage.engine) as sent:
            search_tasks(office.uow(), "nhiệm vụ", TODAY, user_id=staff)
        [page] = [s for s, _ in sent if "row_number()" in s]
        [(count, values)] = [(s, v) for s, v in sent if s.startswith("SELECT count(*) AS count")]
        if office.storage.engine.dialect.name == "sqlite":
            # Their unit holds more than the cap: their ids are not read to find out they read more.
            assert not [s for s, _ in sent if s.startswith("SELECT anon_1.id") and "by_director_user_id" in s], sent
            assert "JOIN plan_tasks ON plan_tasks.id = plan_task_words.rowid" not in page
            assert "+plan_task_words.rowid IN" in page
            # The page's three reads of the word index (the words side by side, every word,
            # the others) look the unit's tasks up by a LEFT JOIN too, not a subquery each.
            assert page.count("plan_task_words LEFT OUTER JOIN unit_tasks ON unit_tasks.unit_id = ?") == 3, page
            assert "unit_tasks.task_id = plan_task_words.rowid\n LIMIT" not in page
            # The count looks each rowid up in the unit's tasks by a LEFT JOIN, not a subquery
            # each; the word index read first (joined, SQLite read the unit's tasks first).
            assert "plan_task_words LEFT OUTER JOIN unit_tasks ON unit_tasks.unit_id = ?" in count
            assert "unit_tasks.task_id = plan_task_words.rowid\n LIMIT" not in count
            with office.storage.engine.connect() as conn:
                plan = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + count, values)]
            [words, unit] = [n for n, line in enumerate(plan) if re.match("(SCAN|SEARCH) (plan_task_words|unit_tasks)", line)]
            assert plan[words].startswith("SCAN plan_task_words") and plan[unit].endswith("LEFT-JOIN"), plan
        ways = {"rowid": {}, "per task": {}}
        for way in ways:
            if way == "per task":
                monkeypatch.setattr(progress_queries.ProgressQueries, "_holds_many", lambda self, unit_id: False)
            ways[way] = {name: searches(office, user_id, first_plan) for name, user_id in office.users.items()}
        assert ways["rowid"] == ways["per task"]
        assert {task for page in ways["rowid"]["cv.kstthc"]["read on"] for task in page} == by_the_rule(office, staff)
    finally:
        office.storage.engine.dispose()
