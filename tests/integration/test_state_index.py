"""A search narrowed by state tests each match's state on SQLite from `ix_plan_tasks_state`
(migration 0043), not from the task's row, and a person page counts and orders the person's
tasks there (with their plan and position, 0049): an office built before it upgrades to the
defined index (on PostgreSQL from 0045) and back, and every reader's search narrowed to each
state gives, page by page and counted, the tasks of that state among those the same
search gives unnarrowed, whichever way their reading rule is read. A state of few tasks
has its ids read from the index first (`ProgressQueries._state_first`), one of many its
matches looked up there: either way, the same pages and count."""
from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from sqlalchemy import func, select, update

from adapters.storage import orm, progress_queries
from adapters.storage.progress_queries import ProgressQueries
from engine.reading import search
from engine.reading.progress import DONE_LATE, DONE_ON_TIME, IN_PROGRESS, OVERDUE, WAITING, Filters
from engine.reading.search import search_tasks
from engine.reading.unit_work import person_work
from tests.integration.test_reader_scope import TODAY, an_office_of_every_kind_of_reading
from tests.support.office import make_office
from tests.support.schema import defined, office_at, stored
from tests.support.statements import sent_with_parameters

BEFORE = "0042_unit_task_counts_covering"
STATES = (OVERDUE, IN_PROGRESS, WAITING, DONE_ON_TIME, DONE_LATE)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url")


def every_page(office, user_id: int, state: str | None) -> tuple[int, list[tuple[int, str]]]:
    """How many a search of a word each task holds counts, and its tasks and their states, page by page."""
    first = search_tasks(office.uow(), "nhiệm vụ", TODAY, Filters(state=state), user_id=user_id)
    pages = [first] + [search_tasks(office.uow(), "nhiệm vụ", TODAY, Filters(state=state), user_id=user_id, page=n)
                       for n in range(2, first.pages + 1)]
    return first.listed, [(task.id, task.state) for page in pages for task in page.tasks]


def narrowed_as_unnarrowed(office) -> None:
    for name, user_id in office.users.items():
        _, every = every_page(office, user_id, None)
        for state in STATES:
            listed, tasks = every_page(office, user_id, state)
            wanted = {task_id for task_id, its in every if its == state}
            assert {task_id for task_id, _ in tasks} == wanted and listed == len(tasks), (name, state)
            assert all(its == state for _, its in tasks), (name, state)


@pytest.mark.parametrize("reader_ids", [progress_queries.READER_IDS, 0])
def test_an_office_before_0043_upgrades_to_the_state_index_and_back(url, monkeypatch, reader_ids):
    """With the cap at 0 every reader's rule is read on the word index or on each task
    (a staff member's unit of many tasks on SQLite: `readable_matches`), above it the
    readers of few tasks have their matches read first."""
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    monkeypatch.setattr(progress_queries, "READER_IDS", reader_ids)
    with office_at(url, BEFORE) as (storage, office):
        an_office_of_every_kind_of_reading(office)
        assert "ix_plan_tasks_state" not in stored(storage, "plan_tasks")
        storage.upgrade()
        index = defined(storage, "plan_tasks")["ix_plan_tasks_state"]
        assert stored(storage, "plan_tasks")["ix_plan_tasks_state"] == index
        narrowed_as_unnarrowed(office)
        command.downgrade(storage.alembic_config(), BEFORE)
        assert "ix_plan_tasks_state" not in stored(storage, "plan_tasks")
        storage.upgrade()
        assert stored(storage, "plan_tasks")["ix_plan_tasks_state"] == index


