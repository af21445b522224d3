"""The inbox, the dashboard and the sweep's batch read through their indexes on both
databases: the query plan of every statement they send names no full scan of the work
items or the plan's tasks, and reads the work items by more than their state (every
ready step of the office is "state = ready"). Another unit has 3,000 steps waiting, so that PostgreSQL's
planner (its statistics taken, as autovacuum would) has a reason to use an index."""
from __future__ import annotations

import itertools
import re
import uuid
from datetime import date

import pytest
from sqlalchemy import func, insert, select, text

from adapters.storage import orm, progress_queries
from engine.reading.plan_pages import plan_overview
from engine.reading.progress import Filters, TaskScope, TaskSlice, plan_dashboard
from engine.reading.search import search_tasks
from engine.reading.unit_work import person_work
from engine.tasks import steps
from engine.tasks.inbox import InboxQuery, list_inbox
from tests.support.deadlines import office_clock, ready
from tests.support.office import CBTH, KSTTHC, TTPV, make_office
from tests.support.statements import sent_with_parameters

TODAY = date(2024, 3, 11)
# The steps PostgreSQL expects a unit's role to hold in an inbox statement: it does not see
# whose inbox it plans (`inbox_holders.person`), so it plans for an average unit, here the
# 3,008 ready steps over the three units holding them, not the 3,000 of the head's unit.
UNIT_EXPECTED = 1000
TCD = "Ban Tiếp công dân tỉnh"  # a unit leading no task of this office


@pytest.fixture(params=["sqlite", "postgresql"])
def office(request):
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url")
    office = make_office(url)
    office.plan([{"ref": str(i), "lead": [(KSTTHC, TTPV)[i % 2]], "due": "2024-03-29"} for i in range(1, 9)])
    steps_of_a_new_plan(office, 3000)
    yield office
    office.storage.engine.dispose()


def steps_of_a_new_plan(office, count: int) -> int:
    """A copy of the first plan with `count` copies of its first task, each led by CBTH
    with a step waiting for that unit's head; the counts folded and, on PostgreSQL, the
    statistics taken, as the scheduler and autovacuum would."""
    engine = office.storage.engine
    with engine.begin() as conn:
        plan = {k: v for k, v in conn.execute(select(orm.plans).order_by(orm.plans.c.id).limit(1)).one()._mapping.items()
                if k != "id"}
        plan_id = conn.execute(insert(orm.plans).values(**plan).returning(orm.plans.c.id)).scalar_one()
        task = {k: v for k, v in conn.execute(select(orm.plan_tasks).order_by(orm.plan_tasks.c.id).limit(1))
                .one()._mapping.items() if k != "id"}
        task_ids = conn.execute(insert(orm.plan_tasks).returning(orm.plan_tasks.c.id),
                                [{**task, "plan_id": plan_id} for _ in range(count)]).scalars().all()
        conn.execute(insert(orm.task_units), [{"task_id": task_id, "unit_id": office.units[CBTH], "role": "lead",
                                               "position": 0} for task_id in task_ids])
        item = {k: v for k, v in conn.execute(select(*orm.written(orm.work_items)).order_by(orm.work_items.c.id)
                                              .limit(1)).one()._mapping.items() if k != "id"}
        conn.execute(insert(orm.work_items), [{**item, "plan_task_id": task_id, "task_uuid": str(uuid.uuid4()),
                                               "candidate_unit_id": office.units[CBTH]} for task_id in task_ids])
    office.storage.compact_inbox_counts()  # as the scheduler does after changes
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    return plan_id


def plans_of(office, read, generic: bool = False) -> list[str]:
    """The query plan of each SELECT `read` sends, one string each; `generic`, on
    PostgreSQL, the plan of the statement prepared, as psycopg prepares one at its fifth
    run, and planned without its values (`force_generic_plan`, the plan PostgreSQL keeps
    when it costs no more than the custom ones): a plan made with the values given, as
    EXPLAIN makes one, proves a partial index's condition from a bound value (`state =
    $1`), the generic plan cannot."""
    engine = office.storage.engine
    with sent_with_parameters(engine) as sent:
        read()
    sqlite = engine.dialect.name == "sqlite"
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        found = []
        for statement, parameters in sent:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):  # (SQLite: a person page's WITH)
                continue
            if generic and not sqlite:
                cursor.execute(statement, parameters, prepare=True)
                found.append(generic_plan(cursor, statement, parameters))
                continue
            cursor.execute(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, parameters)
            found.append("\n".join(str(r[-1] if sqlite else r[0]) for r in cursor.fetchall()))
        connection.rollback()
    finally:
        connection.close()
    assert found
    return found


def generic_plan(cursor, statement: str, parameters) -> str:
    """PostgreSQL's generic plan of `statement`, just prepared on `cursor`'s connection,
    its values given to EXECUTE as constants in the order psycopg numbered them."""
    from psycopg import sql
    [name] = cursor.execute("SELECT name FROM pg_prepared_statements ORDER BY prepare_time DESC LIMIT 1").fetchone()
    if isinstance(parameters, dict):
        names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", statement)))
        values = [parameters[n] for n in names]
    else:
        values = list(parameters or ())
    cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
    arguments = sql.SQL("({})").format(sql.SQL(", ").join(map(sql.Literal, values))) if values else sql.SQL("")
    lines = cursor.execute(sql.SQL("EXPLAIN EXECUTE {}{}").format(sql.Identifier(name), arguments)).fetchall()
    cursor.execute("DEALLOCATE ALL")
    return "\n".join(r[0] for r in lines)


