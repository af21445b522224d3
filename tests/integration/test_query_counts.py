"""The number of SQL statements a step costs does not grow with the plan: completing a
step of a 40-task plan sends as many as one of a 4-task plan, and so does an inbox
holding ten times the rows. (Statements are counted, never timed.)"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from typing import Iterator

from sqlalchemy import event

from engine.tasks import inbox, steps
from tests.support.office import KSTTHC, clock_on, make_office

DAY = date(2024, 2, 1)


@contextmanager
def counted(engine) -> Iterator[list[str]]:
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731  (conn, cursor, statement, ...)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def test_completing_a_step_costs_the_same_statements_in_a_small_and_a_large_plan(sqlite_url: str) -> None:
    office = make_office(sqlite_url)
    head, staff = office.users["truong.kstthc"], office.users["cv.kstthc"]
    counts = []
    for size in (4, 40):
        plan_id = office.plan([{"ref": str(n), "lead": [KSTTHC], "due": "2024-03-29"} for n in range(1, size + 1)])
        first, second = office.ready(plan_id)[:2]
        steps.complete_step(office.uow(), first.id, head, {"assignee": staff}, clock=clock_on(DAY))  # warm caches
        with counted(office.storage.engine) as statements:
            steps.complete_step(office.uow(), second.id, head, {"assignee": staff}, clock=clock_on(DAY))
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_an_inbox_costs_the_same_statements_with_ten_times_the_rows(sqlite_url: str) -> None:
    office = make_office(sqlite_url)
    head = office.users["truong.kstthc"]
    counts = []
    for size in (5, 45):  # the head holds 5, then 50 assign steps
        office.plan([{"ref": str(n), "lead": [KSTTHC], "due": "2024-03-29"} for n in range(1, size + 1)])
        inbox.list_inbox(office.uow(), head, DAY)
        with counted(office.storage.engine) as statements:
            found = inbox.list_inbox(office.uow(), head, DAY)
        counts.append(len(statements))
        assert found.items
    assert counts[0] == counts[1], counts
