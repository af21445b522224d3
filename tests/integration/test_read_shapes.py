"""The dashboard's, the plan page's and the unit page's statements are built once per shape of what they
read and run with the values bound, on SQLite and PostgreSQL: read for two plans, two
filters and two people in turn, each read still gives its own rows, the same as the
plain per-task reading (`progress.load_tasks` and the access rule in Python) says; and a
read sends as many statements for a plan of 4 tasks as for one of 40: the dashboard 4,
the plan page 3. (Counted, never timed.)

The office (TODAY is Monday 11/03/2024): plan A, 40 tasks led by KSTTHC or TTPV in turn,
due in February (overdue), at the end of March, or not dated; plan B, 4 tasks led by
CBTH, due at the end of March."""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

from sqlalchemy import update

from adapters.storage import orm
from adapters.storage.reads import count_statements, dashboard_statement, page_statements
from engine.access import task_access
from engine.process import instances
from engine.reading import plan_pages, unit_work
from engine.reading.progress import OVERDUE, Filters, completion, count_states, load_tasks, plan_dashboard
from engine.tasks.inbox import list_inbox
from tests.support.office import CBTH, KSTTHC, TTPV, make_office
from tests.support.statements import sent_statements, sent_with_parameters

TODAY = date(2024, 3, 11)


def _plans(office) -> tuple[int, int]:
    a = office.plan([{"ref": str(i), "lead": [(KSTTHC, TTPV)[i % 2]], "coordinators": [CBTH],
                      **({} if i % 5 == 0 else {"due": f"2024-02-{1 + i % 28:02d}" if i % 3 else "2024-03-29"})}
                     for i in range(1, 41)])
    b = office.plan([{"ref": f"B{i}", "lead": [CBTH], "due": "2024-03-29"} for i in range(1, 5)])
    return a, b


def _plain(office, plan_id: int, filters: Filters) -> tuple[dict, Counter, list[str], list[str]]:
    """What the dashboard should show, worked out task by task in Python: the counts, the
    lead units' counts, the listed tasks in plan order, and the overdue ones most late first."""
    with office.uow() as uow:
        tasks = [t for t in load_tasks(uow, plan_id, TODAY, instances.calendar(uow)) if filters.in_scope(t)]
    units = Counter((u.name, t.state) for t in tasks for u in t.lead)
    overdue = sorted((t for t in tasks if t.state == OVERDUE), key=lambda t: t.due_on)  # stable: then plan order
    return count_states(tasks), units, [t.ref for t in tasks if filters.listed(t)], [t.ref for t in overdue]


def test_dashboards_of_two_plans_and_filters_in_turn_show_each_its_own_tasks(office_on_each_database):
    office = office_on_each_database
    a, b = _plans(office)
    reads = [(a, Filters()), (b, Filters()), (a, Filters(unit_id=office.units[TTPV], state=OVERDUE)),
             (a, Filters(due_from=date(2024, 2, 10), due_to=date(2024, 3, 31))), (b, Filters(state=OVERDUE)),
             (a, Filters(unit_id=office.units[KSTTHC]))]
    for plan_id, filters in reads * 2:
        view = plan_dashboard(office.uow(), plan_id, TODAY, filters)
        counts, units, listed, overdue = _plain(office, plan_id, replace(filters, plan_id=plan_id))
        assert view.counts == counts, (plan_id, filters)
        assert Counter({(u.name, s): n for u in view.units for s, n in u.counts.items()
                        if s != "total" and n}) == units, (plan_id, filters)
        assert [t.ref for t in view.tasks] == listed[:50], (plan_id, filters)
        assert [t.ref for t in view.overdue] == overdue[:20], (plan_id, filters)
    assert {u.name for u in plan_dashboard(office.uow(), b, TODAY).unit_choices} == {CBTH}


def test_the_dashboard_s_counts_and_chart_summed_by_month_in_sql_are_its_tasks_taken_one_by_one(
        office_on_each_database):
    """The dashboard's states and completion chart come from the database summed by state
    and month: the same as its tasks worked out one by one give, for three lead units, due
    dates past and future (a quarter's end, one next year) or none, tasks closed on time,
    late and after the day, on days before, during and after the deadlines."""
    office = office_on_each_database
    due = ("2024-02-05", "2024-03-29", "2024-06-30", "2024-09-30", "2025-02-14", None)
    plan_id = office.plan([{"ref": str(i), "lead": [(KSTTHC, TTPV, CBTH)[i % 3]],
                            **({"due": due[i % 6]} if due[i % 6] else {})} for i in range(1, 37)])
    with office.uow() as uow:
        plan, ids = uow.plans.get(plan_id), [t.id for t in uow.tasks.for_plan(plan_id)]
    with office.storage.engine.begin() as conn:
        for closed_on, closed in ((date(2024, 2, 1), ids[0::5]), (date(2024, 3, 20), ids[1::5]),
                                  (date(2024, 10, 2), ids[2::7])):
            conn.execute(update(orm.plan_tasks).where(orm.plan_tasks.c.id.in_(closed))
                         .values(status="closed", closed_on=closed_on))
    for day in (date(2024, 1, 16), date(2024, 3, 11), date(2024, 7, 1), date(2025, 3, 3)):
        view = plan_dashboard(office.uow(), plan_id, day)
        with office.uow() as uow:
            tasks = load_tasks(uow, plan_id, day, instances.calendar(uow))
        one_by_one = [{"state": t.state, "n": 1, **{f"{name}_month": f"{d:%Y-%m}" if d else None
                                                   for name, d in (("due", t.due_on), ("closed", t.closed_on))}}
                      for t in tasks]
        assert view.counts == count_states(tasks), day
        assert view.completion == completion(one_by_one, plan, day), day
        assert {"done_on_time", "done_late"} <= {t.state for t in tasks} or day < date(2024, 7, 1), day
    assert (view.completion[0].month, view.completion[-1].month, view.completion[-1].due) == ("2024-01", "2025-03", 30)