def by_state_alone(plans: list[str]) -> list[str]:
    """Work items read through an inbox index with no condition on its keys: every ready
    step of the office that index holds (each holds the ready steps of a kind of holder,
    migration 0033), or through an index by `state` alone."""
    found = []
    for plan in plans:
        lines = plan.splitlines()
        for line, after in zip(lines, lines[1:] + [""]):
            if re.search(r"SCAN \w+ USING (COVERING )?INDEX ix_work_items_|USING (COVERING )?INDEX \w+ \(state=\?\)",
                         line):
                found.append(line)
            if re.search(r"Index (Only )?Scan (using|on) ix_work_items_", line) and "Index Cond" not in after:
                found.append(line + " / " + after)
    return found


def full_scans(plans: list[str], table: str) -> list[str]:
    return [p for p in plans if f"SCAN {table}\n" in p + "\n" or f"SCAN {table} " in p
            or f"Seq Scan on {table}" in p]


@pytest.mark.parametrize("username", ["cv.kstthc", "truong.kstthc", "theodoi"])
def test_an_inbox_reads_only_the_persons_steps_through_an_index(office, username):
    plans = plans_of(office, lambda: list_inbox(office.uow(), office.users[username], TODAY))
    assert not full_scans(plans, "work_items") and not by_state_alone(plans), plans


def _head(office):
    with office.uow() as uow:
        [head] = uow.users.in_unit(office.units[CBTH], "unit_head")
    return head.id


def _largest_plan(office):
    with office.uow() as uow:
        return max(p["id"] for p in uow.plans.list_with_counts())


# Inbox reads that read work items, each (who reads, what), for `list_inbox`: the
# person's and the claimed branches are read in the OR of every branch (plan order, a plan).
_HOLDERS_READS = {
    "head": lambda office: (office.users["truong.kstthc"], InboxQuery()),
    "large unit, due": lambda office: (_head(office), InboxQuery()),
    "large unit, received": lambda office: (_head(office), InboxQuery(sort="received")),
    "large unit, by step": lambda office: (_head(office), InboxQuery(sort="step", due="later")),
    "large unit, one plan": lambda office: (_head(office), InboxQuery(plan_id=_largest_plan(office))),
    "large unit, plan order": lambda office: (_head(office), InboxQuery(sort="plan")),
}


@pytest.mark.parametrize("office", ["postgresql"], indirect=True)
@pytest.mark.parametrize("reads", list(_HOLDERS_READS))
def test_an_inbox_s_prepared_statements_read_its_indexes_in_their_generic_plans(office, reads):
    """psycopg prepares a statement at its fifth run, and PostgreSQL may then plan it once
    for every value (a generic plan). The inbox indexes hold only ready steps with a
    holder of their kind (migration 0033): a generic plan reads them only if the
    statement names the state as the literal 'ready' (from `state = $1` PostgreSQL cannot
    prove the index's condition) and compares the holder column; else every ready step
    of the office is read."""
    user, query = _HOLDERS_READS[reads](office)
    plans = plans_of(office, lambda: list_inbox(office.uow(), user, TODAY, query), generic=True)
    reading = [p for p in plans if "work_items" in p]
    assert reading and not full_scans(plans, "work_items") and not by_state_alone(plans), plans
    assert all("ix_work_items_" in p for p in reading), reading


def test_the_dashboard_and_the_plan_page_read_the_plans_tasks_through_an_index(office):
    with office.uow() as uow:
        plan = min(p["id"] for p in uow.plans.list_with_counts())
    plans = plans_of(office, lambda: plan_dashboard(office.uow(), plan, TODAY))
    assert not full_scans(plans, "plan_tasks") and not full_scans(plans, "work_items"), plans
    assert not by_state_alone(plans), "the page's steps are read by their tasks' ids"
    page = plans_of(office, lambda: plan_overview(office.uow(), plan, TODAY, office.users["theodoi"]))
    assert not full_scans(page, "plan_tasks") and not full_scans(page, "work_items"), page
    assert not by_state_alone(page), page


def test_the_plan_page_counts_its_plans_tasks_from_their_groups(office):
    """For a reader of every task, the plan page's count sums the plan's groups in
    `plan_task_counts` (migration 0048) and its statement reads the plan's tasks once, for
    the page: not again, each of the plan's tasks counted. A reader of some of the tasks
    has them counted, each tested against the reading rule (groups do not tell which)."""
    with office.uow() as uow:
        plan = min(p["id"] for p in uow.plans.list_with_counts())
    reads = re.compile(r"(SEARCH|SCAN) plan_tasks\b|Scan (using \w+ )?on plan_tasks\b")
    [page] = [p for p in plans_of(office, lambda: plan_overview(office.uow(), plan, TODAY, office.users["theodoi"]))
              if "plan_tasks" in p]
    assert "plan_task_counts" in page and len(reads.findall(page)) == 1, page
    [page] = [p for p in plans_of(office, lambda: plan_overview(office.uow(), plan, TODAY, office.users["cv.kstthc"]))
              if "plan_tasks" in p]
    assert "plan_task_counts" not in page and len(reads.findall(page)) == 2, page


def test_the_dashboard_of_a_plan_holding_most_tasks_reads_their_units_by_task(office):
    """The counts per lead unit and the unit choices read `task_units` by the plan's task
    ids, one index look-up each: PostgreSQL hashed the whole table (every unit row of the
    office) as soon as the plan held a fair share of the tasks."""
    with office.uow() as uow:
        plan = max(p["id"] for p in uow.plans.list_with_counts())
    plans = plans_of(office, lambda: plan_dashboard(office.uow(), plan, TODAY))
    assert not full_scans(plans, "task_units"), plans


