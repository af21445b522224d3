"""The inbox's counts and filter choices come from count tables kept by triggers
(migration 0019); they must be what the ready steps themselves say, after every kind
of change to a step: started, taken, given back, assigned, reassigned, completed, its
date moved, swept by the timers, folded by the scheduler, read by a fresh Storage.
On SQLite and PostgreSQL. The page in due order must be the same as sorting every
row, on every page, and its plan must read the holder's steps in index order."""
from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from alembic import command

from adapters.storage import Storage, inbox_counts, orm
from adapters.storage.reads import inbox_pages, inbox_totals
from engine.deadlines import extension_requests
from engine.reading.search import search_tasks
from engine.tasks import inbox, steps
from tests.support.deadlines import DUE, ISSUED, office_clock, ready, sweep_at
from tests.support.inbox_check import check_every_inbox
from tests.support.office import CBTH, KSTTHC, TTPV, Office, make_office, staffed
from tests.support.progress_plan import close_task
from tests.support.schema import defined, stored
from tests.support.unordered import shuffled_union_all


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url")


@pytest.fixture
def office(url):
    office = make_office(url)
    yield office
    office.storage.engine.dispose()


def count_rows(office: Office) -> int:
    with office.storage.engine.connect() as conn:
        return sum(conn.scalar(select(func.count()).select_from(t)) for t in (orm.inbox_counts, orm.inbox_choices))