def test_plan_pages_read_by_two_people_in_turn_list_what_each_may_read(office_on_each_database):
    office = office_on_each_database
    a, b = _plans(office)
    people = ("theodoi", "cv.kstthc", "truong.kstthc", "cv.cbth")
    with office.uow() as uow:
        rule = {(plan_id, name): task_access.readable(uow, office.users[name], uow.plans.get(plan_id),
                                                      [(t.ref, t) for t in uow.tasks.for_plan(plan_id)])
                for plan_id in (a, b) for name in people}
    assert len(rule[a, "theodoi"]) == 40 and len(rule[a, "truong.kstthc"]) == 20 and rule[b, "cv.kstthc"] == []
    for plan_id in (a, b, a):
        for name in people:
            view = plan_pages.plan_overview(office.uow(), plan_id, TODAY, office.users[name])
            assert [r.task.ref for r in view.tasks] == rule[plan_id, name], (plan_id, name)
            assert view.listed == len(rule[plan_id, name])


def test_a_read_sends_as_many_statements_for_40_tasks_as_for_4_and_builds_them_once(office_on_each_database):
    office = office_on_each_database
    a, b = _plans(office)
    monitor = office.users["theodoi"]
    dashboard = lambda plan_id: plan_dashboard(office.uow(), plan_id, TODAY)  # noqa: E731
    page = lambda plan_id: plan_pages.plan_overview(office.uow(), plan_id, TODAY, monitor)  # noqa: E731
    apart = office.storage.engine.dialect.name == "sqlite"  # its pages, page details: a statement each
    for read, expected in ((dashboard, 7 if apart else 4), (page, 4 if apart else 3)):
        read(a)  # the first read of a shape builds its statements
        built = dashboard_statement.dashboard_statement.cache_info().misses, \
            page_statements.slices_statement.cache_info().misses
        with sent_statements(office.storage.engine) as big:
            read(a)
        with sent_statements(office.storage.engine) as small:
            read(b)
        assert len(big) == len(small) == expected, (big, small)
        assert (dashboard_statement.dashboard_statement.cache_info().misses,
                page_statements.slices_statement.cache_info().misses) == built, "no statement built again"


def test_a_plan_s_lead_units_are_counted_from_its_groups_not_its_tasks_units(office_on_each_database):
    """Unfiltered or by dates, the dashboard's counts statement sums the plan's groups in
    `unit_task_counts` for its lead units and choices; narrowed to a lead unit, it joins
    the tasks to their units (a unit's groups do not tell which tasks another also leads)."""
    office = office_on_each_database
    a, _ = _plans(office)
    for filters, from_groups in ((Filters(), True), (Filters(due_from=date(2024, 2, 10)), True),
                                 (Filters(unit_id=office.units[TTPV]), False)):
        with sent_statements(office.storage.engine) as sent:
            plan_dashboard(office.uow(), a, TODAY, filters)
        [counts] = [s for s in sent if "'dates'" in s]
        assert "unit_task_counts" in counts and ("task_units" not in counts) == from_groups, (filters, counts)


def test_two_heads_inboxes_in_turn_send_three_statements_each_and_show_their_own_steps(office_on_each_database):
    """The inbox's counts and filter choices come in one statement with each other: three
    statements (the person, counts with choices, the page) for 4 steps as for 20; read in
    turn, each head sees the steps of the tasks their unit leads."""
    office = office_on_each_database
    a, b = _plans(office)
    with office.uow() as uow:
        refs = {t.id: t.ref for plan_id in (a, b) for t in uow.tasks.for_plan(plan_id)}
    expected = {"truong.kstthc": {str(i) for i in range(2, 41, 2)}, "giamdoc.cbth": {f"B{i}" for i in range(1, 5)}}
    for name in ("truong.kstthc", "giamdoc.cbth") * 2:
        with sent_statements(office.storage.engine) as sent:
            box = list_inbox(office.uow(), office.users[name], TODAY)
        assert len(sent) == 3, sent
        assert {refs[i.task_id] for i in box.items} == expected[name] and box.counts["total"] == len(expected[name])
        assert {p for p, _ in box.plans} == ({a} if name == "truong.kstthc" else {b})