def test_the_dashboard_sums_a_plans_groups_and_groups_a_narrowed_plans_tasks_by_their_columns(office):
    """A plan's counts by due date, closing date and state sum its groups in
    `plan_task_counts` (migration 0048), on SQLite from the plan's range of
    `ix_plan_task_counts_plan` alone, and read none of its tasks. Narrowed to a lead unit,
    they sum the unit's leading groups of the plan in `unit_task_counts`, a range of the
    same index; and its lead units' part reads the plan's tasks the unit leads from its
    range of `unit_tasks` by unit and plan, not every task the unit leads in the office."""
    with office.uow() as uow:
        plan = min(p["id"] for p in uow.plans.list_with_counts())
    sqlite = office.storage.engine.dialect.name == "sqlite"
    [counts] = [p for p in plans_of(office, lambda: plan_dashboard(office.uow(), plan, TODAY))
                if "unit_task_counts" in p]
    assert "plan_task_counts" in counts and not re.search(r"\bplan_tasks\b", counts), counts
    if sqlite:
        assert ("SEARCH plan_task_counts USING COVERING INDEX ix_plan_task_counts_plan (plan_id=?)"
                in [line.strip() for line in counts.splitlines()]), counts
    narrowed = Filters(unit_id=office.units[KSTTHC])
    [counts] = [p for p in plans_of(office, lambda: plan_dashboard(office.uow(), plan, TODAY, narrowed))
                if "unit_task_counts" in p]
    if sqlite:
        lines = [line.strip() for line in counts.splitlines()]
        assert ("SEARCH unit_task_counts USING COVERING INDEX ix_unit_task_counts_plan (plan_id=? AND lead=? AND unit_id=?)"
                in lines), counts
        assert "SEARCH unit_tasks USING INDEX ix_unit_tasks_plan_order (unit_id=? AND plan_id=?)" in lines, counts
    else:
        assert re.search(r"ix_unit_task_counts_plan\b.*\n\s*Index Cond: \(\(plan_id = \d+\) "
                         r"AND \(lead = 1\) AND \(unit_id = \d+\)\)", counts), counts
        assert re.search(r"ix_unit_tasks_plan_order on unit_tasks.*\n\s*Index Cond: \(\(unit_id = \d+\) AND \(plan_id = \d+\)\)",
                         counts), counts
    assert "ix_task_units_unit_id" not in counts, counts


def test_the_dashboard_reads_a_plans_most_overdue_tasks_by_their_due_dates(office):
    """A plan of 3,000 tasks, none overdue: the page of the most overdue reads the plan's
    open tasks due before the day in the order of `ix_plan_tasks_open_due`, under the
    page's LIMIT and with no sort of them (migration 0038), and those with a closing date
    by the plan's range of `ix_plan_tasks_plan_due`, not all of the plan's tasks."""
    with office.uow() as uow:
        plan = max(p["id"] for p in uow.plans.list_with_counts())
    plans = plans_of(office, lambda: plan_dashboard(office.uow(), plan, TODAY))
    if office.storage.engine.dialect.name == "sqlite":
        in_order = r"SEARCH plan_tasks USING (COVERING )?INDEX ix_plan_tasks_open_due \(plan_id=\? AND due_on<\?\)\nSCAN"
        closed = r"ix_plan_tasks_plan_due \(plan_id=\? AND due_on<\?\)"
    else:
        in_order = (r"->  Limit .*\n\s*->  Index (Only )?Scan using ix_plan_tasks_open_due on plan_tasks.*\n\s*"
                    r"Index Cond: \(\(plan_id = \d+\) AND \(due_on < '2024-03-11'::date\)\)")
        closed = (r"ix_plan_tasks_plan_due on plan_tasks.*\n\s*Index Cond: \(\(plan_id = \d+\) AND "
                  r"\(due_on < '2024-03-11'::date\) AND \(closed_on IS NOT NULL\)\)")
    [page] = [p for p in plans if "ix_plan_tasks_open_due" in p]
    assert re.search(in_order, page) and re.search(closed, page), page


def test_the_sweep_reads_the_ready_steps_of_its_batch_by_their_instances(office):
    """The sweep's batch read: the steps of a few due instances, among the office's
    3,000 waiting elsewhere, read by the instances' ids and not by their state."""
    with office.uow() as uow:
        # The 3,000 copied steps share the instance of the row they copy: take the fewest-stepped.
        w = orm.work_items.c
        ids = list(uow.session.scalars(select(w.instance_id).group_by(w.instance_id)
                                       .order_by(func.count(), w.instance_id).limit(3)))
    assert ids

    def read():
        with office.uow() as uow:
            assert any(uow.work_items.ready_for_instances(ids).values())
    plans = plans_of(office, read)
    assert not full_scans(plans, "work_items") and not by_state_alone(plans), plans


@pytest.mark.parametrize("query", [InboxQuery(sort="due"), InboxQuery(sort="step"),
                                   InboxQuery(sort="step", due="later")])
def test_a_large_inbox_reads_its_page_in_index_order_and_counts_without_its_steps(office, query):
    """The head of the unit with 3,000 waiting steps: the page's statement reads each
    holder's steps through an index that gives them in the page's order, as many as
    the page needs (nothing sorts the 3,000), and the other statements (counts, filter
    choices) read no work item at all. In step order too: the page's one step name is
    read in due order; narrowed by due date too (all 3,000 are due later)."""
    with office.uow() as uow:
        [head] = uow.users.in_unit(office.units[CBTH], "unit_head")
    plans = plans_of(office, lambda: list_inbox(office.uow(), head.id, TODAY, query))
    reading = [p for p in plans if "work_items" in p]
    assert len(reading) == 1, plans
    lines = reading[0].splitlines()
    if office.storage.engine.dialect.name == "sqlite":
        searches = [(line, after) for line, after in zip(lines, lines[1:] + [""]) if "work_items" in line]
        assert searches and all(line.startswith("SEARCH work_items USING") and "due_on" in line
                                and not after.startswith("USE TEMP B-TREE") for line, after in searches), reading
    else:
        # The unit's 3,000 are read in order under a Limit; a Sort, if any, is of a branch
        # the planner expects to hold a step or none (PostgreSQL's choice), never of them.
        scans = [(under_limit(lines, n), line) for n, line in enumerate(lines) if " on work_items" in line]
        assert all("Index Scan using ix_work_items_" in line for _, line in scans), "\n".join(lines)
        limited, largest = max(scans, key=lambda scan: rows(scan[1]))
        assert rows(largest) >= UNIT_EXPECTED and "ix_work_items_unit_ready" in largest and limited, "\n".join(lines)
        assert all(rows(line) <= 50 for line in lines if re.match(r"\s*(->  )?Sort  \(", line)), "\n".join(lines)


