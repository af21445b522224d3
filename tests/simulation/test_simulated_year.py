"""A year of an office, replayed from fixed seeds: every invariant holds after every day.

On SQLite three whole years; on PostgreSQL one seed for a season, to keep the suite's
time modest (`bench/simulate.py --url postgresql+psycopg://...` runs whole years there).
`bench/simulate.py --seeds N --days D` runs many more; a failure names its seed and day
(`OfficeYear(url, seed).run(days)` replays it exactly).
"""
from __future__ import annotations

import pytest

from tests.simulation.office_year import OfficeYear

SEEDS = (1, 2, 3)
DAYS = 366
POSTGRES_SEEDS = (5,)
POSTGRES_DAYS = 120


@pytest.mark.parametrize("seed", SEEDS)
def test_a_simulated_year_keeps_every_invariant_every_day(seed, sqlite_url):
    _keeps_every_invariant(sqlite_url, seed, DAYS)


@pytest.mark.parametrize("seed", POSTGRES_SEEDS)
def test_a_simulated_season_on_postgresql_keeps_every_invariant_every_day(seed, postgres_fresh_url):
    _keeps_every_invariant(postgres_fresh_url, seed, POSTGRES_DAYS)


def _keeps_every_invariant(url: str, seed: int, days: int) -> None:
    stats = OfficeYear(url, seed).run(days)
    print(f"seed {seed}: {stats}")
    # the days did what they are for: late imports, restarts, days down, extensions, dates set late
    assert stats.checked_days == days
    assert stats.plans >= days // 40 and stats.late_imports and stats.restarts and stats.days_down
    assert stats.extensions and stats.dates_set and stats.notices and stats.mails and stats.scheduler_restarts
