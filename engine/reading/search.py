"""Search tasks by their words, typed with or without diacritics, best match first.

Each task stores its words (ref, title, content, product, units with their aliases,
plan number and title) as written and folded (`engine/reading/search_text.py`); the
database's word index finds the tasks holding every folded word of the query, as
whole words ("hóa" is not inside "hoạch"). People type "so hoa" for "số hóa", and
OCR'd plans lose marks anyway, so unaccented input matches both; accented input ranks
the tasks written with those very marks first ("số hóa" before "sổ ... hoa"), the
words side by side before words apart. The database ranks, narrows by the reading
rule and the filters, counts and pages. A broad query over 100,000 tasks does not read
them all: it ranks the first matches the word index gives of each kind, the words side
by side and every word anywhere, as many as its page reaches (`SEARCH_REACH` at a
time), and counts to SEARCH_COUNTED, then says there are more.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from engine.access import task_access
from engine.reading.progress import SEARCH_COUNTED, TASK_ROW, Filters, Paging, TaskProgress, tasks_of
from engine.reading.search_text import words
from engine.text_folding import fold
from engine.unit_of_work import AbstractUnitOfWork

PAGE_SIZE = 50


@dataclass(frozen=True)
class SearchResults:
    query: str
    tasks: list[TaskProgress]  # this page, best first
    listed: int = 0  # every task found, or SEARCH_COUNTED when `more`
    page: int = 1
    pages: int = 1
    more: bool = False  # more than SEARCH_COUNTED found (they were not counted further)
    found: int = 0  # as counted: `counted` for the next pages
    next_after: tuple[int, int] | None = None  # where the next page begins: its `after`


def search_tasks(uow: AbstractUnitOfWork, query: str, today: date, filters: Filters = Filters(),
                 user_id: int | None = None, page: int = 1, counted: int | None = None,
                 after: tuple[int, int] | None = None) -> SearchResults:
    """Tasks of every plan holding every word of `query`, best first, a page at a time;
    `filters` narrow them further (the overview's "overdue tasks of this unit" links
    here). With `user_id`, only the tasks that person may read (engine/access/task_access.py).

    A page after the first may say how many its first page `counted` (`found`; not
    counted again) and where the page before it ended (`after`, that page's `next_after`):
    it is then read from there, whatever its depth. Either is only a hint for the pages:
    a count grown stale moves the last page, and every page holds only matches."""
    folded = words(fold(query))
    if not folded and filters == Filters():
        return SearchResults(query=query, tasks=[])
    with uow.reading():
        reader = task_access.scope_of(task_access.reader(uow, user_id)) if user_id is not None else {}
        scope = replace(filters.scope(today, **reader), words=tuple(folded), typed_words=tuple(words(query)))
        found = counted if counted is not None else uow.progress.count(scope, filters.state,
                                                                        up_to=SEARCH_COUNTED + 1)
        listed = min(found, SEARCH_COUNTED)
        paging = Paging.of(listed, page, PAGE_SIZE)
        wanted = paging.slice(filters.state, "words")
        if after is not None and paging.page == page > 1 and folded:
            wanted = replace(wanted, after=after)
        [rows] = uow.progress.task_slices(scope, [wanted])
        [tasks] = tasks_of(uow, [rows], today, holders=False)
    ends = rows[-1][TASK_ROW.index("place")] if rows and paging.page < paging.pages else None
    return SearchResults(query=query, tasks=tasks, listed=listed, page=paging.page, pages=paging.pages,
                         more=found > SEARCH_COUNTED, found=found, next_after=ends)