@pytest.mark.parametrize("office", ["sqlite"], indirect=True)
def test_a_staff_members_inbox_merges_its_steps_by_name_and_taken_as_their_indexes_give_them(office):
    """A staff member's page of the steps given them by name and those they took (two
    parts, `inbox_pages.due_page`): SQLite reads each through its index in due order,
    joins it as it reads it and merges the two; no part is kept in a temporary table
    and nothing is sorted."""
    with office.uow() as uow:
        plan_id = min(p["id"] for p in uow.plans.list_with_counts())
    with office_clock(TODAY) as clock:
        for item in [i for i in ready(office, plan_id, "assign") if i.candidate_unit_id == office.units[KSTTHC]][:2]:
            steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"],
                                {"assignee": office.users["cv.kstthc"]}, clock=clock)
    office.storage.compact_inbox_counts()
    page = [p for p in plans_of(office, lambda: list_inbox(office.uow(), office.users["cv.kstthc"], TODAY))
            if "work_items" in p]
    assert len(page) == 1 and page[0].startswith("MERGE (UNION ALL)"), page
    assert "ix_work_items_user_ready" in page[0] and "ix_work_items_claimed_ready" in page[0], page
    assert "TEMP B-TREE" not in page[0] and "MATERIALIZE" not in page[0], page


def test_search_finds_the_words_through_the_word_index_and_checks_the_stored_words(office):
    """The 3,008 tasks all hold "nhiệm vụ" (the fixture's title): SQLite reads its FTS5 table;
    PostgreSQL reads the stored vector (migration 0020: through its GIN index, or every row
    when every row matches), not `to_tsvector` worked out again from the text of each."""
    plans = plans_of(office, lambda: search_tasks(office.uow(), "nhiệm vụ", TODAY, user_id=office.users["theodoi"]))
    matching = [p for p in plans if "plan_task_words" in p or "search_words" in p]
    assert matching, plans
    assert not any("to_tsvector" in p for p in plans), plans
    if office.storage.engine.dialect.name == "sqlite":
        assert all("VIRTUAL TABLE INDEX" in p for p in matching), matching
    else:
        assert all("search_words @@" in p for p in matching), matching


def rows(line: str) -> int:
    """PostgreSQL's estimate of the rows a plan node gives."""
    return int(re.search(r"rows=(\d+)", line).group(1))


def parent(lines: list[str], n: int) -> str:
    """The node a PostgreSQL plan's line `n` is read by: the nearest line before it that
    opens a node (`->`, or the plan's top) further left, past the InitPlans that compute
    the holder's values (`inbox_holders.person`) for it."""
    at = lines[n].find("->")
    return next((line for line in reversed(lines[:n]) if -1 < line.find("->") < at), lines[0])


def under_limit(lines: list[str], n: int) -> bool:
    """Whether the rows of a PostgreSQL plan's line `n` reach a Limit through nothing but
    nested loops, each reading them as its outer side (its first child), which keeps
    their order: read in order as far as the page needs."""
    while n > 0:
        at = lines[n].find("->")
        above = next((k for k in range(n - 1, -1, -1) if -1 < lines[k].find("->") < at), 0)
        if "Limit" in lines[above]:
            return True
        first = all(lines[k].find("->") != at for k in range(above + 1, n))
        if "Nested Loop" not in lines[above] or not first:
            return False
        n = above
    return False


def test_a_units_counts_and_plans_read_its_groups_not_its_tasks(office):
    """The unit page's counts by state and its plans (one statement): sums over the
    unit's groups (`unit_task_counts`), not a read of its tasks or their units."""
    def read():
        with office.uow() as uow:
            scope = TaskScope(TODAY, unit_id=office.units[KSTTHC])
            counts, plans = uow.progress.counts_and_plans(scope, scope)
            assert counts and plans
    plans = plans_of(office, read)
    assert len(plans) == 1 and all("unit_task_counts" in p for p in plans), plans
    assert not any("plan_tasks" in p or "task_units" in p for p in plans), plans


