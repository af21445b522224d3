"""Search tasks by title, content, unit or plan, typed with or without diacritics.

People type "cai cach" for "cải cách", and OCR'd plans lose marks anyway, so both
the query and the text go through `engine.text_folding.fold`. The folding happens here over
three bounded queries (tasks, their units, the unit directory with aliases), so no
column has to be kept in step with the importer; at tens of thousands of tasks a
stored folded column would be the next step.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from engine.process import instances
from engine.reading.progress import Filters, TaskProgress, load_tasks
from engine.text_folding import fold
from engine.unit_of_work import AbstractUnitOfWork

MAX_RESULTS = 100
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class SearchResults:
    query: str
    tasks: list[TaskProgress]
    truncated: bool


def search_tasks(uow: AbstractUnitOfWork, query: str, today: date, filters: Filters = Filters(),
                 limit: int = MAX_RESULTS) -> SearchResults:
    """Tasks of every plan whose title, content, ref, unit (name or alias) or plan
    (number or title) hold every word of `query`, compared folded; `filters` narrow
    them further (the overview's "overdue tasks of this unit" links here)."""
    words = _words(query)
    if not words and filters == Filters():
        return SearchResults(query=query, tasks=[], truncated=False)
    with uow:
        aliases = {row["id"]: row["aliases"] or [] for row in uow.progress.units()}
        tasks = load_tasks(uow, None, today, instances.calendar(uow))
    found = [t for t in tasks if filters.in_scope(t) and filters.listed(t)
             and _has_all(_haystack(t, aliases), words)]
    return SearchResults(query=query, tasks=found[:limit], truncated=len(found) > limit)


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _has_all(haystack: set[str], words: list[str]) -> bool:
    """Whole words, since Vietnamese syllables are short ("so" is inside "soát"); the
    last word may be a prefix, as people stop typing mid-word."""
    *whole, last = words or [""]
    return all(w in haystack for w in whole) and (
        not last or last in haystack or any(word.startswith(last) for word in haystack))


def _haystack(task: TaskProgress, aliases: dict[int, list[str]]) -> set[str]:
    units = task.lead + task.coordinators
    parts = [task.ref, task.title, task.content, task.plan_number or "", task.plan_title]
    parts += [u.name for u in units] + [alias for u in units for alias in aliases.get(u.id, [])]
    return set(_words(" ".join(parts)))
