"""Failed logins per username, in SQL Core: one upsert counts a failure atomically,
so two workers failing the same name at once both count."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, select, update
from sqlalchemy.orm import Session

from adapters.storage import orm
from adapters.storage.dialects import insert_on_conflict, on_sqlite
from engine import unit_of_work as ports
from engine.clock import from_storage, to_storage

_a = orm.login_attempts


class LoginAttemptRepository(ports.LoginAttemptRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def retry_at(self, key: str) -> datetime | None:
        return from_storage(self.session.execute(select(_a.c.retry_at).where(_a.c.key == key)).scalar())

    def count_failure(self, key: str, at: datetime, forget_before: datetime) -> int:
        """One more failure for `key` (a run older than `forget_before` starts again at
        one); the count now."""
        at, forget_before = to_storage(at), to_storage(forget_before)
        statement = insert_on_conflict(on_sqlite(self.session))(_a).values(key=key, failures=1, last_failure_at=at)
        statement = statement.on_conflict_do_update(index_elements=[_a.c.key], set_={
            "failures": case((_a.c.last_failure_at < forget_before, 1), else_=_a.c.failures + 1),
            "last_failure_at": at,
        }).returning(_a.c.failures)
        return int(self.session.execute(statement).scalar_one())

    def hold(self, key: str, until: datetime) -> None:
        self.session.execute(update(_a).where(_a.c.key == key).values(retry_at=to_storage(until)))

    def forget(self, key: str) -> None:
        self.session.execute(delete(_a).where(_a.c.key == key))