def test_a_units_list_reads_its_page_in_index_order(office):
    """The unit page's list of the unit with 3,000 tasks, most urgent first: each part of
    `unit_tasks` is read through an index, in the page's order for those that can hold
    many (nothing sorts the 3,000), and only the page's tasks are read from `plan_tasks`,
    by id; `task_units` is not read."""
    def read():
        with office.uow() as uow:
            [page] = uow.progress.task_slices(TaskScope(TODAY, unit_id=office.units[CBTH]),
                                              [TaskSlice(None, "urgency", 0, 50)])
            assert len(page) == 50
    [plan] = plans_of(office, read)
    assert "task_units" not in plan, plan
    lines = plan.splitlines()
    if office.storage.engine.dialect.name == "sqlite":
        tasks = [(line, after) for line, after in zip(lines, lines[1:] + [""]) if "unit_tasks" in line]
        assert tasks and all(line.startswith("SEARCH unit_tasks USING INDEX ix_unit_tasks_") for line, _ in tasks), plan
        ordered = [after for line, after in tasks if "ix_unit_tasks_order" in line]
        assert len(ordered) >= 6 and not any(after.startswith("USE TEMP B-TREE") for after in ordered), plan
        assert [line for line in lines if "plan_tasks" in line] == ["SEARCH plan_tasks USING INTEGER PRIMARY KEY (rowid=?)"]
    else:
        scans = [(before, line) for before, line in zip([""] + lines, lines) if " on unit_tasks" in line]
        assert scans and all("Index Scan using ix_unit_tasks_" in line for _, line in scans), plan
        before, largest = max(scans, key=lambda scan: rows(scan[1]))
        assert rows(largest) >= 3000 and "ix_unit_tasks_order" in largest and "Limit" in before, plan
        assert all(rows(line) <= 9 * 50 for line in lines if re.match(r"\s*(->  )?Sort  \(", line)), plan
        by_id = [line for line in lines if " on plan_tasks" in line]
        assert by_id and all("Index Scan using pk_plan_tasks on plan_tasks" in line for line in by_id), plan


def test_a_broad_search_reads_a_bounded_set_of_its_matches(office):
    """The 3,008 tasks all hold "nhiệm vụ": the count and the ranked page read the word
    index's matches under a LIMIT (SQLite from its FTS5 table, never collecting every match
    for an `IN`; PostgreSQL's scans under a Limit), and look the tasks read up by id."""
    _assert_bounded_search(office, 1)


def test_a_broad_search_s_page_past_its_ranked_matches_reads_a_bounded_set(office, monkeypatch):
    """Past the ranked first matches (here 100), a page is read in the word index's order
    up to its end, still under a LIMIT: its cost is its offset's, not the matches'."""
    monkeypatch.setattr(progress_queries, "SEARCH_REACH", 100)
    _assert_bounded_search(office, 5)


_TAKEN_PART_READS = {
    "person page": lambda office, user: person_work(office.uow(), user, TODAY),
    "search": lambda office, user: search_tasks(office.uow(), "nhiệm vụ", TODAY, user_id=user),
}


@pytest.mark.parametrize("read", list(_TAKEN_PART_READS))
def test_the_tasks_a_person_took_part_in_are_read_through_an_index_for_each_side_of_the_or(office, read):
    """The person page and a staff member's search (`task_access.may_read`) ask for the
    tasks with a step the person holds by name or completed, whatever its state
    (`assignee_user_id = u OR completed_by = u`): each side of the OR is read through its
    index (migration 0034; SQLite's OR optimisation, PostgreSQL's BitmapOr), not every
    work item of the office."""
    plans = plans_of(office, lambda: _TAKEN_PART_READS[read](office, office.users["cv.kstthc"]))
    taken_part = [p for p in plans if "ix_work_items_completed_by_tasks" in p]
    assert taken_part and all("ix_work_items_assignee_tasks" in p for p in taken_part), plans
    assert not full_scans(plans, "work_items"), plans


def test_the_tasks_whose_assignment_named_a_person_are_read_by_person_not_by_every_tasks_people(office):
    """The person page asks for the tasks a person took part in, those whose assignment
    named them (co-handler, for information) among them: the ids read by person through
    `task_people`'s index (migration 0035) and united with the steps' (an OR of
    IN-subqueries PostgreSQL reads by a scan of every task), the tasks then by id. Not a
    match on every task's `people`. Here 3,000 tasks name another person."""
    engine = office.storage.engine
    with engine.begin() as conn:
        last = conn.execute(select(func.max(orm.plans.c.id))).scalar_one()
        conn.execute(orm.plan_tasks.update().where(orm.plan_tasks.c.plan_id == last)
                     .values(people={"co_handlers": [], "informed": [office.users["cv.cbth"]]}))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    plans = plans_of(office, lambda: person_work(office.uow(), office.users["cv.kstthc"], TODAY))
    named = [p for p in plans if "task_people" in p]
    assert named and all("ix_task_people_user" in p for p in named), plans
    assert not full_scans(plans, "plan_tasks"), plans


def _took_part_in(office, count: int) -> int:
    """CBTH's staff member made the one who completed the steps of `count` of the 3,000
    copied tasks (as their unit head completes the steps of those assigned), the
    statistics then taken: their id."""
    engine, user = office.storage.engine, office.users["cv.cbth"]
    w = orm.work_items.c
    with engine.begin() as conn:
        items = select(w.id).where(w.candidate_unit_id == office.units[CBTH]).order_by(w.id).limit(count)
        conn.execute(orm.work_items.update().where(w.id.in_(items)).values(completed_by=user))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    return user


@pytest.mark.parametrize("office", ["postgresql"], indirect=True)
@pytest.mark.parametrize("generic", [False, True])
def test_a_person_s_tasks_are_looked_up_by_their_ids(office, generic):
    """The tasks a person took part in, 600 of the office's 3,008 (as the bench's unit head
    holds 2,876 of 20,000), are each looked up by id in `ix_plan_tasks_state` (`= ANY` an
    array of their ids) for their person page, unfiltered or of a state: as IN their set,
    PostgreSQL hashed it and read the whole index. In the custom plans and the generic ones."""
    user = _took_part_in(office, 600)
    for filters in (Filters(), Filters(state="in_progress")):
        plans = plans_of(office, lambda filters=filters: person_work(office.uow(), user, TODAY, filters), generic)
        mine = [p for p in plans if "ix_work_items_completed_by_tasks" in p]
        assert mine and all(re.search(r"Index Cond: \(id = ANY \(\$\d+\)\)", p) for p in mine), plans
        assert not any(re.search(r"Index Only Scan using ix_plan_tasks_state on plan_tasks \w+(?!.*\n\s+Index Cond)",
                                 p) for p in mine), plans


