"""An inbox page's rows come from the repository as tuples of `INBOX_ROW`'s columns, read
by position (`engine.tasks.inbox._items`): in every order and under every filter (each
reads its page through another statement), on SQLite and PostgreSQL, each row's values
are its work item's, its task's and its plan's, in that order."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from adapters.storage import orm
from engine.process import instances
from engine.tasks import inbox, steps
from tests.support.deadlines import office_clock, ready
from tests.support.office import KSTTHC, TTPV

TODAY = date(2024, 1, 16)


def stored(office) -> dict[int, tuple]:
    """Each ready step's row as `INBOX_ROW` names its columns, straight from the tables."""
    w, t, p = orm.work_items, orm.plan_tasks, orm.plans
    columns = {"work_item_id": w.c.id, "task_id": t.c.id, "task_ref": t.c.ref, "task_title": t.c.title,
               "plan_id": p.c.id, "plan_number": p.c.number, "plan_title": p.c.title}
    query = (select(*(columns[name] if name in columns else w.c[name] for name in inbox.INBOX_ROW))
             .join_from(w, t, t.c.id == w.c.plan_task_id).join(p, p.c.id == t.c.plan_id).where(w.c.state == "ready"))
    with office.storage.engine.connect() as conn:
        return {row[0]: tuple(row) for row in conn.execute(query)}


def test_an_inbox_pages_rows_are_its_steps_columns_in_order(office_on_each_database):
    office = office_on_each_database
    plans = [office.plan([{"ref": str(n), "lead": [(KSTTHC, TTPV)[n % 3 == 0]], "due": due}
                          for n, due in enumerate(["2024-03-29", "2024-02-20", None, "2024-01-10"] * 2, 1)])
             for _ in range(2)]
    with office_clock(TODAY) as clock:  # two steps given to the staff member by name
        for item in ready(office, plans[0], "assign")[:2]:
            steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"],
                                {"assignee": office.users["cv.kstthc"]}, clock=clock)
    rows = stored(office)
    queries = [inbox.InboxQuery(sort=sort) for sort in inbox.SORTS] + [
        inbox.InboxQuery(due="later"), inbox.InboxQuery(sort="step", due="late"), inbox.InboxQuery(plan_id=plans[1]),
        inbox.InboxQuery(plan_id=plans[1], sort="received"), inbox.InboxQuery(text="vụ"),
        inbox.InboxQuery(whose="mine"), inbox.InboxQuery(sort="plan", page=2)]
    read = 0
    for username in ("truong.kstthc", "cv.kstthc"):
        with office.uow() as uow:
            user = uow.users.acting(office.users[username])
            cal = instances.calendar(uow)
            for query in queries:
                where = inbox._where(query, TODAY, cal, 3)
                for row in uow.work_items.inbox_page(user.id, user.unit_id, user.role, where)["rows"]:
                    assert type(row) is tuple and row == rows[row[0]], (username, query)
                    read += 1
    assert read > 30