def test_on_sqlite_a_state_is_tested_on_the_index_not_on_the_task_s_row(sqlite_url, monkeypatch):
    """A staff member's overdue search, their unit holding more than the cap, the state's
    ids not read first: the count and the page's three reads of the word index look each
    match up in the state index (a COVERING INDEX), and none looks a match's task up by
    its rowid."""
    monkeypatch.setattr(progress_queries, "READER_IDS", 0)
    monkeypatch.setattr(ProgressQueries, "_state_first", lambda *args: None)
    with office_at(sqlite_url, "head") as (storage, office):
        an_office_of_every_kind_of_reading(office)
        with sent_with_parameters(storage.engine) as sent:
            search_tasks(office.uow(), "nhiệm vụ", TODAY, Filters(state=OVERDUE), user_id=office.users["cv.kstthc"])
        searches = [(s, v) for s, v in sent if "plan_task_words MATCH" in s]
        assert len(searches) == 2  # the count, the page
        with storage.engine.connect() as conn:
            plans = [[row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + s, v)] for s, v in searches]
        for plan, reads in zip(plans, (1, 3)):
            assert sum("SEARCH task_state USING COVERING INDEX ix_plan_tasks_state (id=?)" in line
                       for line in plan) == reads, plan
        count_plan = plans[0]
        assert not [line for line in count_plan if line.startswith("SEARCH plan_tasks USING INTEGER PRIMARY KEY")]


def test_on_sqlite_a_person_page_counts_and_orders_the_person_s_tasks_on_the_index_and_reads_its_page_s_rows(
        sqlite_url):
    """The person page of each person who took part in a task, narrowed by nothing, by a
    plan and by a state: its counts (by plan and state, or by state and the plans apart)
    look each of the person's tasks up in the state index (a COVERING INDEX: its plan,
    position, status and dates, migration 0049), and so does its page's order; only the
    page's tasks are looked up by rowid, in their rows, after the page is cut."""
    with office_at(sqlite_url, "head") as (storage, office):
        an_office_of_every_kind_of_reading(office)
        with storage.engine.connect() as conn:
            plan_id = conn.execute(select(func.min(orm.plans.c.id))).scalar_one()
        people = ("truong.kstthc", "cv.kstthc2", "cv.ttpv", "giamdoc.stttt")  # (a task each: completed, named)
        for name in people:
            for filters in (Filters(), Filters(plan_id=plan_id), Filters(state=IN_PROGRESS)):
                with sent_with_parameters(storage.engine) as sent:
                    view = person_work(office.uow(), office.users[name], TODAY, filters)
                assert view.counts["total"] > 0, (name, filters, view.counts)
                reads = [(s, v) for s, v in sent if "task_people" in s]
                # the counts by plan and the page in one (the person's tasks read once), else
                # the counts with the plans, then the page
                assert len(reads) == (2 if filters.plan_id else 1), (name, filters)
                with storage.engine.connect() as conn:
                    plans = [[row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + s, v)] for s, v in reads]
                for plan in plans:
                    assert "SEARCH task_state USING COVERING INDEX ix_plan_tasks_state (id=?)" in plan, plan
                counts, page = plans[:-1], plans[-1]
                assert not [line for plan in counts for line in plan if line.startswith("SEARCH plan_tasks ")], counts
                assert sum(line.startswith("SEARCH plan_tasks ") for line in page) == 1, page
                # (the page's tasks by rowid, once it is cut: the scan of its subquery's rows comes first)
                looked_up = page.index("SEARCH plan_tasks USING INTEGER PRIMARY KEY (rowid=?)")
                assert any(line.startswith("SCAN ") for line in page[:looked_up]), page


# The office's tasks by state on TODAY once `states_of_3_1_and_4` moved their dates: the
# smallest holds no more than a page reads (2 here), the next no more than a count (3).
FEW = {OVERDUE: 3, WAITING: 1, IN_PROGRESS: 4, DONE_ON_TIME: 0, DONE_LATE: 0}


def states_of_3_1_and_4(office) -> None:
    """The first plan's tasks 1-3 due before TODAY (overdue), its task 6 with no due date
    (waiting): of the office's 8 tasks, 3 overdue, 1 waiting, 4 in progress."""
    t = orm.plan_tasks
    with office.storage.engine.begin() as conn:
        first = conn.execute(t.select().where(t.c.ref == "6")).first().plan_id
        conn.execute(update(t).where(t.c.plan_id == first, t.c.ref.in_(["1", "2", "3"])).values(due_on=date(2024, 3, 1)))
        conn.execute(update(t).where(t.c.plan_id == first, t.c.ref == "6").values(due_on=None))


