"""Search tasks by their words, typed with or without diacritics, best match first.

Each task stores its words (ref, title, content, product, units with their aliases,
plan number and title) as written and folded (`engine/reading/search_text.py`); the
database's word index finds the tasks holding every folded word of the query, as
whole words ("hóa" is not inside "hoạch"). People type "so hoa" for "số hóa", and
OCR'd plans lose marks anyway, so unaccented input matches both; accented input ranks
the tasks written with those very marks first ("số hóa" before "sổ ... hoa"), the
words side by side before words apart.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.access import task_access
from engine.process import instances
from engine.reading.progress import Filters, TaskProgress, load_tasks
from engine.reading.search_text import words
from engine.text_folding import fold
from engine.unit_of_work import AbstractUnitOfWork

MAX_RESULTS = 100
CANDIDATES = 2000  # tasks the word index hands over for ranking; a query that broad needs more words


@dataclass(frozen=True)
class SearchResults:
    query: str
    tasks: list[TaskProgress]
    truncated: bool


def search_tasks(uow: AbstractUnitOfWork, query: str, today: date, filters: Filters = Filters(),
                 limit: int = MAX_RESULTS, user_id: int | None = None) -> SearchResults:
    """Tasks of every plan holding every word of `query`, best first; `filters` narrow
    them further (the overview's "overdue tasks of this unit" links here). With
    `user_id`, only the tasks that person may read (engine/access/task_access.py)."""
    folded = words(fold(query))
    if not folded and filters == Filters():
        return SearchResults(query=query, tasks=[], truncated=False)
    with uow:
        ids = uow.progress.task_ids_with_words(folded, CANDIDATES) if folded else None
        tasks = load_tasks(uow, None, today, instances.calendar(uow), ids) if ids != [] else []
        if user_id is not None:
            allowed = task_access.readable_ids(uow, user_id, [_access_row(t) for t in tasks])
            tasks = [t for t in tasks if t.id in allowed]
    found = [t for t in tasks if filters.in_scope(t) and filters.listed(t)]
    found.sort(key=lambda t: _rank(t.search_text, words(query), folded), reverse=True)
    return SearchResults(query=query, tasks=found[:limit], truncated=len(found) > limit)


def _access_row(task: TaskProgress) -> dict[str, Any]:
    return {"id": task.id, "plan_id": task.plan_id, "director_user_id": task.director_user_id, "people": task.people,
            "unit_ids": [u.id for u in task.lead + task.coordinators]}


def _rank(text: str, typed: list[str], folded: list[str]) -> tuple[bool, int, bool]:
    """(the words as typed side by side, how many words as typed, the folded words side by
    side): marks count only when the query has some; Python's sort keeps plan order on ties."""
    accented = typed != folded
    return (accented and f" {' '.join(typed)} " in text,
            sum(f" {word} " in text for word in typed) if accented else 0,
            f" {' '.join(folded)} " in fold(text))
