"""Simulated years of an office (tests/simulation): many seeds, the first failure named.

    .venv/bin/python bench/simulate.py --seeds 20 --days 366 [--first 100]

Each seed runs on a fresh SQLite file; a failing seed prints its day and what broke,
and `OfficeYear(url, seed).run(days)` replays it exactly. Prints the time per seed.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere: tests/ helpers

from tests.simulation.office_year import Failure, OfficeYear  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=10, help="how many seeds")
    parser.add_argument("--first", type=int, default=1, help="the first seed")
    parser.add_argument("--days", type=int, default=366, help="simulated days per seed")
    args = parser.parse_args()
    failed = []
    for seed in range(args.first, args.first + args.seeds):
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'simulation.sqlite3'}"
        started = time.perf_counter()
        try:
            stats = OfficeYear(url, seed).run(args.days)
        except Failure as failure:
            failed.append(failure)
            print(f"FAILED {failure}", flush=True)
            continue
        print(f"seed {seed}: ok in {time.perf_counter() - started:.1f} s; {stats}", flush=True)
    print(f"{args.seeds - len(failed)}/{args.seeds} seeds kept every invariant for {args.days} days"
          + (f"; first failure: seed {failed[0].seed}, day {failed[0].day}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
