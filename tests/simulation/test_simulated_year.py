"""A year of an office, replayed from fixed seeds: every invariant holds after every day.

`bench/simulate.py --seeds N --days D` runs many more; a failure names its seed and day
(`OfficeYear(url, seed).run(days)` replays it exactly).
"""
from __future__ import annotations

import pytest

from tests.simulation.office_year import OfficeYear

SEEDS = (1, 2, 3)
DAYS = 366


@pytest.mark.parametrize("seed", SEEDS)
def test_a_simulated_year_keeps_every_invariant_every_day(seed, sqlite_url):
    stats = OfficeYear(sqlite_url, seed).run(DAYS)
    print(f"seed {seed}: {stats}")
    # the year did what it is for: late imports, restarts, days down, extensions, dates set late
    assert stats.checked_days == DAYS
    assert stats.plans >= 10 and stats.late_imports and stats.restarts and stats.days_down
    assert stats.extensions and stats.dates_set and stats.notices