@pytest.mark.parametrize("reader_ids", [progress_queries.READER_IDS, 0])
def test_a_state_read_first_or_looked_up_match_by_match_gives_the_same_pages_and_count(url, monkeypatch,
                                                                                      reader_ids):
    """Every reader's search narrowed to each state, page by page and counted: with the
    state's ids read first wherever the search may (`_state_first` told that any state
    is small), with each match looked up, and as chosen, the same. On both databases the
    choice is the state's ids read first for a search through the word index (the cap at
    0, or a reader of every task) of a state of no more tasks than the read tests (a
    page's ranked reads, 2 here; the count's cap, 3), else the look-ups; a reader's
    matches read first (under the cap) are looked up by id, the state's ids never read.
    On SQLite a search whose state's ids are read already tests its matches among them,
    however many more than its own reads they are: here every state, each of fewer tasks
    than the probe reads (`_STATE_PROBE`), whose read gives them all."""
    monkeypatch.setattr(progress_queries, "READER_IDS", reader_ids)
    for state, reads, by_word_index, read_first in choices_made(url, monkeypatch):
        read = url.startswith("sqlite") or FEW[state] <= reads
        assert read_first == (by_word_index and read), (state, reads, by_word_index)


def test_a_state_of_more_than_a_share_of_the_tasks_is_not_read_first(url, monkeypatch):
    """A state whose probe is full (`_STATE_PROBE`, 1 here) and which holds more than
    `_STATE_SHARE` of the office's tasks (none here: a share of 0) is looked up match by
    match however far the read's limit is; only a state the probe read whole (of no task)
    is read first. The same pages and counts either way."""
    monkeypatch.setattr(progress_queries, "READER_IDS", 0)
    monkeypatch.setattr(progress_queries, "_STATE_PROBE", 1)
    monkeypatch.setattr(progress_queries, "_STATE_SHARE", 0.0)
    choices = choices_made(url, monkeypatch)
    for state, reads, by_word_index, read_first in choices:
        assert read_first == (by_word_index and FEW[state] == 0), (state, reads, by_word_index)


def choices_made(url, monkeypatch) -> list[tuple[str, int, bool, bool]]:
    """Every reader's search of `states_of_3_1_and_4`'s office narrowed to each state,
    asserted to give the same pages and counts with the state's ids read first wherever
    the search may, with each match looked up, and as `_state_first` chooses; its choices
    (state, reads, whether through the word index, whether read first): the tests calling
    it tell a wrong choice (on SQLite with the cap at 0 every search reads its state first:
    each state's ids are read whole by the probe)."""
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    monkeypatch.setattr(search, "SEARCH_COUNTED", 2)
    monkeypatch.setattr(progress_queries, "_PAGE_READS", 2)
    office = make_office(url)
    try:
        return _choices_in(office, monkeypatch)
    finally:  # its connections closed even when an assertion failed
        office.storage.engine.dispose()


def _choices_in(office, monkeypatch) -> list[tuple[str, int, bool, bool]]:
    an_office_of_every_kind_of_reading(office)
    states_of_3_1_and_4(office)
    chosen, choices = ProgressQueries._state_first, []

    def recorded(self, shape, values, state, reads):
        found = chosen(self, shape, values, state, reads)
        choices.append((state, reads, "matches" not in shape[1], found is not None))
        return found
    ways = {"read first": lambda self, shape, values, state, reads: chosen(self, shape, values, state, 10**9),
            "looked up": lambda *args: None, "chosen": recorded}
    for name, user_id in office.users.items():
        for state in STATES:
            found = {}
            for way, choice in ways.items():
                monkeypatch.setattr(ProgressQueries, "_state_first", choice)
                found[way] = every_page(office, user_id, state)
            assert found["read first"] == found["looked up"] == found["chosen"], (name, state)
    return choices
