"""Every list that grows comes a page at a time, on SQLite and PostgreSQL: the pages
put together are the whole list once, in a stable order; the counts are the whole
list's on every page; a page past the end is the last page.

The plan (TODAY is Monday 11/03/2024): 23 tasks; every third one has no date
(waiting), the others are due in February (overdue, the earlier the later) or at
the end of March (in progress); the lead units alternate, the other coordinates."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import insert

from adapters.storage import orm

from engine.access import task_access
from engine.reading import my_notices, plan_pages, progress, search, unit_work
from engine.reading.progress import Filters, plan_dashboard
from engine.reading.search_text import search_texts
from engine.reading.unit_work import unit_work as unit_page
from engine.tasks import steps
from tests.support.office import CBTH, KSTTHC, TTPV, clock_on, make_office

TODAY = date(2024, 3, 11)
N = 23


def _due(i: int) -> dict[str, str]:
    if i % 3 == 0:
        return {}
    return {"due": f"2024-02-{1 + i:02d}"} if i % 2 else {"due": "2024-03-29"}


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request):
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url")
    office = make_office(url)
    plan_id = office.plan([{"ref": str(i), "title": f"Nhiệm vụ số {i}", "lead": [(KSTTHC, TTPV)[i % 2]],
                            "coordinators": [(TTPV, KSTTHC)[i % 2]], **_due(i)}
                           for i in range(1, N + 1)])
    yield office, plan_id
    office.storage.engine.dispose()


def expected_states() -> dict[str, str]:
    return {str(i): "waiting_date" if i % 3 == 0 else "overdue" if i % 2 else "in_progress"
            for i in range(1, N + 1)}


def all_pages(read, size_attr: str, monkeypatch, size: int = 5):
    monkeypatch.setattr(size_attr, size)
    first = read(1)
    pages = [first] + [read(page) for page in range(2, first.pages + 1)]
    return first, pages


def test_the_dashboards_pages_list_every_task_once_in_plan_order(world, monkeypatch):
    office, plan_id = world
    first, pages = all_pages(lambda page: plan_dashboard(office.uow(), plan_id, TODAY, page=page),
                             "engine.reading.progress.PAGE_SIZE", monkeypatch)

    assert first.pages == 5 and [len(p.tasks) for p in pages] == [5, 5, 5, 5, 3]
    listed = [t.ref for p in pages for t in p.tasks]
    assert listed == [str(i) for i in range(1, N + 1)], "plan order, each task once"
    assert {t.ref: t.state for p in pages for t in p.tasks} == expected_states()
    assert all(p.counts == first.counts and p.listed == N for p in pages), "the counts are the plan's"
    assert first.counts["total"] == N and first.counts["waiting_date"] == 7 and first.counts["overdue"] == 8
    past_end = plan_dashboard(office.uow(), plan_id, TODAY, page=99)
    assert past_end.page == 5 and [t.ref for t in past_end.tasks] == ["21", "22", "23"]


def test_a_state_pages_its_own_tasks_and_the_overdue_list_shows_the_most_late(world, monkeypatch):
    office, plan_id = world
    late = Filters(state="overdue")
    first, pages = all_pages(lambda page: plan_dashboard(office.uow(), plan_id, TODAY, late, page=page),
                             "engine.reading.progress.PAGE_SIZE", monkeypatch, size=3)
    assert first.listed == 8 and first.pages == 3
    assert [t.ref for p in pages for t in p.tasks] == ["1", "5", "7", "11", "13", "17", "19", "23"]

    monkeypatch.setattr(progress, "OVERDUE_SHOWN", 4)
    view = plan_dashboard(office.uow(), plan_id, TODAY)
    assert [t.ref for t in view.overdue] == ["1", "5", "7", "11"], "the earliest due, the most late, first"
    assert [t.days_late for t in view.overdue] == sorted((t.days_late for t in view.overdue), reverse=True)
    assert view.counts["overdue"] == 8


def test_the_units_page_pages_most_urgent_first(world, monkeypatch):
    office, _ = world
    head = office.users["giamdoc.ttpv"]  # the unit leads or coordinates every task
    first, pages = all_pages(lambda page: unit_page(office.uow(), head, TODAY, page=page),
                             "engine.reading.unit_work.PAGE_SIZE", monkeypatch, size=4)
    assert first.pages == 6 and unit_work.PAGE_SIZE == 4
    overdue = ["1", "5", "7", "11", "13", "17", "19", "23"]  # most late first
    in_progress = ["2", "4", "8", "10", "14", "16", "20", "22"]  # all due 29/03: plan order
    waiting = ["3", "6", "9", "12", "15", "18", "21"]
    assert [t.ref for p in pages for t in p.tasks] == overdue + in_progress + waiting
    assert all(p.counts == first.counts and p.counts["total"] == N for p in pages)


def test_the_plan_pages_list_what_each_reader_may_read_as_the_access_rule_says(world, monkeypatch):
    """The database narrows the plan page by the reading rule (`task_access.may_read`):
    for every person of the office, the pages put together are the tasks the rule in
    Python lets them read, in plan order. Task 2's assignment names a co-handler, who
    then moves to another unit."""
    office, plan_id = world
    users = office.users
    assign = {i.plan_task_id: i for i in office.ready(plan_id) if i.form == "assign"}
    with office.uow() as uow:
        task_ids = {t.ref: t.id for t in uow.tasks.for_plan(plan_id)}
    steps.complete_step(office.uow(), assign[task_ids["2"]].id, users["truong.kstthc"],
                        {"assignee": users["cv.kstthc"], "co_handlers": [users["cv.kstthc2"]]}, clock=clock_on(TODAY))
    with office.uow() as uow:
        uow.users.get(users["cv.kstthc2"]).unit_id = office.units[CBTH]
        uow.commit()

    monkeypatch.setattr(plan_pages, "PAGE_SIZE", 4)
    with office.uow() as uow:
        plan, tasks = uow.plans.get(plan_id), uow.tasks.for_plan(plan_id)
        rule = {name: task_access.readable(uow, user_id, plan, [(t.ref, t) for t in tasks])
                for name, user_id in users.items()}
    for name, user_id in users.items():
        first = plan_pages.plan_overview(office.uow(), plan_id, TODAY, user_id)
        pages = [first] + [plan_pages.plan_overview(office.uow(), plan_id, TODAY, user_id, page=n)
                           for n in range(2, first.pages + 1)]
        assert [r.task.ref for p in pages for r in p.tasks] == rule[name], name
        assert first.listed == len(rule[name]) and first.pages == max(1, -(-len(rule[name]) // 4)), name
    assert rule["cv.kstthc2"] == ["2"] and rule["cv.cbth"] == []
    assert len(rule["theodoi"]) == N and len(rule["truong.kstthc"]) == N


def test_my_notices_come_a_page_at_a_time_newest_first(world, monkeypatch):
    office, plan_id = world
    staff = office.users["cv.kstthc"]
    with office.uow() as uow:
        task_id = uow.tasks.for_plan(plan_id)[0].id
        for i in range(N):  # two notices a day, the same minute: the newer id first
            uow.notices.add_if_absent({"key": f"test-{i}", "plan_task_id": task_id, "rung": "holder",
                                       "recipient_user_id": staff, "created_at": datetime(2024, 3, 1 + i // 2, 8)})
        uow.commit()
    monkeypatch.setattr(my_notices, "PAGE_SIZE", 10)
    first = my_notices.my_notices(office.uow(), staff)
    pages = [first] + [my_notices.my_notices(office.uow(), staff, n) for n in range(2, first.pages + 1)]

    keys = [n["key"] for p in pages for n in p.notices]
    newest_first = sorted(range(N), key=lambda i: (i // 2, i), reverse=True)
    assert first.pages == 3 and keys == [f"test-{i}" for i in newest_first]
    assert first.counts == {"notices": N, "arrivals": 0} and all(p.arrivals == [] for p in pages)
    assert my_notices.my_notices(office.uow(), staff, 99).page == 3
    oldest = pages[-1].notices[-1]  # opened from the last page: found wherever its page
    assert my_notices.my_notice(office.uow(), staff, "notices", oldest["id"])["key"] == "test-0"
    assert my_notices.my_notice(office.uow(), office.users["cv.kstthc2"], "notices", oldest["id"]) is None


def test_search_pages_the_tasks_found_best_first(world, monkeypatch):
    office, _ = world
    monkeypatch.setattr(search, "PAGE_SIZE", 6)
    first = search.search_tasks(office.uow(), "nhiem vu", TODAY)
    pages = [first] + [search.search_tasks(office.uow(), "nhiem vu", TODAY, page=n) for n in range(2, first.pages + 1)]
    assert first.listed == N and first.pages == 4 and [len(p.tasks) for p in pages] == [6, 6, 6, 5]
    assert [t.ref for p in pages for t in p.tasks] == [str(i) for i in range(1, N + 1)], "ties in plan order"
    late = search.search_tasks(office.uow(), "nhiem vu", TODAY, Filters(state="overdue"), page=2)
    assert late.listed == 8 and late.pages == 2 and [t.ref for t in late.tasks] == ["19", "23"]
    assert search.search_tasks(office.uow(), "nhiem vu", TODAY, page=99).page == 4


def test_the_best_match_is_first_however_many_tasks_match(world):
    """2,500 tasks hold "số" and "hóa" apart, one holds "số hóa" and comes last in plan
    order: the database ranks them all (no cap on candidates), so it is first."""
    office, plan_id = world
    texts = [f"Báo cáo số liệu tối ưu hóa quy trình {i}" for i in range(2500)] + ["Số hóa hồ sơ lưu trữ"]
    rows = []
    for position, title in enumerate(texts, start=100):
        plain, folded = search_texts([title])
        rows.append({"plan_id": plan_id, "position": position, "ref": str(position), "title": title,
                     "search_text": plain, "search_folded": folded})
    with office.storage.engine.begin() as conn:
        conn.execute(insert(orm.plan_tasks), rows)
    found = search.search_tasks(office.uow(), "số hóa", TODAY)
    assert found.listed == 2501 and found.tasks[0].title == "Số hóa hồ sơ lưu trữ"
    assert search.search_tasks(office.uow(), "so hoa", TODAY).tasks[0].title == "Số hóa hồ sơ lưu trữ"
