"""bench/scale.py's hand-written search (its search rows' bare 2) shows what planflow's
first page of search results shows: on each database, for a reader of every task and a
staff member (all tasks, or the overdue ones), where the ranking orders the matches,
where the first matches of each kind (`SEARCH_REACH`) are fewer than the matches, and
where the count is capped (`SEARCH_COUNTED`). The bench's own office cannot tell these
apart: every task of it holds the words as typed, side by side."""
from __future__ import annotations

from datetime import date

import pytest

from adapters.storage import progress_queries
from bench import scale
from engine.reading import search
from engine.reading.progress import OVERDUE
from tests.support.office import KSTTHC, TTPV

# Titles holding SEARCHED's words in every way the ranking tells apart (as typed side by
# side, as typed apart, folded side by side, other marks), the best of them last by id.
TITLES = ["Vụ việc và nhiệm kỳ", "Nhiem vu khong dau", "Nhiễm vũ", "Nhiệm kỳ và vụ án", "Nhiệm vũ",
          "Không có từ nào", "Nhiệm vụ trọng tâm", "Thực hiện nhiệm vụ"]


@pytest.fixture
def office(office_on_each_database):
    office = office_on_each_database
    tasks = [{"ref": str(n), "title": title, "lead": [KSTTHC if n % 2 else TTPV],
              "due": "2024-01-10" if n % 3 else "2024-03-01"} for n, title in enumerate(TITLES, start=1)]
    office.plan(tasks, issued=date(2023, 12, 1))
    return office


@pytest.mark.parametrize("reader, state", [(scale.MONITOR, None), (scale.STAFF, None), (scale.STAFF, OVERDUE)])
@pytest.mark.parametrize("reach, counted, page", [(1000, 10_000, 50), (2, 3, 2)])
def test_the_hand_written_search_shows_what_planflow_shows(office, monkeypatch, reader, state, reach, counted, page):
    for module, name, value in [(progress_queries, "SEARCH_REACH", reach), (scale, "SEARCH_REACH", reach),
                                (search, "SEARCH_COUNTED", counted), (scale, "SEARCH_COUNTED", counted),
                                (search, "PAGE_SIZE", page)]:
        monkeypatch.setattr(module, name, value)
    # `searching` raises if its hand-written page differs from planflow's (the test below
    # shows it does); a page of some tasks makes that comparison one of something.
    label, action, _, _ = scale.searching(office, "search", reader, state)[0]
    assert action().tasks, "the page shows some tasks"


def test_a_hand_written_search_that_ranks_otherwise_is_told(office, monkeypatch):
    monkeypatch.setattr(scale, "_hand_relevance", lambda: "0")
    with pytest.raises(AssertionError, match="other data than planflow's page"):
        scale.searching(office, "search", scale.MONITOR)