@pytest.mark.parametrize("office", ["postgresql"], indirect=True)
@pytest.mark.parametrize("username", ["cv.kstthc", "giamdoc.ttpv"])
def test_a_search_by_a_reader_of_few_tasks_reads_their_ids_through_indexes_then_each_task_by_id(office, username):
    """A staff member's or a unit head's search (`task_access.may_read`) of a word all
    3,008 tasks hold, on PostgreSQL: the ids of the few tasks they may read are read first,
    each part through an index (those they direct by `ix_plan_tasks_director`, migration
    0036; their unit's from `unit_tasks` by unit), then those of them holding the words,
    each looked up by id, and the page looks those matches up by id (the count is their
    number). Given the ids to read as a subquery, PostgreSQL hashed them and tested every
    task's words."""
    plans = plans_of(office, lambda: search_tasks(office.uow(), "nhiệm vụ", TODAY, user_id=office.users[username]))
    [ids] = [p for p in plans if "by_director_user_id" in p]  # (the alias the reader's directed tasks are read under)
    assert "ix_plan_tasks_director" in ids and re.search(r"Index (Only )?Scan using \w+ on unit_tasks", ids), ids
    # (The tasks of the plans the unit monitors are read by plan; with this office's two
    # plans PostgreSQL takes a plan for half the tasks and reads them by scan, under the LIMIT.)
    assert not full_scans([ids], "unit_tasks") and "Seq Scan on plan_tasks by_director_user_id" not in ids, ids
    by_id = [p for p in plans if "Index Cond: (id = ANY (" in p]
    assert [p for p in plans if "search_words" in p] == by_id[:1], plans  # the matches, then the page
    assert len(by_id) == 2 and not full_scans(by_id, "plan_tasks"), by_id


def test_a_search_by_a_reader_of_few_tasks_reads_the_word_index_once(office):
    """A staff member's search of a word all 3,008 tasks hold, their 4 tasks' ids read
    first: the word index is read once, for those of them holding the words (on SQLite
    never by id, FTS5 works the whole query out again at each look-up, but from the first
    of the ids to the last); the page (every match ranked: no read of the words side by
    side, nor of the others) looks the matches up by id, and the count is their number."""
    plans = plans_of(office, lambda: search_tasks(office.uow(), "nhiệm vụ", TODAY, user_id=office.users["cv.kstthc"]))
    [matching] = [p for p in plans if "plan_task_words" in p or "search_words" in p]
    if office.storage.engine.dialect.name == "sqlite":
        # (FTS5's plan: M the match, then > and < the range of rowids it reads)
        assert matching.count("plan_task_words") == 1 and re.search(r"SCAN plan_task_words VIRTUAL TABLE INDEX \d+:M\d*><",
                                                                   matching), matching
        assert not full_scans(plans, "plan_tasks"), plans
    else:
        assert matching.count("search_words @@") == 1, matching


@pytest.mark.parametrize("username", ["cv.tcd", "cv.kstthc"])
def test_a_search_by_a_reader_of_no_task_or_of_no_match_reads_no_task(office, username):
    """A staff member of a unit leading no task, directing none and holding no step, or
    one of few tasks searching a word none of them holds: their ids, or the matches among
    them, are none, and the count and the page read no task (nor the word index again)."""
    query = "nhiệm vụ" if username == "cv.tcd" else "khongcotu"
    plans = plans_of(office, lambda: search_tasks(office.uow(), query, TODAY, user_id=office.users[username]))
    assert sum("plan_task_words" in p or "search_words" in p for p in plans) == (username == "cv.kstthc"), plans
    # (but the ids: PostgreSQL may read a monitored plan's tasks by scan, as above)
    assert not full_scans([p for p in plans if "by_director_user_id" not in p], "plan_tasks"), plans


@pytest.mark.parametrize("office", ["sqlite"], indirect=True)
def test_a_search_by_a_reader_of_many_tasks_looks_each_task_up_in_the_units_tasks(office):
    """A staff member's search of a word all 3,008 tasks hold, their unit leading 3,000
    (above the cap of ids read first), on SQLite: the page looks each match up in
    `unit_tasks`' key (unit, task), in each of its parts, never all of the unit's tasks
    read into a list first; so does the count, the unit holding more tasks than the cap
    (read into its list, 100,000 were for 10,001 matches counted); both by a LEFT JOIN of
    `unit_tasks` to the word index read first, and they read the ids of each other way in
    into one list and test the word index's rowids: they read no task.
    Both read the word index from the first task the reader may read to their last only.
    (PostgreSQL, costing a look-up a task above a hashed set, hashes them: its choice.)"""
    plans = plans_of(office, lambda: search_tasks(office.uow(), "nhiệm vụ", TODAY, user_id=office.users["cv.cbth"]))
    count, page = [p for p in plans if "plan_task_words" in p]
    assert [line for line in count.splitlines() if "unit_tasks" in line] == [
        "SEARCH unit_tasks USING COVERING INDEX sqlite_autoindex_unit_tasks_1 (unit_id=? AND task_id=?) LEFT-JOIN"], count
    assert "SCAN plan_task_words VIRTUAL TABLE" in count and "plan_tasks USING INTEGER PRIMARY KEY" not in count, count
    assert count.index("SCAN plan_task_words") < count.index("SEARCH unit_tasks"), count  # (the word index first)
    tables = [line for line in page.splitlines() if re.match("(SCAN|SEARCH) (plan_task_words|plan_tasks|unit_tasks) ", line)]
    units = [n for n, line in enumerate(tables) if "unit_tasks" in line]
    # (each look-up joined to the word index's scan just before it, no task read between)
    assert len(units) > 1 and all(tables[n].endswith("sqlite_autoindex_unit_tasks_1 (unit_id=? AND task_id=?) LEFT-JOIN")
                                  and tables[n - 1].startswith("SCAN plan_task_words") for n in units), page
    # (FTS5's plan: M the match, then > and < the range of rowids it reads)
    words = [line for plan in (count, page) for line in plan.splitlines() if "plan_task_words" in line]
    assert words and all(re.search(r"SCAN plan_task_words VIRTUAL TABLE INDEX \d+:M\d*><", line) for line in words), words


