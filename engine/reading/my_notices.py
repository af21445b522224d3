"""My notices a page at a time: the work that reached me and the deadline notices,
newest first, each list paged alongside the other (page n of both), so a person told
of thousands of steps over the years gets a page, not all of them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.reading.progress import Paging
from engine.unit_of_work import AbstractUnitOfWork

PAGE_SIZE = 50


@dataclass(frozen=True)
class MyNotices:
    notices: list[dict[str, Any]]  # deadline reminders and escalations
    arrivals: list[dict[str, Any]]  # work that reached me
    counts: dict[str, int]  # of the whole lists
    page: int
    pages: int


def my_notice(uow: AbstractUnitOfWork, user_id: int, outbox: str, row_id: int) -> dict[str, Any] | None:
    """One of my deadline notices (`outbox` "notices") or arrivals ("arrivals"), wherever
    its page; None for someone else's."""
    with uow:
        return (uow.notices if outbox == "notices" else uow.arrivals).one_for_user(user_id, row_id)


def my_notices(uow: AbstractUnitOfWork, user_id: int, page: int = 1) -> MyNotices:
    with uow:
        counts = {"notices": uow.notices.count_for_user(user_id), "arrivals": uow.arrivals.count_for_user(user_id)}
        paging = Paging.of(max(counts.values()), page, PAGE_SIZE)
        return MyNotices(
            notices=uow.notices.for_user(user_id, PAGE_SIZE, paging.offset) if counts["notices"] else [],
            arrivals=uow.arrivals.for_user(user_id, PAGE_SIZE, paging.offset) if counts["arrivals"] else [],
            counts=counts, page=paging.page, pages=paging.pages,
        )
