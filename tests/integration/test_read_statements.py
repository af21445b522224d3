"""What a page's read sends, on SQLite and PostgreSQL: the dashboard four statements and
the plan page three (its plan read with who reads it), whatever the plan's size, and on
SQLite the dashboard's two pages (`task_slices`) and a page's units, steps and notices
(`page_details`) one statement each (no round trip to save there); neither reads the office days (the
calendar this process keeps is known current from the plan's read) nor a person's
whole row. Over HTTP a page reads its person once: the session's check, whose read the
page's own reads reuse until the request writes. (Counted, never timed.)"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import partial

import pytest
from sqlalchemy import update

from adapters.storage import orm
from engine import model
from engine.deadlines import office_days
from engine.errors import NotFound
from engine.process import instances
from engine.reading.plan_pages import plan_overview
from engine.reading.progress import OVERDUE_SHOWN, Filters, plan_dashboard
from engine.reading.unit_work import person_work, unit_work
from engine.tasks import steps
from tests.e2e.web_helpers import login
from tests.support.deadlines import ISSUED, office_clock, ready
from tests.support.office import KSTTHC, TTPV, clock_on
from tests.support.statements import sent_statements, sent_with_parameters
from web import create_app

TODAY = date(2024, 3, 11)


def statements(office, read, warm: bool = True) -> list[str]:
    if warm:
        read()  # the first read of a process builds the calendar
    with sent_statements(office.storage.engine) as sent:
        read()
    return sent


def lean(sent: list[str]) -> list[str]:
    """`sent`, having read neither the office days nor a password hash."""
    assert not [s for s in sent if "FROM office_days" in s or "password_hash" in s], sent
    return sent


def test_the_dashboard_and_the_plan_page_send_a_fixed_handful_of_statements(office_on_each_database):
    office = office_on_each_database
    plan = office.plan([{"ref": str(i), "lead": [(KSTTHC, TTPV)[i % 2]], "coordinators": [TTPV], "due": "2024-03-29"}
                        for i in range(1, 7)])
    apart = office.storage.engine.dialect.name == "sqlite"  # the pages and their details: a statement each
    sent = lean(statements(office, lambda: plan_dashboard(office.uow(), plan, TODAY)))
    assert len(sent) == (7 if apart else 4), sent  # plan, counts, pages, their units with steps and notices

    def overview_of(person: str):
        return plan_overview(office.uow(), plan, TODAY, office.users[person])

    for person in ("theodoi", "cv.kstthc"):
        sent = lean(statements(office, partial(overview_of, person)))
        assert len(sent) == (4 if apart else 3), sent  # plan with person, count with page, units and steps


def test_a_page_over_http_reads_its_person_once(office):
    plan = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    app = create_app({"DATABASE_URL": office.storage.url, "TESTING": True, "SECRET_KEY": "test", "TODAY": TODAY})
    app.extensions["planflow"] = office.storage  # one engine, so the listener sees the pages' SQL
    client = app.test_client()
    login(client, "truong.kstthc")
    for path in ("/", f"/plans/{plan}", f"/plans/{plan}/dashboard"):
        sent = lean(statements(office, partial(client.get, path)))
        users = [s for s in sent if "FROM users" in s]
        assert len(users) == 1 and "units.name" in users[0], (path, sent)  # with the unit's name, in one read


def test_a_request_s_units_of_work_share_what_they_read_until_one_commits(office_on_each_database):
    office = office_on_each_database
    head = office.users["truong.kstthc"]
    seen: dict = {}
    with office.storage.uow(seen) as uow:  # the session's check, and a page building the calendar
        uow.users.profile(head)
        instances.calendar(uow)
    sent = statements(office, lambda: _acting_and_calendar(office, seen, head), warm=False)
    assert sent == [], sent
    office_days.add_day(office.storage.uow(seen), office.users["theodoi"], "2024-03-25", "off", "Kỷ niệm",
                        clock=clock_on(TODAY))
    assert seen == {}
    sent = statements(office, lambda: _acting_and_calendar(office, seen, head), warm=False)
    assert len(sent) == 2 and "FROM office_days" in sent[1], sent  # the person and the version, then the days


def _acting_and_calendar(office, seen: dict, user_id: int) -> None:
    with office.storage.uow(seen) as uow:
        assert uow.users.acting(user_id) == model.Actor(user_id, office.units[KSTTHC], "unit_head")
        instances.calendar(uow)


def test_the_unit_page_and_a_person_s_page_read_only_what_they_show_of_the_person(office_on_each_database):
    office = office_on_each_database
    office.plan([{"ref": str(i), "lead": [(KSTTHC, TTPV)[i % 2]], "coordinators": [TTPV], "due": "2024-03-29"}
                 for i in range(1, 7)])
    head, staff = office.users["truong.kstthc"], office.users["cv.kstthc"]
    apart = office.storage.engine.dialect.name == "sqlite"  # a page's units and steps: a statement each
    sent = lean(statements(office, lambda: unit_work(office.uow(), head, TODAY)))
    assert len(sent) == (5 if apart else 4), sent  # the person with the unit's name, counts with plans, the page, its details
    sent = lean(statements(office, lambda: person_work(office.uow(), staff, TODAY)))
    # the person, then their counts with plans and their page in one statement (no task: no details)
    assert len(sent) == 2, sent
    view = unit_work(office.uow(), head, TODAY)
    assert view.owner == KSTTHC and view.owner_unit_id == office.units[KSTTHC] and view.listed == 3
    view = person_work(office.uow(), staff, TODAY)
    assert view.scope == "person" and view.owner_unit_id == office.units[KSTTHC]


def test_the_work_pages_read_who_holds_each_task_not_the_notices_sent(office_on_each_database):
    """The unit page and a person's page show who holds each task's steps, not the notices
    sent about it (`work/index.html`): those are not read. The dashboard shows them."""
    office = office_on_each_database
    day = date(2024, 4, 3)
    with office_clock(day) as clock:  # after the deadline: the intake tells the holders at once
        plan = office.plan([{"ref": str(i), "lead": [KSTTHC], "due": "2024-03-29"} for i in (1, 2)],
                           issued=ISSUED, clock=clock)
        head, staff = office.users["truong.kstthc"], office.users["cv.kstthc"]
        steps.complete_step(office.uow(), ready(office, plan, "assign")[0].id, head, {"assignee": staff}, clock=clock)
    overdue = plan_dashboard(office.uow(), plan, day).overdue
    assert len(overdue) == 2 and all(t.notices for t in overdue)
    for read in (lambda: unit_work(office.uow(), head, day), lambda: person_work(office.uow(), staff, day)):
        sent = lean(statements(office, read))
        assert not [s for s in sent if "audit_events" in s], sent
        tasks = read().tasks
        assert tasks and all(t.steps and not t.notices for t in tasks), tasks


def test_the_dashboard_page_reads_the_notices_of_its_most_overdue_tasks_alone(office_on_each_database):
    """The dashboard's page shows the notices sent about its most overdue tasks, not about
    its task list's (`dashboard/plan.html`): only those are read. Its JSON has every task's."""
    office = office_on_each_database
    day = date(2024, 4, 3)
    with office_clock(day) as clock:  # after the deadline: the intake tells each task's holder at once
        plan = office.plan([{"ref": str(i), "lead": [KSTTHC], "due": "2024-03-29"} for i in range(OVERDUE_SHOWN + 1)],
                           issued=ISSUED, clock=clock)
    every = plan_dashboard(office.uow(), plan, day)
    shown = plan_dashboard(office.uow(), plan, day, every_notice=False)
    overdue = {t.id for t in shown.overdue}
    assert len(every.tasks) == OVERDUE_SHOWN + 1 and all(t.notices for t in every.tasks)
    assert shown.overdue == every.overdue and len(overdue) == OVERDUE_SHOWN
    assert [bool(t.notices) for t in shown.tasks] == [t.id in overdue for t in shown.tasks]
    assert [replace(t, notices=[]) for t in shown.tasks] == [replace(t, notices=[]) for t in every.tasks]
    app = create_app({"DATABASE_URL": office.storage.url, "TESTING": True, "SECRET_KEY": "test", "TODAY": day})
    app.extensions["planflow"] = office.storage  # one engine, so the listener sees the pages' SQL
    client = app.test_client()
    login(client, "theodoi")
    for path, told in ((f"/plans/{plan}/dashboard", overdue), (f"/api/plans/{plan}/progress", {t.id for t in every.tasks})):
        with sent_with_parameters(office.storage.engine) as sent:
            assert client.get(path).status_code == 200
        [asked] = [parameters for statement, parameters in sent if "audit_events" in statement]
        assert _told(asked) == told, (path, asked)


def _told(parameters) -> set[int]:
    """The tasks whose notices a statement reads: its `told_ids` on PostgreSQL (a page's
    details in one statement), its parameters on SQLite (the notices a statement apart)."""
    return set(parameters["told_ids"] if isinstance(parameters, dict) else parameters)


def test_a_person_s_page_counts_and_offers_the_plans_of_their_tasks_filtered_or_not(office_on_each_database):
    """Unfiltered, the counts and the plans to choose from are read together, by plan and
    state; filtered by a plan, the counts narrow and the choices stay every plan of theirs."""
    office = office_on_each_database
    with office_clock(ISSUED) as clock:
        first = office.plan([{"ref": str(i), "lead": [KSTTHC], "due": "2024-03-29"} for i in (1, 2)])
        second = office.plan([{"ref": "3", "lead": [KSTTHC], "due": "2024-03-01"}])
        office.plan([{"ref": "4", "lead": [KSTTHC], "due": "2024-03-01"}])  # none of theirs
        clock.on(TODAY)
        staff = office.users["cv.kstthc"]
        for item in ready(office, first, "assign") + ready(office, second, "assign"):
            steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"], {"assignee": staff}, clock=clock)
    view = person_work(office.uow(), staff, TODAY)
    assert (view.counts["total"], view.counts["in_progress"], view.counts["overdue"], view.listed) == (3, 2, 1, 3)
    assert [plan_id for plan_id, _ in view.plan_choices] == [first, second]
    view = person_work(office.uow(), staff, TODAY, Filters(plan_id=second))
    assert (view.counts["total"], view.counts["overdue"], [t.ref for t in view.tasks]) == (1, 1, ["3"])
    assert [plan_id for plan_id, _ in view.plan_choices] == [first, second]
    view = person_work(office.uow(), office.users["cv.kstthc2"], TODAY)
    assert (view.counts["total"], view.plan_choices, view.tasks) == (0, [], [])


def test_a_person_s_counts_and_first_page_are_one_statement_and_a_page_past_the_end_is_the_last(office_on_each_database):
    """Unfiltered, the person's tasks are looked up once for their counts and their page;
    a page past the end is read again as the last, filtered ones as before, apart."""
    office = office_on_each_database
    with office_clock(ISSUED) as clock:
        plan = office.plan([{"ref": str(i), "lead": [KSTTHC], "due": "2024-03-29" if i % 3 else "2024-03-01"}
                            for i in range(1, 56)])
        clock.on(TODAY)
        staff = office.users["cv.kstthc"]
        for item in ready(office, plan, "assign"):
            steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"], {"assignee": staff}, clock=clock)
    sent = lean(statements(office, lambda: person_work(office.uow(), staff, TODAY)))
    assert sum("page_urgent" in s and "counts_state" in s for s in sent) == 1, sent
    assert not any(s.startswith("WITH") for s in sent) or office.storage.engine.dialect.name == "sqlite", sent
    first, last = (person_work(office.uow(), staff, TODAY, page=n) for n in (1, 2))
    assert (first.listed, first.pages, len(first.tasks), len(last.tasks)) == (55, 2, 50, 5)
    assert [t.ref for t in first.tasks[:18]] == [str(i) for i in range(3, 55, 3)]  # the overdue ones first
    assert person_work(office.uow(), staff, TODAY, page=9) == last
    assert person_work(office.uow(), staff, TODAY, page=0) == first
    overdue = person_work(office.uow(), staff, TODAY, Filters(state="overdue"), page=2)
    assert (overdue.page, [t.ref for t in overdue.tasks]) == (1, [str(i) for i in range(3, 55, 3)])
    by_plan = person_work(office.uow(), staff, TODAY, Filters(plan_id=plan), page=2)
    assert by_plan.tasks == last.tasks and by_plan.counts == last.counts


def test_a_plan_page_read_with_its_reader_refuses_one_no_longer_active_or_unknown(office_on_each_database):
    """The plan page reads who reads it with the plan: the access rule still holds."""
    office = office_on_each_database
    plan = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    with office.uow() as uow:
        uow.session.execute(update(orm.users).where(orm.users.c.id == office.users["cv.kstthc"]).values(active=False))
        uow.commit()
    for user_id in (office.users["cv.kstthc"], 10_000):
        with pytest.raises(NotFound):
            plan_overview(office.uow(), plan, TODAY, user_id)
    head = office.users["truong.kstthc"]
    assert [row.task.ref for row in plan_overview(office.uow(), plan, TODAY, head).tasks] == ["1"]
