"""Every person's inbox, under every filter, against the ready work items' rows: the
counts and filter choices the count tables keep must be what the rows say. Shared by
the inbox tests and `bench/concurrent_steps.py`."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from adapters.storage import orm
from engine.process import instances
from engine.tasks import inbox
from tests.support.office import Office

QUERIES = [inbox.InboxQuery(), inbox.InboxQuery(whose="unit"), inbox.InboxQuery(whose="mine"),
           inbox.InboxQuery(due="late"), inbox.InboxQuery(due="week"), inbox.InboxQuery(due="later")]


def expected(office: Office, user_id: int, query: inbox.InboxQuery, today: date) -> tuple[dict[str, int], set]:
    """The counts and the choices as the work items say, straight from their rows."""
    w, t = orm.work_items.c, orm.plan_tasks.c
    with office.storage.engine.connect() as conn:
        user = conn.execute(select(orm.users).where(orm.users.c.id == user_id)).one()
        rows = conn.execute(select(w.assignee_user_id, w.claimed_by, w.candidate_unit_id, w.candidate_role,
                                   w.due_on, w.step_id, w.step_name, t.plan_id)
                            .join(orm.plan_tasks, t.id == w.plan_task_id).where(w.state == "ready")).all()
    where = inbox._where(query, today, _calendar(office), 50)

    def mine(r) -> bool:
        return user_id in (r.assignee_user_id, r.claimed_by)

    def waiting(r) -> bool:
        free = r.assignee_user_id is None and r.claimed_by is None
        return mine(r) or (free and r.candidate_role == user.role and r.candidate_unit_id in (None, user.unit_id))

    def kept(r) -> bool:
        due = r.due_on
        return ((query.whose != "mine" or mine(r)) and (query.whose != "unit" or not mine(r))
                and query.step_id in (None, r.step_id)
                and (where.due_before is None or (due is not None and due < where.due_before))
                and (where.due_from is None or (due is None and where.undated)
                     or (due is not None and due >= where.due_from)))

    inbox_rows = [r for r in rows if waiting(r)]
    found = [r for r in inbox_rows if kept(r)]
    dated = [r.due_on for r in found if r.due_on is not None]
    counts = {"total": len(found), "overdue": sum(d < today for d in dated),
              "soon": sum(today <= d <= where.soon_until for d in dated)}
    return counts, {(r.plan_id, r.step_id) for r in inbox_rows}


def _calendar(office: Office):
    with office.uow() as uow:
        return instances.calendar(uow)


def check_every_inbox(office: Office, today: date) -> int:
    """Every person's counts and choices under every filter equal the rows'; return how
    many steps are waiting in all, so that a walk can check it did something."""
    waiting = 0
    for user_id in office.users.values():
        for query in QUERIES:
            box = inbox.list_inbox(office.uow(), user_id, today, query)
            counts, choices = expected(office, user_id, query, today)
            assert box.counts == counts, (user_id, query)
            assert {p for p, _ in box.plans} == {p for p, _ in choices}, (user_id, box.plans)
            assert {s for s, _ in box.steps} == {s for _, s in choices}, (user_id, box.steps)
        whole = inbox.list_inbox(office.uow(), user_id, today)
        for step_id, _ in whole.steps:
            for due in (None, "late"):
                query = inbox.InboxQuery(step_id=step_id, due=due)
                assert inbox.list_inbox(office.uow(), user_id, today, query).counts == expected(
                    office, user_id, query, today)[0], (user_id, query)
        waiting += whole.counts["total"]
    return waiting