@pytest.mark.parametrize("office", ["sqlite"], indirect=True)
def test_a_search_by_a_reader_monitoring_many_tasks_reads_their_ids_into_one_list_for_the_count(office):
    """A staff member of a unit leading no task and monitoring the plan of 3,000 (above the
    cap of ids read first), on SQLite: the count reads the unit's tasks (none) into the
    list of the ways' ids, not a look-up of each of the word index's rowids in `unit_tasks`
    (none of them the unit's); count and page read the word index from the first of the
    plan's tasks to its last only, not the first plans' matches."""
    with office.storage.engine.begin() as conn:
        last = conn.execute(select(func.max(orm.plans.c.id))).scalar_one()
        conn.execute(orm.plans.update().where(orm.plans.c.id == last).values(monitor_unit_id=office.units[TCD]))
    found = search_tasks(office.uow(), "nhiệm vụ", TODAY, user_id=office.users["cv.tcd"])
    assert found.listed == 3000
    plans = plans_of(office, lambda: search_tasks(office.uow(), "nhiệm vụ", TODAY, user_id=office.users["cv.tcd"]))
    count, page = [p for p in plans if "plan_task_words" in p]
    assert [line for line in count.splitlines() if "unit_tasks" in line] == [
        "SEARCH unit_tasks USING COVERING INDEX sqlite_autoindex_unit_tasks_1 (unit_id=?)"], count
    words = [line for plan in (count, page) for line in plan.splitlines() if "plan_task_words" in line]
    assert words and all(re.search(r"SCAN plan_task_words VIRTUAL TABLE INDEX \d+:M\d*><", line) for line in words), words


def _assert_bounded_search(office, page: int) -> None:
    plans = plans_of(office, lambda: search_tasks(office.uow(), "nhiệm vụ", TODAY, user_id=office.users["theodoi"],
                                                  page=page))
    matching = [p for p in plans if "plan_task_words" in p or "search_words" in p]
    assert len(matching) == 2, plans  # the count, the ranked page
    if office.storage.engine.dialect.name == "sqlite":  # the count: the word index's rows are the tasks'
        assert "plan_tasks" not in matching[0], matching[0]
        # The page: the words side by side, every word, the others past them; each read once.
        assert matching[1].count("SCAN plan_task_words") == 3, matching[1]
    for plan in matching:
        lines = plan.splitlines()
        if office.storage.engine.dialect.name == "sqlite":
            # (but the lines of a subquery read first: the last of the first matches, read once)
            read = [line for line in lines if not re.match(r"(SCALAR|REUSE) SUBQUERY|SEARCH every_", line)]
            words = [(line, after) for line, after in zip(read, read[1:] + [""]) if "plan_task_words" in line]
            # Each match looked up by id, or the word index read alone (no condition on the
            # task: the count, and the page's reads of its matches, whose ids alone are ranked).
            assert words and all(line.startswith("SCAN plan_task_words VIRTUAL TABLE")
                                 and (after == "SEARCH plan_tasks USING INTEGER PRIMARY KEY (rowid=?)"
                                      or "plan_tasks" not in after)
                                 for line, after in words), plan
            assert not any(line.startswith("SCAN plan_tasks") for line in lines), plan
        else:
            scans = [(parent(lines, n), line, after) for n, (line, after) in enumerate(zip(lines, lines[1:] + [""]))
                     if " on plan_tasks" in line]
            # Under a Limit (past the InitPlans it reads first), or looked up by id (those
            # read, ranked, and the page's).
            assert scans and all("Limit" in before or after.strip().startswith("Index Cond: (id = ")
                                 for before, line, after in scans), plan


def test_a_large_inbox_in_the_order_received_reads_its_page_in_index_order(office):
    """The head of the unit with 3,000 waiting steps, newest first: the unit's steps are
    read through the index ending in (created_at, id), as many as the page needs."""
    with office.uow() as uow:
        [head] = uow.users.in_unit(office.units[CBTH], "unit_head")
    plans = plans_of(office, lambda: list_inbox(office.uow(), head.id, TODAY, InboxQuery(sort="received")))
    reading = [p for p in plans if "work_items" in p]
    assert len(reading) == 1, plans
    lines = reading[0].splitlines()
    if office.storage.engine.dialect.name == "sqlite":
        units = [(line, after) for line, after in zip(lines, lines[1:] + [""]) if "ix_work_items_unit" in line]
        assert units and all("ix_work_items_unit_received" in line and not after.startswith("USE TEMP B-TREE")
                             for line, after in units), reading
    else:
        scans = [(under_limit(lines, n), line) for n, line in enumerate(lines) if " on work_items" in line]
        limited, largest = max(scans, key=lambda scan: rows(scan[1]))
        assert rows(largest) >= UNIT_EXPECTED and "ix_work_items_unit_received" in largest and limited, reading
        assert all(rows(line) <= 50 for line in lines if re.match(r"\s*(->  )?Sort  \(", line)), reading


@pytest.mark.parametrize("office", ["sqlite"], indirect=True)
@pytest.mark.parametrize("query", [InboxQuery(), InboxQuery(sort="received"), InboxQuery(step_id="assign"),
                                   InboxQuery(due="week"), InboxQuery(plan_id=1)])
