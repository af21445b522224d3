"""The cost of a plan task's life on a real database: starting tasks, completing a step
through the service layer, listing an inbox and a plan page, and the stored state's size.

    .venv/bin/python bench/task_path.py [--tasks 300] [--url postgresql+psycopg://...]

Prints figures; asserts nothing (timings belong here, not in tests).
"""
from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere: tests/ helpers

from sqlalchemy import func, select  # noqa: E402

from adapters.storage import orm  # noqa: E402
from engine.reading import plan_pages
from engine.tasks import (
    inbox,  # noqa: E402
    steps,
)
from tests.support.office import KSTTHC, TTPV, clock_on, make_office  # noqa: E402
from tests.support.statements import sent_statements  # noqa: E402

DAY = date(2024, 2, 1)


def timed(label: str, count: int, action) -> None:
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.2f} s for {count} = {1000 * elapsed / count:.2f} ms each")


def sampled(label: str, runs: int, action, engine) -> None:
    times = []
    with sent_statements(engine) as statements:
        for _ in range(runs):
            started = time.perf_counter()
            action()
            times.append(time.perf_counter() - started)
    print(f"{label}: median {1000 * statistics.median(times):.1f} ms, {len(statements) // runs} SQL statements")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--url", default=None, help="a database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    # Every service is given a clock on the bench's day (and the workflows' timers run
    # on it): no 2024 rung fires as if it were today, the figures measure the path alone.
    run(args)


def run(args: argparse.Namespace) -> None:
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    office = make_office(url)
    engine = office.storage.engine
    print(f"{engine.dialect.name}, {args.tasks} tasks, each with 1 coordinating unit")

    tasks = [{"ref": str(n), "lead": [KSTTHC], "coordinators": [TTPV], "due": "2024-03-29"}
             for n in range(1, args.tasks + 1)]
    plan_ids: list[int] = []
    timed("start (plan intake: task + instance + index)", args.tasks,
          lambda: plan_ids.append(office.plan(tasks)))
    head = office.users["truong.kstthc"]
    sampled(f"inbox of a unit head with {args.tasks} steps", 20,
            lambda: inbox.list_inbox(office.uow(), head, DAY), engine)
    sampled(f"plan page of {args.tasks} tasks", 20,
            lambda: plan_pages.plan_overview(office.uow(), plan_ids[0], DAY, office.users["theodoi"]), engine)

    items = office.ready(plan_ids[0])
    assignee = {"assignee": office.users["cv.kstthc"]}
    timed("complete a step (load, run, save, index, audit, commit)", len(items),
          lambda: [steps.complete_step(office.uow(), i.id, head, assignee, clock=clock_on(DAY)) for i in items])

    with engine.connect() as conn:
        states = conn.execute(select(orm.process_instances.c.state)).scalars().all()
        ready = conn.execute(select(func.count()).select_from(orm.work_items)
                             .where(orm.work_items.c.state == "ready")).scalar()
    sizes = [len(s.encode()) for s in states]
    zipped = [len(gzip.compress(s.encode())) for s in states]
    print(f"stored state per instance after assign: median {statistics.median(sizes) / 1024:.1f} KB "
          f"({statistics.median(zipped) / 1024:.1f} KB gzipped), spec not included; {ready} steps ready")


if __name__ == "__main__":
    main()