def test_a_plan_page_past_the_end_is_the_last_page_read_again(office_on_each_database, monkeypatch):
    """The count comes with the page asked for; a page past the end (the list shrank, or
    a typed address) is then read again as the last page."""
    office = office_on_each_database
    a, _ = _plans(office)
    monkeypatch.setattr(plan_pages, "PAGE_SIZE", 15)
    monitor = office.users["theodoi"]
    pages = [plan_pages.plan_overview(office.uow(), a, TODAY, monitor, page=n) for n in (1, 2, 3)]
    assert [[r.task.ref for r in p.tasks] for p in pages] == [[str(i) for i in range(k, min(k + 15, 41))]
                                                              for k in (1, 16, 31)]
    with sent_statements(office.storage.engine) as sent:
        past = plan_pages.plan_overview(office.uow(), a, TODAY, monitor, page=9)
    assert past.page == past.pages == 3 and [r.task.ref for r in past.tasks] == [str(i) for i in range(31, 41)]
    # On SQLite the page's units and steps are a statement each, and the empty page asked
    # for, whose rows carry the count, tells none: counted apart.
    sqlite = office.storage.engine.dialect.name == "sqlite"
    assert past.listed == 40 and len(sent) == (6 if sqlite else 4), sent  # the page asked for, then the last one


def test_a_plan_page_with_no_task_to_read_counts_none_without_a_count_apart(office_on_each_database):
    """A reader of none of the plan's tasks: the first page is empty, and tells that there
    is nothing to count (on SQLite the count comes as a column of the page's rows)."""
    office = office_on_each_database
    _, b = _plans(office)
    with sent_statements(office.storage.engine) as sent:
        view = plan_pages.plan_overview(office.uow(), b, TODAY, office.users["cv.kstthc"])
    assert view.tasks == [] and view.listed == 0 and view.page == view.pages == 1
    assert len(sent) == 2, sent  # the plan with its reader, then the page with its count


def test_unit_pages_of_units_in_turn_count_each_its_own_tasks_from_statements_built_once(office_on_each_database):
    """The unit page's counts, plans and page statements are built once per shape and run
    with the unit, plan and day bound: read for three units and one of their plans in
    turn, each page still counts and lists its own unit's tasks."""
    office = office_on_each_database
    a, b = _plans(office)
    with office.uow() as uow:
        tasks = [t for plan_id in (a, b) for t in load_tasks(uow, plan_id, TODAY, instances.calendar(uow))]
    reads = [("truong.kstthc", KSTTHC, None), ("giamdoc.ttpv", TTPV, None), ("giamdoc.cbth", CBTH, None),
             ("giamdoc.cbth", CBTH, b)]

    def read_all() -> None:
        for username, unit, plan_id in reads:
            mine = [t for t in tasks if unit in {u.name for u in t.lead + t.coordinators}
                    and plan_id in (None, t.plan_id)]
            view = unit_work.unit_work(office.uow(), office.users[username], TODAY, Filters(plan_id=plan_id))
            assert view.counts == count_states(mine), (username, plan_id)
            assert view.listed == len(mine) and {t.id for t in view.tasks} <= {t.id for t in mine}
            if plan_id is None:
                assert sorted(p for p, _ in view.plan_choices) == sorted({t.plan_id for t in mine}), username

    read_all()  # the first read of each shape builds its statements
    built = [f.cache_info().misses for f in (count_statements.counts_and_plans_statement, page_statements.unit_page)]
    read_all()
    assert [f.cache_info().misses for f in (count_statements.counts_and_plans_statement,
                                            page_statements.unit_page)] == built, "no statement built again"


def test_the_dashboard_and_plan_page_statements_stay_within_what_psycopg_keeps_converted(postgres_fresh_url):
    """psycopg converts a statement's SQL (its named parameters to PostgreSQL's) once and
    keeps it only for SQL of at most 4 kB and 50 parameters; past that it parses the SQL
    again at every run. A page of 50 tasks: its ids are one array, its notices are read
    without who acted, and the most overdue are ordered by their columns' names."""
    from psycopg import _queries as psycopg_queries

    office = make_office(postgres_fresh_url)
    plan_id = office.plan([{"ref": str(i), "lead": [KSTTHC], **({"due": "2024-02-20"} if i % 2 else {})}
                           for i in range(1, 61)])
    monitor = office.users["theodoi"]
    for read in (lambda: plan_dashboard(office.uow(), plan_id, TODAY),
                 lambda: plan_pages.plan_overview(office.uow(), plan_id, TODAY, monitor)):
        with sent_with_parameters(office.storage.engine) as sent:
            read()
        assert len(sent) >= 3
        for sql, parameters in sent:
            assert len(sql.encode()) <= psycopg_queries.MAX_CACHED_STATEMENT_LENGTH, (len(sql.encode()), len(parameters), sql[:60])
            assert len(parameters) <= psycopg_queries.MAX_CACHED_STATEMENT_PARAMS, sql
    dashboard = plan_dashboard(office.uow(), plan_id, TODAY)
    assert len(dashboard.tasks) == 50 and len(dashboard.overdue) == 20
