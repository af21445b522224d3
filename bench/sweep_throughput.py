"""Timer sweep throughput: how many due instances (3 rungs each) a sweep fires per second,
and what an idle sweep costs when many instances are open but none is due.

    .venv/bin/python bench/sweep_throughput.py [--tasks 500] [--url sqlite:///tmp/bench.sqlite3]

Prints figures; asserts nothing (timings belong here, not in tests).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere: tests/ helpers

from engine.clock import FixedClock  # noqa: E402
from engine.deadlines import sweep  # noqa: E402
from tests.support import office as office_support  # noqa: E402
from tests.support.bulk import tasks_at_their_report_step  # noqa: E402
from tests.support.deadlines import office_clock  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=500)
    parser.add_argument("--url", default=None, help="a database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    office = office_support.make_office(url)
    started = time.perf_counter()
    with office_clock(date(2024, 1, 15)) as clock:
        tasks_at_their_report_step(office, clock, args.tasks)
        setup = time.perf_counter() - started
        print(f"setup: {args.tasks} tasks at their report step in {setup:.1f} s")

        clock.on(date(2024, 3, 1))  # nothing due yet: the idle sweep
        started = time.perf_counter()
        idle = sweep.sweep(office.uow, clock=FixedClock(clock.now()))
        print(f"idle sweep over {args.tasks} open instances: {1000 * (time.perf_counter() - started):.1f} ms "
              f"({idle.instances} loaded)")

        clock.on(date(2024, 4, 30))  # every rung due
        started = time.perf_counter()
        result = sweep.sweep(office.uow, clock=FixedClock(clock.now()))
        elapsed = time.perf_counter() - started
    print(f"sweep: {result} in {elapsed:.2f} s = {result.instances / elapsed:.0f} instances/s, "
          f"{result.notices / elapsed:.0f} notices/s ({office.storage.engine.dialect.name})")


if __name__ == "__main__":
    main()