def test_a_large_inbox_groups_its_choices_once_for_its_plans_steps_and_totals(office, query):
    """The head of the unit with 3,000 waiting steps, on SQLite: the holders' rows of
    `inbox_choices` are each read once, grouped in the index's order (no sort), kept and
    read again for the plans, the step names and, unless narrowed by due date, the totals;
    `inbox_counts` is read only for a range of due dates (late, soon, undated, or the
    week asked for), never a holder's every date for a total."""
    with office.uow() as uow:
        [head] = uow.users.in_unit(office.units[CBTH], "unit_head")
    plans = plans_of(office, lambda: list_inbox(office.uow(), head.id, TODAY, query))
    [choosing] = [p for p in plans if "inbox_choices" in p]
    choices = [line for line in choosing.splitlines() if "inbox_choices" in line]
    assert "MATERIALIZE held" in choosing and len(choices) == 3, choosing
    assert all(line.startswith("SEARCH inbox_choices USING COVERING INDEX") for line in choices), choosing
    assert "TEMP B-TREE FOR GROUP BY" not in choosing, choosing
    counted = [line for plan in plans for line in plan.splitlines() if "inbox_counts" in line]
    assert all("due_on" in line for line in counted), plans
    assert bool(counted) == (query.plan_id is None), plans


def test_an_inbox_filtered_by_a_plan_reads_the_holders_steps_of_that_plan_alone(office):
    """The head of the unit with 3,000 waiting steps, which holds 500 more in each of 4
    other plans, filtered by one of those (or by the small plan, where it holds none), in
    due and in plan order: each holder branch's steps of that plan are one range of an
    index of a holder's steps of one plan (`ix_work_items_*_plan`, migration 0028), read
    by holder and plan together; never all the unit's steps (or all the ready ones)
    filtered by plan, nor the plan's tasks joined to their steps."""
    with office.uow() as uow:
        [head] = uow.users.in_unit(office.units[CBTH], "unit_head")
        small = min(p["id"] for p in uow.plans.list_with_counts())
    others = [steps_of_a_new_plan(office, 500) for _ in range(4)]
    sqlite = office.storage.engine.dialect.name == "sqlite"
    for plan, sort in itertools.product([small, others[1]], ("due", "plan")):
        query = InboxQuery(plan_id=plan, sort=sort)
        plans = plans_of(office, lambda: list_inbox(office.uow(), head.id, TODAY, query))  # noqa: B023 (run here)
        assert not full_scans(plans, "work_items") and not by_state_alone(plans), plans
        lines = "\n".join(plans).splitlines()
        # Each index read of work items, with its condition (PostgreSQL's on the next line).
        reads = [line if sqlite else line + after for line, after in zip(lines, lines[1:] + [""])
                 if re.search(r"SEARCH work_items USING (COVERING )?INDEX|Index (Only )?Scan on ix_work_items_\w+"
                              r"|Scan using ix_work_items_\w+ on", line)]
        by_plan = [r for r in reads if re.search(r"ix_work_items_\w+_plan\b", r) and re.search(r"plan_id ?=", r)]
        # The unit's steps (3,000 + 2,000) are read only by the unit and the plan together.
        of_unit = [r for r in reads if re.search(r"candidate_unit_id ?= ?(\?|\$?\d)", r)]
        assert by_plan and all(r in by_plan for r in of_unit), plans
        if sqlite:
            assert all(r in by_plan for r in reads), plans


@pytest.mark.parametrize("unit", [KSTTHC, CBTH])
def test_a_units_counts_and_plans_read_its_own_groups_by_the_unit_s_index(office, unit):
    """The unit page's counts and plans sum the unit's groups in `unit_task_counts`
    through `ix_unit_task_counts_unit` (unit first), for a unit of 4 tasks beside one of
    3,000 and for that one; not through the dashboard's index led by the plan, where the
    unit is a last column (a scan of the whole index). On SQLite from the index alone
    (migration 0042), not each group's row."""
    unit_id = office.units[unit]

    def read():
        with office.uow() as uow:
            uow.progress.counts_and_plans(TaskScope(TODAY, unit_id=unit_id), TaskScope(TODAY, unit_id=unit_id))
    [plan] = [p for p in plans_of(office, read) if "unit_task_counts" in p]
    assert plan.count("ix_unit_task_counts_unit") == 2 and "ix_unit_task_counts_plan" not in plan, plan  # each part
    if office.storage.engine.dialect.name == "sqlite":
        assert plan.count("USING COVERING INDEX ix_unit_task_counts_unit") == 2, plan


@pytest.mark.parametrize("office", ["postgresql"], indirect=True)
@pytest.mark.parametrize("reader", ["monitor", "head of a unit of 3,000 tasks"])
def test_a_search_s_count_reads_the_word_index_in_its_generic_plan(office, reader):
    """The 3,008 tasks all hold "nhiệm vụ". Once psycopg prepared a search's capped count,
    PostgreSQL keeps its generic plan: with the words bound, a bitmap of the word index's
    matches, the rows then read without their words tested (with the words written in, it
    planned for every task matching: each row read and its words tested, 10,001 of them at
    20,000 open). For a reader of every task, and for one whose unit holds more tasks than
    their ids are read for (`READER_IDS`): each match then tested against the reading rule."""
    user = office.users["theodoi"] if reader == "monitor" else _head(office)
    plans = plans_of(office, lambda: search_tasks(office.uow(), "nhiệm vụ", TODAY, user_id=user), generic=True)
    [count] = [p for p in plans if p.startswith("Aggregate") and "search_words" in p]
    assert "Bitmap Index Scan on ix_plan_tasks_search_words" in count, count
    assert not full_scans([count], "plan_tasks"), count
