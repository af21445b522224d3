"""A province's load: N open task instances stored for real (each loadable and
completable), then every row of issue 15's table measured side by side with what the
same work costs bare (the SQL alone, or SpiffWorkflow through our runtime alone), and
EXPLAIN of the inbox, sweep and dashboard queries.

    .venv/bin/python bench/scale.py --open 10000 [--url postgresql+psycopg://...] [--plan-size 1000] [--cpu]

--cpu times with this process's CPU clock instead of the wall clock: on a shared
machine the wall clock measures the neighbours too. It leaves out the PostgreSQL
server's own time, so use it for SQLite (in-process) or for ratios of Python work.

Prints figures; asserts nothing (timings belong here, not in tests).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere: tests/ helpers

from sqlalchemy import event, func, select, text  # noqa: E402

from adapters.storage import orm  # noqa: E402
from engine.clock import FixedClock, to_storage  # noqa: E402
from engine.deadlines import sweep  # noqa: E402
from engine.process import instances  # noqa: E402
from engine.reading import plan_pages, progress  # noqa: E402
from engine.tasks import inbox, steps  # noqa: E402
from tests.support.deadlines import office_clock  # noqa: E402
from tests.support.office import KSTTHC, make_office  # noqa: E402

ISSUED, WORK_DAY, ALL_DUE = date(2024, 1, 15), date(2024, 1, 16), date(2024, 4, 30)
HEAD, STAFF, MONITOR = "truong.kstthc", "cv.kstthc", "theodoi"
SAMPLE = 100  # steps completed, instances fired: enough for a median
now_ms = time.perf_counter  # or time.process_time (--cpu)


class Counter:
    """SQL statements sent while measuring."""

    def __init__(self, engine) -> None:
        self.engine, self.statements = engine, []

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        self.statements = []
        listener = lambda *args: self.statements.append(args[2])  # noqa: E731  (conn, cursor, statement, ...)
        event.listen(self.engine, "before_cursor_execute", listener)
        try:
            yield self.statements
        finally:
            event.remove(self.engine, "before_cursor_execute", listener)


def per_call(action: Callable[[], Any], runs: int) -> tuple[float, float]:
    """Median and p95 of `runs` calls, in ms."""
    times = []
    for _ in range(runs):
        started = now_ms()
        action()
        times.append(1000 * (now_ms() - started))
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]


def row(label: str, ours: float, bare: float, unit: str = "ms", note: str = "") -> None:
    ratio = ours / bare if bare else float("inf")
    print(f"| {label} | {ours:.2f} {unit} | {bare:.2f} {unit} | {ratio:.1f}× | {note} |")


def build(office, clock, total: int, plan_size: int) -> tuple[list[int], float]:
    plan_ids, started = [], now_ms()
    for first in range(0, total, plan_size):
        count = min(plan_size, total - first)
        plan_ids.append(office.plan([{"ref": str(n), "lead": [KSTTHC], "due": "2024-03-29", "director": "chanhvp"}
                                     for n in range(first + 1, first + count + 1)], issued=ISSUED))
        print(f"  built {first + count} / {total} open instances", file=sys.stderr)
    return plan_ids, (now_ms() - started) * 1000 / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--open", type=int, default=2000, help="open task instances to build")
    parser.add_argument("--plan-size", type=int, default=1000, help="tasks per plan")
    parser.add_argument("--url", default=None, help="a database URL (default: a fresh SQLite file)")
    parser.add_argument("--cpu", action="store_true", help="time with the process's CPU clock")
    args = parser.parse_args()
    if args.cpu:
        global now_ms
        now_ms = time.process_time
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'scale.sqlite3'}"
    office = make_office(url)
    engine, counter = office.storage.engine, Counter(office.storage.engine)
    with office_clock(ISSUED) as clock:
        plan_ids, start_ms = build(office, clock, args.open, args.plan_size)
        clock.on(WORK_DAY)
        measure(office, engine, counter, clock, plan_ids, start_ms, args)


def measure(office, engine, counter: Counter, clock, plan_ids: list[int], start_ms: float, args) -> None:
    users = office.users
    clock_name = "CPU time of this process" if args.cpu else "wall clock"
    print(f"\n{engine.dialect.name}: {args.open} open instances in plans of {args.plan_size} tasks ({clock_name})\n")
    print("| measure | planflow | bare | ratio | notes |\n|---|---|---|---|---|")

    with office.uow() as uow:
        rt = instances.runtime(uow, clock)
        sample_task = uow.tasks.for_plan(plan_ids[-1])[0]
        version_id = uow.instances.for_task(sample_task.id).process_version_id
        spec = instances.spec(uow, version_id)
        plan = uow.plans.get(plan_ids[-1])
        data = {**_start_data(plan, sample_task)}

    def bare_start() -> None:
        wf, _ = rt.start_with_notices(spec, data)
        rt.dumps(wf)
    row("start a task (per task)", start_ms, per_call(bare_start, SAMPLE)[0], note="bare: create + run + serialize")

    # Complete a step: the service against load + complete + serialize of the same states.
    items = [i for i in office.ready(plan_ids[0]) if i.form == "assign"][:SAMPLE]
    with office.uow() as uow:
        states = [(uow.instances.get(i.instance_id).state, i.task_uuid) for i in items]
    assignee = {"assignee": users[STAFF]}
    times = []
    with counter.counting() as statements:
        for item in items:
            started = now_ms()
            steps.complete_step(office.uow(), item.id, users[HEAD], assignee, clock=clock)
            times.append(1000 * (now_ms() - started))
    per_step = len(statements) / len(items)
    bare = []
    for state, uuid in states:
        started = now_ms()
        wf = rt.loads(spec, state)
        rt.complete(wf, uuid, assignee)
        rt.dumps(wf)
        bare.append(1000 * (now_ms() - started))
    row("complete a step", statistics.median(times), statistics.median(bare),
        note=f"{per_step:.1f} SQL statements per step")

    # Inboxes: the staff member now holds SAMPLE report steps; the monitor many rows.
    staff_query = _bare_inbox_query(users[STAFF])
    ours, _ = per_call(lambda: inbox.list_inbox(office.uow(), users[STAFF], WORK_DAY), 20)
    bare_ms, _ = per_call(lambda: _run(engine, staff_query), 20)
    row(f"a staff member's inbox ({len(items)} rows)", ours, bare_ms)
    ours, p95 = per_call(lambda: inbox.list_inbox(office.uow(), users[MONITOR], WORK_DAY), 20)
    row("the monitor's inbox (first page)", ours, bare_ms, note=f"p95 {p95:.1f} ms; bare = the staff query")

    # Dashboard and plan page of the first plan.
    dash_ms, dash_p95 = per_call(lambda: progress.plan_dashboard(office.uow(), plan_ids[0], WORK_DAY), 5)
    dash_bare, _ = per_call(lambda: _run(engine, _bare_dashboard_query(plan_ids[0])), 5)
    row(f"dashboard of a {args.plan_size}-task plan", dash_ms, dash_bare, note=f"p95 {dash_p95:.0f} ms")
    page_ms, _ = per_call(lambda: plan_pages.plan_overview(office.uow(), plan_ids[0], WORK_DAY, users[MONITOR]), 5)
    page_bare, _ = per_call(lambda: _run(engine, _bare_plan_page_query(plan_ids[0])), 5)
    row(f"plan page of {args.plan_size} tasks", page_ms, page_bare)

    # Idle sweep: nothing due yet.
    now = to_storage(clock.now())
    idle_ms, _ = per_call(lambda: sweep.sweep(office.uow, clock=FixedClock(clock.now())), 10)
    idle_bare, _ = per_call(lambda: _run(engine, _bare_due_query(now)), 10)
    row("idle sweep", idle_ms, idle_bare, note="bare: the indexed range query")

    # A sweep with every rung due: per instance, against firing the same timers bare.
    clock.on(ALL_DUE)
    with office.uow() as uow:
        due = uow.instances.due_for_timers(to_storage(clock.now()), SAMPLE)
        due_states = [d.state for d in due]
    bare_fire = []
    for state in due_states:
        started = now_ms()
        wf = rt.loads(spec, state)
        rt.fire_due_timers(wf)
        rt.dumps(wf)
        bare_fire.append(1000 * (now_ms() - started))
    with counter.counting() as statements:
        started = now_ms()
        result = sweep.sweep(office.uow, clock=FixedClock(clock.now()), max_batches=2)
        elapsed = 1000 * (now_ms() - started)
    fired = max(1, result.instances)
    row("sweep, per due instance", elapsed / fired, statistics.median(bare_fire),
        note=f"{fired} instances, {len(statements) / fired:.1f} statements each")

    with engine.connect() as conn:
        count, size = conn.execute(select(func.count(), func.sum(func.length(orm.process_instances.c.state)))).one()
    print(f"| stored state per open instance | {size / count / 1024:.1f} KB | — | — | spec not included |")
    explain(engine, users, plan_ids[0], now)


def _start_data(plan, task) -> dict[str, Any]:
    from engine.tasks.intake import start_data
    return start_data(plan, task)


def _run(engine, statement) -> list:
    with engine.connect() as conn:
        return conn.execute(statement).all()


def _bare_inbox_query(user_id: int):
    w, t, p = orm.work_items, orm.plan_tasks, orm.plans
    return (select(w.c.id, w.c.step_name, w.c.due_on, t.c.ref, t.c.title, p.c.number)
            .join(t, t.c.id == w.c.plan_task_id).join(p, p.c.id == t.c.plan_id)
            .where(w.c.state == "ready", w.c.assignee_user_id == user_id).order_by(w.c.due_on).limit(50))


def _bare_dashboard_query(plan_id: int):
    t = orm.plan_tasks
    return select(t.c.status, func.count()).where(t.c.plan_id == plan_id).group_by(t.c.status)


def _bare_plan_page_query(plan_id: int):
    t, w = orm.plan_tasks, orm.work_items
    return (select(t.c.id, t.c.ref, t.c.title, t.c.due_on, t.c.status, w.c.step_name)
            .outerjoin(w, (w.c.plan_task_id == t.c.id) & (w.c.state == "ready"))
            .where(t.c.plan_id == plan_id).order_by(t.c.position))


def _bare_due_query(now: datetime):
    c = orm.process_instances.c
    return select(c.id).where(c.next_timer_at <= now, c.status == "running").order_by(c.next_timer_at).limit(100)


def explain(engine, users: dict[str, int], plan_id: int, now: datetime) -> None:
    sqlite = engine.dialect.name == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
    for label, statement in (("inbox (staff)", _bare_inbox_query(users[STAFF])),
                             ("sweep (due range)", _bare_due_query(now)),
                             ("dashboard (counts)", _bare_dashboard_query(plan_id))):
        compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
        with engine.connect() as conn:
            plan = conn.execute(text(prefix + str(compiled))).all()
        print(f"\nEXPLAIN {label}:")
        for line in plan:
            print("   ", line[-1] if sqlite else line[0])


if __name__ == "__main__":
    main()
