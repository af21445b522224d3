"""The reads that send a UNION ALL of parts (the dashboard's two pages, the plan page's
count with its page, a page's units, steps and notices, the unit page's groups, search's
ranked set) give their rows in order because the statement orders them, not because the
database happens to give each part's rows, and the parts, in the order written: SQL
promises neither (a PostgreSQL parallel Append interleaves its parts; a subquery's
ORDER BY may be dropped). A stand-in for such a planner hands the parts in reverse and
each part's rows shuffled; every page still equals a Python sort of every row, on
SQLite and PostgreSQL. And the statements' outermost clause orders by part and place.

The plan (TODAY is Monday 11/03/2024): 30 tasks; every third one has no date, the others
are due in February (overdue, the earlier the later) or at the end of March; the lead
units alternate; the tasks TTPV leads have two coordinating units, in either order."""
from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import date

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from adapters.storage import progress_queries, reads
from adapters.storage.reads import count_statements, page_details, page_statements, statement_shapes
from engine.access import task_access
from engine.process import instances
from engine.reading import plan_pages, progress, search, unit_work
from engine.reading.progress import OVERDUE, Filters, TaskScope, load_tasks, plan_dashboard
from tests.support.office import CBTH, KSTTHC, TTPV, make_office
from tests.support.unordered import shuffled_union_all

TODAY = date(2024, 3, 11)
N = 30


def _task(i: int) -> dict:
    due = None if i % 3 == 0 else f"2024-02-{1 + i % 28:02d}" if i % 2 else "2024-03-29"
    return {"ref": str(i), "title": f"Nhiệm vụ số {i}", "lead": [(KSTTHC, TTPV)[i % 2]],
            "coordinators": ([CBTH, KSTTHC] if i % 3 else [KSTTHC, CBTH]) if i % 2 else [CBTH],
            **({"due": due} if due else {})}


