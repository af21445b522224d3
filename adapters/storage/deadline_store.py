"""Storage of deadline notices (with their mail outbox) and extension requests.

Plain SQL Core over `orm.notices` and `orm.extension_requests`, rows as dicts.
A notice is inserted with ON CONFLICT DO NOTHING on its unique key (SQLite and
PostgreSQL both speak it), so a notice is recorded at most once whoever tries.
"""
from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from adapters.storage import cursor_reads, orm
from adapters.storage.dialects import begin_write, insert_on_conflict, on_sqlite
from engine import unit_of_work as ports

_n, _x = orm.notices, orm.extension_requests


class _Store:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _rows(self, statement: Any) -> list[dict[str, Any]]:
        return [dict(row._mapping) for row in self.session.execute(statement)]


@functools.cache
def _write_insert_absent(table: Any) -> Any:
    """`_Outbox.add_many_if_absent`'s statement on SQLite, built once per table (a step
    and a sweep batch send it; building it cost a third of sending it)."""
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key)


class _Outbox(_Store):
    """A table of things people are told, each with its mail: `notices` or `arrivals`
    (adapters/storage/arrival_store.py); the same columns, the same mail lease."""

    table: Any

    def add_if_absent(self, values: dict[str, Any]) -> int | None:
        """Insert a row unless its key exists; the new id, or None when it did."""
        t = self.table
        insert = insert_on_conflict(on_sqlite(self.session))
        statement = insert(t).values(**values).on_conflict_do_nothing(index_elements=["key"]).returning(t.c.id)
        return self.session.execute(statement).scalar_one_or_none()

    def add_many_if_absent(self, rows: list[dict[str, Any]]) -> set[str]:
        """One INSERT of every row, skipping keys stored already; the keys inserted.

        On PostgreSQL each column's values go as one array (`cursor_reads.insert_arrays`),
        a statement of the same text whatever the rows: SQLAlchemy's insert of many values
        named 17 parameters a row (680 for a sweep batch's 40 notices), past the 50 up to
        which psycopg keeps a statement's conversion, so psycopg converted it and the
        server planned it again at every batch; the statement of one row run for each
        was a statement a row for the server. SQLite sends them as SQLAlchemy's
        multi-row statement (sqlite3 returns no rows from a statement run for many)."""
        if not rows:
            return set()
        if not on_sqlite(self.session):
            return {key for (key,) in cursor_reads.insert_arrays(self.session, self.table, rows, ("key",), absent=True)}
        return set(self.session.scalars(_write_insert_absent(self.table), rows))

    def for_user(self, user_id: int, limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
        return self._rows(self._of_user(user_id).offset(offset).limit(limit))

    def one_for_user(self, user_id: int, row_id: int) -> dict[str, Any] | None:
        found = self._rows(self._of_user(user_id).where(self.table.c.id == row_id))
        return found[0] if found else None

    def _of_user(self, user_id: int) -> Any:
        n, t, p = self.table, orm.plan_tasks, orm.plans
        return (
            select(n, t.c.ref.label("task_ref"), t.c.title.label("task_title"), p.c.id.label("plan_id"),
                   p.c.number.label("plan_number"), p.c.title.label("plan_title"),
                   p.c.issued_on.label("plan_issued_on"))
            .join(t, t.c.id == n.c.plan_task_id).join(p, p.c.id == t.c.plan_id)
            .where(n.c.recipient_user_id == user_id)
            .order_by(n.c.created_at.desc(), n.c.id.desc())
        )

    def count_for_user(self, user_id: int) -> int:
        n = self.table
        return int(self.session.execute(select(func.count()).select_from(n).where(n.c.recipient_user_id == user_id))
                   .scalar_one())

    def unread_count(self, user_id: int) -> int:
        n = self.table
        query = select(func.count()).select_from(n).where(n.c.recipient_user_id == user_id, n.c.read_at.is_(None))
        return int(self.session.execute(query).scalar_one())

    def mark_read(self, user_id: int, at: datetime, row_id: int | None = None) -> None:
        n = self.table
        where = [n.c.recipient_user_id == user_id, n.c.read_at.is_(None)]
        if row_id is not None:
            where.append(n.c.id == row_id)
        self.session.execute(update(n).where(*where).values(read_at=at))

    def claim_mail(self, now: datetime, owner: str, lease_until: datetime) -> dict[str, Any] | None:
        """Take the lease of one pending mail whose time has come and whose lease (if
        any) has run out: the row, now `owner`'s until `lease_until`, or None."""
        n = self.table
        begin_write(self.session)  # SQLite: claims are one at a time
        free = or_(n.c.mail_lease_until.is_(None), n.c.mail_lease_until <= now)
        query = (select(n.c.id, n.c.key, n.c.email_to, n.c.subject, n.c.body, n.c.attempts)
                 .where(n.c.email_state == "pending", n.c.next_attempt_at <= now, free)
                 .order_by(n.c.next_attempt_at, n.c.id).limit(1).with_for_update(skip_locked=True))
        rows = self._rows(query)
        if not rows:
            return None
        self.session.execute(update(n).where(n.c.id == rows[0]["id"])
                             .values(mail_claimed_by=owner, mail_lease_until=lease_until))
        return rows[0]

    def finish_mail(self, row_id: int, owner: str, **values: Any) -> bool:
        """Record how sending went and give the lease back; False when `owner` no longer
        held it (it ran out and another worker took the mail)."""
        n = self.table
        statement = (update(n).where(n.c.id == row_id, n.c.mail_claimed_by == owner)
                     .values(mail_claimed_by=None, mail_lease_until=None, **values))
        return self.session.execute(statement).rowcount == 1

    def mail_problems(self, limit: int = 200) -> list[dict[str, Any]]:
        """Failed mails, and pending ones that failed at least once (being retried)."""
        n, u, t = self.table, orm.users, orm.plan_tasks
        query = (
            select(n, u.c.full_name.label("recipient_name"), t.c.ref.label("task_ref"),
                   t.c.title.label("task_title"))
            .join(u, u.c.id == n.c.recipient_user_id).join(t, t.c.id == n.c.plan_task_id)
            .where(or_(n.c.email_state == "failed", and_(n.c.email_state == "pending", n.c.attempts > 0)))
            .order_by(n.c.created_at.desc(), n.c.id.desc()).limit(limit)
        )
        return self._rows(query)

    def count(self) -> int:
        return int(self.session.execute(select(func.count()).select_from(self.table)).scalar_one())


class NoticeRepository(_Outbox, ports.NoticeRepository):
    table = _n


class ExtensionRepository(_Store, ports.ExtensionRepository):
    def add(self, values: dict[str, Any]) -> int:
        return int(self.session.execute(_x.insert().values(**values).returning(_x.c.id)).scalar_one())

    def get(self, request_id: int, lock: bool = False) -> dict[str, Any] | None:
        query = select(_x).where(_x.c.id == request_id)
        rows = self._rows(query.with_for_update() if lock else query)
        return rows[0] if rows else None

    def pending_for_item(self, work_item_id: int) -> list[dict[str, Any]]:
        return self._rows(select(_x).where(_x.c.work_item_id == work_item_id, _x.c.state == "pending"))

    def for_task(self, plan_task_id: int) -> list[dict[str, Any]]:
        return self._rows(select(_x).where(_x.c.plan_task_id == plan_task_id).order_by(_x.c.id))

    def decide(self, request_id: int, **values: Any) -> None:
        self.session.execute(update(_x).where(_x.c.id == request_id).values(**values))

    def pending_for_approver(self, user_id: int, unit_id: int | None, role: str) -> list[dict[str, Any]]:
        """The approver's inbox section: the same rule as work items (by name, or by unit+role)."""
        t, p, u = orm.plan_tasks, orm.plans, orm.users
        unit_match = or_(_x.c.approver_unit_id.is_(None), _x.c.approver_unit_id == unit_id)
        by_role = and_(_x.c.approver_user_id.is_(None), _x.c.approver_role == role, unit_match)
        query = (
            select(_x, t.c.ref.label("task_ref"), t.c.title.label("task_title"), p.c.id.label("plan_id"),
                   p.c.number.label("plan_number"), u.c.full_name.label("requested_by_name"))
            .join(t, t.c.id == _x.c.plan_task_id).join(p, p.c.id == t.c.plan_id)
            .join(u, u.c.id == _x.c.requested_by)
            .where(_x.c.state == "pending", or_(_x.c.approver_user_id == user_id, by_role))
            .order_by(_x.c.requested_at, _x.c.id)
        )
        return self._rows(query)

    def waiting_date_tasks(self) -> list[dict[str, Any]]:
        """Tasks whose deadline a person must set (unresolved), with their plan."""
        t, p = orm.plan_tasks, orm.plans
        query = (
            select(t.c.id, t.c.ref, t.c.title, t.c.deadline_text, t.c.plan_id, p.c.number.label("plan_number"),
                   p.c.title.label("plan_title"), p.c.monitor_unit_id)
            .join(p, p.c.id == t.c.plan_id).where(t.c.status == "waiting_date")
            .order_by(p.c.id, t.c.position)
        )
        return self._rows(query)
