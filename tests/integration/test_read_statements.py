"""What a page's read sends, on SQLite and PostgreSQL: the dashboard six statements and
the plan page six, whatever the plan's size; neither reads the office days (the
calendar this process keeps is known current from the plan's read) nor a person's
whole row. (Counted, never timed.)"""
from __future__ import annotations

from datetime import date

from sqlalchemy import event

from engine.reading.plan_pages import plan_overview
from engine.reading.progress import plan_dashboard
from tests.support.office import KSTTHC, TTPV

TODAY = date(2024, 3, 11)


def statements(office, read) -> list[str]:
    read()  # the first read of a process builds the calendar
    sent: list[str] = []
    listener = lambda conn, cursor, statement, *rest: sent.append(statement)  # noqa: E731
    event.listen(office.storage.engine, "before_cursor_execute", listener)
    try:
        read()
    finally:
        event.remove(office.storage.engine, "before_cursor_execute", listener)
    assert not [s for s in sent if "FROM office_days" in s or "password_hash" in s], sent
    return sent


def test_the_dashboard_and_the_plan_page_send_a_fixed_handful_of_statements(office_on_each_database):
    office = office_on_each_database
    plan = office.plan([{"ref": str(i), "lead": [(KSTTHC, TTPV)[i % 2]], "coordinators": [TTPV], "due": "2024-03-29"}
                        for i in range(1, 7)])
    assert len(statements(office, lambda: plan_dashboard(office.uow(), plan, TODAY))) == 6
    for person in ("theodoi", "cv.kstthc"):
        sent = statements(office, lambda: plan_overview(office.uow(), plan, TODAY, office.users[person]))
        assert len(sent) == 6, sent  # plan, person, count, page, units with names, steps with names