@pytest.fixture(params=["sqlite", "postgresql"])
def office(request):
    office = make_office(request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url"))
    office.plan_id = office.plan([_task(i) for i in range(1, N + 1)])
    yield office
    office.storage.engine.dispose()


def _read_modules() -> list:
    """`progress_queries` and the modules of its statements (`adapters.storage.reads`)."""
    return [progress_queries, *(importlib.import_module(f"{reads.__name__}.{found.name}")
                                for found in pkgutil.iter_modules(reads.__path__))]


def _statements_built_again() -> None:
    for module in _read_modules():
        for value in vars(module).values():
            if hasattr(value, "cache_clear"):
                value.cache_clear()


@pytest.fixture
def parts_in_any_order(monkeypatch):
    """Each UNION ALL of `progress_queries`' statements built with its parts in reverse, each
    part's rows (after its own ORDER BY and LIMIT) in a random order: what a planner is free to do."""
    _statements_built_again()
    for module in _read_modules():
        if hasattr(module, "union_all"):
            monkeypatch.setattr(module, "union_all", shuffled_union_all)
    yield
    monkeypatch.undo()
    _statements_built_again()


def _tasks(office) -> list[progress.TaskProgress]:
    with office.uow() as uow:
        return load_tasks(uow, office.plan_id, TODAY, instances.calendar(uow))


def _urgent_first(tasks):
    # `urgency` in Python: overdue (the earliest due, the most late) first, then open by
    # due date, then done; undated last; then plan order (load_tasks' order).
    return sorted(tasks, key=lambda t: (t.state != OVERDUE, t.closed_on is not None, t.due_on is None,
                                        t.due_on or date.max))


def test_pages_in_order_whatever_order_the_parts_come_in(office, parts_in_any_order, monkeypatch):
    tasks = _tasks(office)
    in_plan_order = [t.ref for t in tasks]
    steps = {}  # the ready steps of each task, by work item id
    for item in sorted(office.ready(office.plan_id), key=lambda i: i.id):
        steps.setdefault(item.plan_task_id, []).append(item.step_name)
    units = {t.ref: ([u.name for u in t.lead], [u.name for u in t.coordinators]) for t in tasks}
    assert any(len(c) == 2 for _, c in units.values()), "a task with two coordinators, in their order"

    monkeypatch.setattr(progress, "PAGE_SIZE", 7)
    monkeypatch.setattr(progress, "OVERDUE_SHOWN", 6)
    first = plan_dashboard(office.uow(), office.plan_id, TODAY)
    pages = [first] + [plan_dashboard(office.uow(), office.plan_id, TODAY, page=n) for n in range(2, first.pages + 1)]
    assert [t.ref for p in pages for t in p.tasks] == in_plan_order
    assert [t.ref for t in first.overdue] == [t.ref for t in _urgent_first(tasks) if t.state == OVERDUE][:6]
    for task in (t for p in pages for t in [*p.tasks, *p.overdue]):
        assert ([u.name for u in task.lead], [u.name for u in task.coordinators]) == units[task.ref], task.ref
        assert [s.step_name for s in task.steps] == steps.get(task.id, []), task.ref
    late = Filters(state=OVERDUE)
    overdue = plan_dashboard(office.uow(), office.plan_id, TODAY, late)
    assert [t.ref for t in overdue.tasks] == [t.ref for t in tasks if t.state == OVERDUE][:7]

    monkeypatch.setattr(plan_pages, "PAGE_SIZE", 7)
    monitor = office.users["theodoi"]
    first = plan_pages.plan_overview(office.uow(), office.plan_id, TODAY, monitor)
    pages = [first] + [plan_pages.plan_overview(office.uow(), office.plan_id, TODAY, monitor, page=n)
                       for n in range(2, first.pages + 1)]
    assert [r.task.ref for p in pages for r in p.tasks] == in_plan_order
    assert all((r.lead, r.coordinators) == units[r.task.ref] for p in pages for r in p.tasks)
    assert plan_pages.plan_overview(office.uow(), office.plan_id, TODAY, monitor, page=99).tasks == pages[-1].tasks

    monkeypatch.setattr(unit_work, "PAGE_SIZE", 4)
    head = office.users["giamdoc.ttpv"]
    first = unit_work.unit_work(office.uow(), head, TODAY)
    pages = [first] + [unit_work.unit_work(office.uow(), head, TODAY, page=n) for n in range(2, first.pages + 1)]
    ttpv = [t for t in tasks if TTPV in {u.name for u in [*t.lead, *t.coordinators]}]
    assert [t.ref for p in pages for t in p.tasks] == [t.ref for t in _urgent_first(ttpv)]

    monkeypatch.setattr(search, "PAGE_SIZE", 4)
    first = search.search_tasks(office.uow(), "nhiem vu", TODAY)
    pages = [first] + [search.search_tasks(office.uow(), "nhiem vu", TODAY, page=n) for n in range(2, first.pages + 1)]
    assert [t.ref for p in pages for t in p.tasks] == in_plan_order, "ties in plan order"


def test_a_reader_s_plan_page_in_order_whatever_order_the_parts_come_in(office, parts_in_any_order, monkeypatch):
    monkeypatch.setattr(plan_pages, "PAGE_SIZE", 3)
    with office.uow() as uow:
        plan, tasks = uow.plans.get(office.plan_id), uow.tasks.for_plan(office.plan_id)
        rule = task_access.readable(uow, office.users["truong.kstthc"], plan, [(t.ref, t) for t in tasks])
    first = plan_pages.plan_overview(office.uow(), office.plan_id, TODAY, office.users["truong.kstthc"])
    pages = [first] + [plan_pages.plan_overview(office.uow(), office.plan_id, TODAY, office.users["truong.kstthc"],
                                                page=n) for n in range(2, first.pages + 1)]
    assert [r.task.ref for p in pages for r in p.tasks] == rule and first.listed == len(rule) > 3


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
def test_statements_of_parts_end_by_ordering_on_the_part_and_its_keys(dialect):
    """The rows of parts come in the order the outermost clause gives: by part, then each
    part's own keys (columns of the statement, NULL in the other parts)."""
    scope = statement_shapes.bound(TaskScope(TODAY, plan_id=1))[0]
    both = ((None, "position"), ("overdue", "urgency"))
    sqlite = dialect.name == "sqlite"
    statements = [page_statements.slices_statement(scope, both, sqlite),
                  *([] if sqlite else [count_statements.counted_slices_statement(scope, both[:1], sqlite)]),
                  page_details.page_details_statement("notice_"), page_details.page_details_statement(None)]
    for statement in statements:
        sql = " ".join(str(statement.compile(dialect=dialect)).split())
        outermost = sql.rsplit(")", 1)[1]  # after the last subquery: a part's ORDER BY is inside one
        assert re.fullmatch(r" AS \w+ ORDER BY part(, \w+( NULLS LAST)?)+", outermost), outermost
        assert outermost.endswith(("plan_id, position, id", "tasks_position, tasks_id", "steps_work_item_id",
                                   "notices_at, notices_id")), outermost


def test_a_counted_page_on_sqlite_is_its_own_statement_in_its_own_order():
    """On SQLite a page with its count is no UNION ALL of parts: the page's SELECT in its
    order under its LIMIT, the count a column of each row."""
    scope = statement_shapes.bound(TaskScope(TODAY, plan_id=1))[0]
    statement = count_statements.counted_slices_statement(scope, ((None, "position"),), True)
    sql = " ".join(str(statement.compile(dialect=sqlite.dialect())).split())
    assert "UNION" not in sql and statement.selected_columns.keys()[-1] == "counted"
    assert re.search(r"ORDER BY plan_tasks\.plan_id, plan_tasks\.position, plan_tasks\.id LIMIT \? OFFSET \?$", sql), sql
