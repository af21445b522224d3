"""Simulated years of an office (tests/simulation): many seeds, the first failure named.

    .venv/bin/python bench/simulate.py --seeds 20 --days 366 [--first 100]
    .venv/bin/python bench/simulate.py --url postgresql+psycopg://postgres@HOST:PORT/postgres [--prefix simulation]

Each seed runs on a fresh SQLite file, or with `--url` on a fresh PostgreSQL database
(`PREFIX_SEED`, created from the URL's database and dropped after); a failing seed
prints its day and what broke, and `OfficeYear(url, seed).run(days)` replays it
exactly. Prints the time per seed.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere: tests/ helpers

from bench.scale import KeptDatabase  # noqa: E402
from tests.simulation.office_year import Failure, OfficeYear  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=10, help="how many seeds")
    parser.add_argument("--first", type=int, default=1, help="the first seed")
    parser.add_argument("--days", type=int, default=366, help="simulated days per seed")
    parser.add_argument("--url", help="a PostgreSQL server (its URL); SQLite files when absent")
    parser.add_argument("--prefix", default="simulation", help="the PostgreSQL databases' names: PREFIX_SEED")
    args = parser.parse_args()
    failed = []
    for seed in range(args.first, args.first + args.seeds):
        started = time.perf_counter()
        try:
            with fresh_database(args, seed) as url:
                stats = OfficeYear(url, seed).run(args.days)
        except Failure as failure:
            failed.append(failure)
            print(f"FAILED {failure}", flush=True)
            continue
        print(f"seed {seed}: ok in {time.perf_counter() - started:.1f} s; {stats}", flush=True)
    print(f"{args.seeds - len(failed)}/{args.seeds} seeds kept every invariant for {args.days} days"
          + (f"; first failure: seed {failed[0].seed}, day {failed[0].day}" if failed else ""))
    return 1 if failed else 0


@contextmanager
def fresh_database(args: argparse.Namespace, seed: int) -> Iterator[str]:
    """The URL of an empty database for `seed`: a new SQLite file, or on the `--url`
    server a copy of its empty template (template0), dropped after."""
    if args.url is None:
        yield f"sqlite:///{Path(tempfile.mkdtemp()) / 'simulation.sqlite3'}"
        return
    with KeptDatabase(args.url, "template0", measured=f"{args.prefix}_{seed}").copy() as url:
        yield url


if __name__ == "__main__":
    raise SystemExit(main())