def test_the_counts_follow_every_change_to_a_step_and_survive_folding_and_a_restart(office):
    with office_clock(ISSUED) as clock:
        plan_id = office.plan([
            {"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV], "due": DUE, "director": "chanhvp"},
            {"ref": "2", "lead": [KSTTHC, CBTH], "due": "2024-06-28"},
            {"ref": "3", "lead": [CBTH]},
            {"ref": "4", "lead": [KSTTHC], "due": "2024-01-19"},
            {"ref": "5", "lead": [KSTTHC]},
        ], issued=ISSUED)
        today = date(2024, 1, 16)
        clock.on(today)
        started = check_every_inbox(office, today)
        assert started
        head, staff = office.users["truong.kstthc"], office.users["cv.kstthc"]
        assigns = {i.plan_task_id: i for i in ready(office, plan_id, "assign")}
        with office.uow() as uow:
            by_ref = {t.ref: t.id for t in uow.tasks.for_plan(plan_id)}

        steps.claim(office.uow(), assigns[by_ref["2"]].id, head, clock=clock)  # taken
        check_every_inbox(office, today)
        steps.unclaim(office.uow(), assigns[by_ref["2"]].id, head, clock=clock)  # given back
        check_every_inbox(office, today)
        steps.claim(office.uow(), assigns[by_ref["2"]].id, head, clock=clock)
        steps.complete_step(office.uow(), assigns[by_ref["2"]].id, head, {"assignee": staff}, clock=clock)
        steps.complete_step(office.uow(), assigns[by_ref["1"]].id, head, {"assignee": staff}, clock=clock)
        check_every_inbox(office, today)  # completed: a report step for the staff member

        reports = ready(office, plan_id, "report")
        steps.reassign(office.uow(), reports[0].id, head, office.users["cv.kstthc2"], "Đổi người", clock=clock)
        check_every_inbox(office, today)
        report = ready(office, plan_id, "report")[-1]
        asked = extension_requests.request_extension(office.uow(), report.id, report.assignee_user_id, "2024-07-12",
                                                     "Chờ số liệu", clock=clock)
        check_every_inbox(office, today)
        extension_requests.decide_extension(office.uow(), asked, office.users["chanhvp"], True, "", clock=clock)
        check_every_inbox(office, today)  # its date moved

        later = date(2024, 4, 5)
        sweep_at(office, clock, later)  # the ladder fires; steps fall late
        check_every_inbox(office, later)

        rows = count_rows(office)
        assert office.storage.compact_inbox_counts() > 0
        assert count_rows(office) < rows
        check_every_inbox(office, later)
        assert office.storage.compact_inbox_counts() == 0  # nothing new: nothing folded

        fresh = Office(Storage(office.storage.url), office.units, office.users)
        try:
            check_every_inbox(fresh, later)
        finally:
            fresh.storage.engine.dispose()


def test_a_page_in_due_order_is_the_sorted_inbox_page_by_page(office):
    """A unit head with 130 steps of several dates and none: 3 pages of 50 in due order,
    undated last, each step once, as sorting all of them gives."""
    with office_clock(ISSUED):
        office.plan([{"ref": str(i), "lead": [KSTTHC], "due": None if i % 5 == 0 else f"2024-0{2 + i % 6}-1{i % 9}"}
                     for i in range(130)])
    head, today = office.users["truong.kstthc"], date(2024, 4, 1)
    with office.storage.engine.connect() as conn:
        w = orm.work_items.c
        rows = conn.execute(select(w.id, w.due_on).where(w.state == "ready", w.candidate_unit_id == office.units[KSTTHC],
                                                         w.candidate_role == "unit_head")).all()
    want = [r.id for r in sorted(rows, key=lambda r: (r.due_on is None, r.due_on or today, r.id))]
    assert len(want) == 130
    got = []
    for page in (1, 2, 3):
        box = inbox.list_inbox(office.uow(), head, today, inbox.InboxQuery(page=page))
        assert box.pages == 3 and box.counts["total"] == 130
        got += [item.work_item_id for item in box.items]
    assert got == want
    late = inbox.list_inbox(office.uow(), head, today, inbox.InboxQuery(due="late", page=2), page_size=10)
    dated_late = [i for i in want if dict(rows)[i] is not None and dict(rows)[i] < today]
    assert len(dated_late) > 20 and [item.work_item_id for item in late.items] == dated_late[10:20]


def received_order(office: Office, user_id: int, today: date, query: inbox.InboxQuery) -> list[int]:
    """The ids of every step the person's inbox lists under `query`, newest received
    first, sorted here from the rows (the holder branches as `inbox_holders.branches` names them)."""
    w, u = orm.work_items.c, orm.users.c
    with office.storage.engine.connect() as conn:
        unit_id, role = conn.execute(select(u.unit_id, u.role).where(u.id == user_id)).one()
        rows = conn.execute(select(w.id, w.created_at, w.due_on, w.assignee_user_id, w.claimed_by,
                                   w.candidate_unit_id, w.candidate_role).where(w.state == "ready")).all()
    mine = [r for r in rows if r.assignee_user_id == user_id or r.claimed_by == user_id]
    free = [r for r in rows if r.assignee_user_id is None and r.claimed_by is None and r.candidate_role == role
            and r.candidate_unit_id in (None, unit_id)]
    held = {"mine": mine, "unit": free}.get(query.whose or "", mine + free)
    if query.due == "late":
        held = [r for r in held if r.due_on is not None and r.due_on < today]
    return [r.id for r in sorted(held, key=lambda r: (r.created_at, r.id), reverse=True)]


def checked_as_steps_move(office: Office, check, head: int, clock, taken: list, given_back) -> None:
    """`check` the office; again after the head takes the `taken` steps and gives one
    back; and from a fresh Storage."""
    check(office)
    for item in taken:
        steps.claim(office.uow(), item.id, head, clock=clock)
    steps.unclaim(office.uow(), given_back.id, head, clock=clock)
    check(office)
    fresh = Office(Storage(office.storage.url), office.units, office.users)
    try:
        check(fresh)
    finally:
        fresh.storage.engine.dispose()


def test_a_page_in_the_order_received_is_the_sorted_inbox_page_by_page(office):
    """130 steps received at different times (some at the same time), a few taken by the
    head and some assigned to a staff member: page after page, newest first, for the head
    and the staff member, unfiltered, late only and the unit's only, again after more
    are taken and one given back, and from a fresh Storage, as sorting every row gives."""
    with office_clock(ISSUED) as clock:
        [items] = spread_plans(office, (130,))[1]
        head, staff, today = office.users["truong.kstthc"], office.users["cv.kstthc"], date(2024, 4, 1)
        for item in items[:4]:
            steps.claim(office.uow(), item.id, head, clock=clock)
        clock.on(date(2024, 1, 20))
        for item in items[4:10]:  # the staff member's steps by name, received at once
            steps.complete_step(office.uow(), item.id, head, {"assignee": staff}, clock=clock)

        def check(storage_office: Office) -> None:
            for user, query, size in [(head, inbox.InboxQuery(sort="received"), 50),
                                      (head, inbox.InboxQuery(sort="received", due="late"), 10),
                                      (head, inbox.InboxQuery(sort="received", whose="unit"), 30),
                                      (staff, inbox.InboxQuery(sort="received"), 2)]:
                want = received_order(storage_office, user, today, query)
                got = []
                for page in range(1, -(-len(want) // size) + 1):
                    box = inbox.list_inbox(storage_office.uow(), user, today, replace(query, page=page), page_size=size)
                    got += [item.work_item_id for item in box.items]
                assert got == want and len(want) > size, (user, query)
        checked_as_steps_move(office, check, head, clock, items[10:13], items[0])


def test_an_office_upgraded_from_before_the_counts_has_them_and_its_words(url):
    """A database with plans, steps waiting and one taken, made before migration 0019: the
    upgrade fills the count tables from its steps (and on PostgreSQL the stored words of
    0020), and the changes after it are counted on top."""
    storage = Storage(url)
    command.upgrade(storage.alembic_config(), "0018_calendar_version")
    office = staffed(storage)
    try:
        with office_clock(ISSUED) as clock:
            plan_id = office.plan([{"ref": str(i), "title": f"Nhiệm vụ số {i}", "lead": [KSTTHC, CBTH],
                                    "due": DUE if i % 2 else None} for i in range(1, 7)], issued=ISSUED)
            today = date(2024, 3, 27)
            clock.on(today)
            first, second = ready(office, plan_id, "assign")[:2]
            steps.claim(office.uow(), first.id, office.users["truong.kstthc"], clock=clock)
            storage.upgrade()
            assert check_every_inbox(office, today) == 6
            steps.claim(office.uow(), second.id, office.users["truong.kstthc"], clock=clock)
            check_every_inbox(office, today)
        found = search_tasks(office.uow(), "nhiệm vụ số", today, user_id=office.users["theodoi"])
        assert found.listed == 6
    finally:
        storage.engine.dispose()


def test_one_worker_folds_a_table_at_a_time_on_postgresql(postgres_fresh_url):
    """Another scheduler worker folding (its advisory lock held): this one leaves the rows,
    the counts stay exact, and it folds them at its next run once the other is done."""
    office = make_office(postgres_fresh_url)
    try:
        with office_clock(ISSUED):
            # Two plans: their steps are counted by two statements, in rows of the same keys.
            for _ in range(2):
                office.plan([{"ref": str(i), "lead": [KSTTHC], "due": DUE} for i in range(1, 4)], issued=ISSUED)
        rows = count_rows(office)
        with office.storage.engine.connect() as conn:
            counted = conn.scalar(select(func.count()).select_from(orm.inbox_counts))
        with office.storage.engine.begin() as other:
            other.execute(select(func.pg_advisory_xact_lock(inbox_counts._FOLDING, 0)))  # inbox_counts's fold
            office.storage.compact_inbox_counts()
            with office.storage.engine.connect() as conn:
                assert conn.scalar(select(func.count()).select_from(orm.inbox_counts)) == counted  # not folded
            assert check_every_inbox(office, date(2024, 3, 1)) == 6
        assert office.storage.compact_inbox_counts() > 0 and count_rows(office) < rows
        assert check_every_inbox(office, date(2024, 3, 1)) == 6
    finally:
        office.storage.engine.dispose()


def sorted_inbox(office: Office, user_id: int, today: date, query: inbox.InboxQuery) -> list[int]:
    """The ids of every step the person's inbox lists under `query` (a plan, a sort, a due date), in
    its order, sorted here from every ready row (steps by name in the database's order of
    the names: the test is of the page, not of the collation)."""
    w, t, p, u = orm.work_items.c, orm.plan_tasks.c, orm.plans.c, orm.users.c
    with office.storage.engine.connect() as conn:
        unit_id, role = conn.execute(select(u.unit_id, u.role).where(u.id == user_id)).one()
        rows = conn.execute(select(w.id, w.created_at, w.due_on, w.step_id, w.step_name, w.assignee_user_id, w.claimed_by,
                                   w.candidate_unit_id, w.candidate_role, t.plan_id, t.position, p.number)
                            .join(orm.plan_tasks, t.id == w.plan_task_id).join(orm.plans, p.id == t.plan_id)
                            .where(w.state == "ready")).all()
        names = list(conn.execute(select(w.step_name).distinct().order_by(w.step_name)).scalars())
    held = [r for r in rows if user_id in (r.assignee_user_id, r.claimed_by)
            or (r.assignee_user_id is None and r.claimed_by is None and r.candidate_role == role
                and r.candidate_unit_id in (None, unit_id))]
    monday = today + timedelta(days=7 - today.weekday())  # "this week" ends before it
    due_kept = {None: lambda due: True, "late": lambda due: due is not None and due < today,
                "week": lambda due: due is not None and today <= due < monday,
                "later": lambda due: due is None or due >= monday}[query.due]
    held = [r for r in held if query.plan_id in (None, r.plan_id) and query.step_id in (None, r.step_id)
            and query.whose in (None, "mine" if user_id in (r.assignee_user_id, r.claimed_by) else "unit")
            and due_kept(r.due_on)]
    undated = (date.max,)  # undated last
    key = {"due": lambda r: ((r.due_on,) if r.due_on else undated, r.id),
           "received": lambda r: (-r.created_at.timestamp(), -r.id),
           "plan": lambda r: (r.number, r.plan_id, r.position, r.id),
           "step": lambda r: (names.index(r.step_name), (r.due_on,) if r.due_on else undated, r.id)}[query.sort]
    return [r.id for r in sorted(held, key=key)]


def spread_plans(office: Office, sizes: tuple[int, ...]) -> tuple[list[int], list[list]]:
    """Plans of `sizes` tasks the head's unit leads, due on several dates and none, their
    steps received at several times (some at the same time); with each plan's first steps."""
    plans = [office.plan([{"ref": str(i), "lead": [KSTTHC],
                           "due": None if i % 5 == 0 else f"2024-0{2 + i % 6}-1{i % 9}"} for i in range(n)])
             for n in sizes]
    w = orm.work_items.c
    with office.storage.engine.begin() as conn:
        for item_id in conn.execute(select(w.id).where(w.state == "ready")).scalars():
            conn.execute(update(orm.work_items).where(w.id == item_id)
                         .values(created_at=datetime(2024, 1, 15, 8) + timedelta(hours=item_id * 7 % 13)))
    return plans, [ready(office, plan, "assign") for plan in plans]


def paged(office: Office, user: int, today: date, query: inbox.InboxQuery, size: int,
          total: int) -> tuple[list[int], list[tuple]]:
    """The ids of every page of `total` steps in turn, and each page's counts and choices."""
    ids, seen = [], []
    for page in range(1, -(-total // size) + 1):
        box = inbox.list_inbox(office.uow(), user, today, replace(query, page=page), page_size=size)
        ids += [item.work_item_id for item in box.items]
        seen.append((box.counts, box.plans, box.steps))
    return ids, seen


def test_a_page_of_one_plan_is_the_sorted_inbox_page_by_page_in_every_order(office):
    """Two plans whose steps wait for the head's unit, some taken by the head, some given
    by name to a staff member: for the head and the staff member, each plan's inbox and
    the whole inbox in every order (in plan order read from the plans a page spans, in
    step order from the step names it spans: the head holds two), page after page, is
    what sorting every row gives, with its counts; again after more are taken and one
    given back, and from a fresh Storage."""
    head, staff, today = office.users["truong.kstthc"], office.users["cv.kstthc"], date(2024, 4, 1)
    with office_clock(ISSUED) as clock:
        plans, firsts = spread_plans(office, (40, 30))
        with office.storage.engine.begin() as conn:  # the later plan first in plan order
            for plan, number in zip(plans, ("2/KH-TEST", "1/KH-TEST")):
                conn.execute(update(orm.plans).where(orm.plans.c.id == plan).values(number=number))
        for items in firsts:
            for item in items[:3]:
                steps.claim(office.uow(), item.id, head, clock=clock)
            for item in items[3:9]:  # the staff member's steps by name
                steps.complete_step(office.uow(), item.id, head, {"assignee": staff}, clock=clock)
            for item in items[12:16]:  # the head's own by name: a step name after "assign"'s
                steps.complete_step(office.uow(), item.id, head, {"assignee": head}, clock=clock)

        def check(storage_office: Office) -> None:
            cases = itertools.product(((head, 7), (staff, 2)), [*plans, None], inbox.SORTS, [None], [None])
            # and the head's whole inbox of one step, or of whose, in plan and step order (read
            # from the plans or step names it spans)
            narrowed = [((head, 7), None, "plan", "assign", None), ((head, 7), None, "plan", None, "unit"),
                        ((head, 3), None, "step", None, "mine"), ((head, 7), None, "step", None, "unit")]
            # and in step order narrowed by due date (read from the step names it spans too;
            # none is due in the week of 2024-04-01)
            dated = [((head, 3), None, "step", None, None, due) for due in ("late", "later")]
            for (user, size), plan, sort, step, whose, due in [*((*c, None) for c in [*cases, *narrowed]), *dated]:
                query = inbox.InboxQuery(plan_id=plan, sort=sort, step_id=step, whose=whose, due=due)
                want = sorted_inbox(storage_office, user, today, query)
                got, seen = paged(storage_office, user, today, query, size, len(want))
                assert got == want and len(want) > size, (user, query)
                assert all(counts["total"] == len(want) for counts, _, _ in seen), (user, query)
        checked_as_steps_move(office, check, head, clock, [items[10] for items in firsts], firsts[1][0])


def test_inbox_pages_do_not_depend_on_the_order_of_union_parts_or_subquery_rows(office, monkeypatch):
    """With a stand-in planner giving each UNION ALL's parts in reverse and each part's
    rows shuffled, the head's and a staff member's pages in due order and in the order
    received, page after page, are still what sorting every row gives, with their counts
    and the same plans and steps to filter by."""
    head, staff, today = office.users["truong.kstthc"], office.users["cv.kstthc"], date(2024, 4, 1)
    with office_clock(ISSUED) as clock:
        for items in spread_plans(office, (30, 20))[1]:
            steps.claim(office.uow(), items[0].id, head, clock=clock)
            for item in items[1:5]:
                steps.complete_step(office.uow(), item.id, head, {"assignee": staff}, clock=clock)
    built = (inbox_pages.due_page, inbox_pages.lists_received_page, inbox_totals.reads_counts_and_filters,
             inbox_totals.reads_counts_and_choices)
    cases = [(user, inbox.InboxQuery(sort=sort), size) for user, size in ((head, 9), (staff, 3))
             for sort in ("due", "received")]
    wanted = [sorted_inbox(office, user, today, query) for user, query, _ in cases]
    plain = [paged(office, user, today, query, size, len(want)) for (user, query, size), want in zip(cases, wanted)]
    for module in (inbox_pages, inbox_totals):
        monkeypatch.setattr(module, "union_all", shuffled_union_all)
    for statement in built:
        statement.cache_clear()
    try:
        for (user, query, size), want, (got, seen) in zip(cases, wanted, plain):
            assert got == want and len(want) > size, (user, query)
            assert paged(office, user, today, query, size, len(want)) == (want, seen), (user, query)
    finally:
        for statement in built:
            statement.cache_clear()


def test_the_counts_stay_a_recount_through_a_chunked_start_a_step_and_a_closing_after_the_upgrade(url):
    """An office counted by the triggers of before migration 0031 (on PostgreSQL a row at
    a time, since a trigger a statement), upgraded: a plan started in chunks (its work
    items one INSERT a chunk), a step and a closing leave every inbox's counts and choices
    what its steps say."""
    storage = Storage(url)
    command.upgrade(storage.alembic_config(), "0030_plan_tasks_due_covering")
    office = staffed(storage)
    try:
        with office_clock(ISSUED) as clock:
            office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE}], issued=ISSUED)
            storage.upgrade()
            plan_id = office.plan_in_chunks([{"ref": str(n), "lead": [KSTTHC] if n % 2 else [TTPV],
                                              "due": DUE if n % 3 else None} for n in range(1, 8)],
                                            chunk=3, issued=ISSUED)
            today = date(2024, 1, 16)
            clock.on(today)
            assert check_every_inbox(office, today) == 8
            with office.uow() as uow:
                task_id = uow.tasks.for_plan(plan_id)[0].id
            close_task(office, plan_id, task_id, "Đã hoàn thành")  # a step, each one, then the closing
            assert check_every_inbox(office, today) == 7
            office.storage.compact_inbox_counts()
            assert check_every_inbox(office, today) == 7
    finally:
        storage.engine.dispose()


def test_the_counts_stay_a_recount_across_0041_down_and_up_again(url):
    """An office counted by the triggers of 0040 (steps waiting for a person, for a unit's
    role, taken, completed), upgraded to 0041 (on PostgreSQL each trigger one statement,
    the plan from the item's row), down again and up again: after each, a start in
    chunks, a step completed, one taken and given back and a sweep leave every inbox's
    counts and choices what its steps say."""
    storage = Storage(url)
    command.upgrade(storage.alembic_config(), "0040_people_trigger_when_named")
    office = staffed(storage)
    head, staff = office.users["truong.kstthc"], office.users["cv.kstthc"]
    try:
        with office_clock(ISSUED) as clock:
            today = assigned_and_taken(office, clock)
            waiting = check_every_inbox(office, today)
            for revision in ("head", "0040_people_trigger_when_named", "head"):
                (command.upgrade if revision == "head" else command.downgrade)(storage.alembic_config(), revision)
                assert _one_statement_each(storage) == (storage.engine.dialect.name == "postgresql" and revision == "head")
                assert check_every_inbox(office, today) == waiting, revision  # no row counted again
                more = office.plan_in_chunks([{"ref": str(n), "lead": [KSTTHC], "due": DUE} for n in range(1, 5)],
                                             chunk=3, issued=ISSUED)
                assign = ready(office, more, "assign")
                steps.complete_step(office.uow(), assign[0].id, head, {"assignee": staff}, clock=clock)
                steps.claim(office.uow(), assign[1].id, head, clock=clock)
                steps.unclaim(office.uow(), assign[1].id, head, clock=clock)
                waiting = check_every_inbox(office, today)
                assert waiting, revision
            later = date(2024, 4, 5)
            sweep_at(office, clock, later)
            check_every_inbox(office, later)
            office.storage.compact_inbox_counts()
            check_every_inbox(office, later)
    finally:
        storage.engine.dispose()


def test_an_office_before_0046_upgrades_to_the_covering_indexes_and_back_with_the_same_inboxes(url):
    """An office counted under 0019's indexes of `inbox_counts` and `inbox_choices` (steps
    waiting for a unit's role, one assigned to a person, one taken): the upgrade gives
    exactly the indexes `orm.py` defines (each holding every column the inbox reads), and
    every inbox's counts and choices stay what its steps say and its pages the same, in
    every order; it goes down to the old indexes and up again with the same."""
    storage = Storage(url)
    command.upgrade(storage.alembic_config(), "0045_state_index_on_postgresql")
    office = staffed(storage)
    tables = ("inbox_counts", "inbox_choices")
    try:
        with office_clock(ISSUED) as clock:
            today = assigned_and_taken(office, clock)
        old = {table: stored(storage, table) for table in tables}
        assert old != {table: defined(storage, table) for table in tables}
        waiting = check_every_inbox(office, today)
        assert waiting

        def shown() -> list[inbox.Inbox]:
            return [inbox.list_inbox(office.uow(), user_id, today, inbox.InboxQuery(sort=sort))
                    for user_id in office.users.values() for sort in inbox.SORTS]
        pages = shown()
        for revision in ("head", "0045_state_index_on_postgresql", "head"):
            (command.upgrade if revision == "head" else command.downgrade)(storage.alembic_config(), revision)
            assert {table: stored(storage, table) for table in tables} == (
                {table: defined(storage, table) for table in tables} if revision == "head" else old), revision
            assert check_every_inbox(office, today) == waiting, revision
            assert shown() == pages, revision
    finally:
        storage.engine.dispose()


def _one_statement_each(storage: Storage) -> bool:
    """Whether both PostgreSQL count functions are 0041's (their plan from the item's row)."""
    if storage.engine.dialect.name != "postgresql":
        return False
    with storage.engine.connect() as conn:
        bodies = [conn.scalar(select(func.pg_get_functiondef(func.to_regproc(name))))
                  for name in ("work_items_inbox", "work_items_inbox_added")]
    return all("counted AS" in body and "plan_tasks" not in body for body in bodies)


def assigned_and_taken(office, clock) -> date:
    """Five tasks through intake (KSTTHC and TTPV leading in turn, CBTH coordinating every
    third, every other one undated); on the day returned, KSTTHC's head assigns one of
    the unit's steps to its staff member and takes another."""
    head, staff = office.users["truong.kstthc"], office.users["cv.kstthc"]
    plan_id = office.plan([{"ref": str(n), "lead": [KSTTHC] if n % 2 else [TTPV], "coordinators":
                            [CBTH] if n % 3 == 0 else [], "due": DUE if n % 2 else None} for n in range(1, 6)],
                          issued=ISSUED)
    today = date(2024, 1, 16)
    clock.on(today)
    first, second, *_ = [i for i in ready(office, plan_id, "assign") if i.candidate_unit_id == office.units[KSTTHC]]
    steps.complete_step(office.uow(), first.id, head, {"assignee": staff}, clock=clock)
    steps.claim(office.uow(), second.id, head, clock=clock)
    return today
