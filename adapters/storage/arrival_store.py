"""Storage of work arrivals (engine/tasks/arrivals.py) and their mail: plain SQL Core, rows as dicts.

The outbox itself (insert once, read, claim and finish a mail under a lease, failed
mails) is the one `notices` has; here are the digest and the mail page's look-ups.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from adapters.storage import orm
from adapters.storage.deadline_store import _Outbox
from adapters.storage.batched_writes import Rows
from adapters.storage.dialects import begin_write
from engine import unit_of_work as ports

_a = orm.arrivals
OUTBOXES = {"notices": orm.notices, "arrivals": _a}


class ArrivalRepository(_Outbox, ports.ArrivalRepository):
    table = _a

    def __init__(self, session: Session, rows: Rows) -> None:
        super().__init__(session)
        self.rows = rows  # the unit of work's: what it writes with its next write

    def add_many_later(self, rows: list[dict[str, Any]]) -> None:
        self.rows.insert_later(_a, rows, absent=True)

    def digest_recipients(self, before: datetime) -> list[int]:
        """The people with arrivals held for the digest since before `before`."""
        query = (select(_a.c.recipient_user_id).where(_a.c.email_state == "digest", _a.c.created_at < before)
                 .distinct().order_by(_a.c.recipient_user_id))
        return list(self.session.execute(query).scalars())

    def lock_recipient(self, user_id: int) -> bool:
        """Take the person's row for this transaction, unless another worker has it: one
        worker writes one person's digest (their user row is the lock, so two workers
        never wait on each other's arrivals)."""
        begin_write(self.session)  # SQLite: one writer at a time
        u = orm.users
        query = select(u.c.id).where(u.c.id == user_id).with_for_update(skip_locked=True)
        return self.session.execute(query).scalar_one_or_none() is not None

    def held_for_digest(self, user_id: int, before: datetime) -> list[dict[str, Any]]:
        """That person's held arrivals, oldest first (read under `lock_recipient`)."""
        t = orm.plan_tasks
        query = (
            select(_a, t.c.ref.label("task_ref"), t.c.title.label("task_title"))
            .join(t, t.c.id == _a.c.plan_task_id)
            .where(_a.c.recipient_user_id == user_id, _a.c.email_state == "digest", _a.c.created_at < before)
            .order_by(_a.c.created_at, _a.c.id)
        )
        return self._rows(query)

    def set_mail_state(self, arrival_ids: list[int], **values: Any) -> None:
        self.session.execute(update(_a).where(_a.c.id.in_(arrival_ids)).values(**values))

    def retry(self, outbox: str, row_id: int, now: datetime) -> bool:
        """A failed mail of `outbox` ("notices" or "arrivals": the mail page handles both)
        goes back to it, due now; False when it was not failed."""
        table = OUTBOXES[outbox]
        done = self.session.execute(
            update(table).where(table.c.id == row_id, table.c.email_state == "failed")
            .values(email_state="pending", next_attempt_at=now, attempts=0))
        return done.rowcount == 1

    def mail_waiting(self) -> int:
        """Mails not sent yet, of deadline notices and of arrivals: pending in an outbox,
        or held for a digest."""
        waiting = 0
        for table in OUTBOXES.values():
            query = select(func.count()).select_from(table).where(table.c.email_state.in_(("pending", "digest")))
            waiting += int(self.session.execute(query).scalar_one())
        return waiting
