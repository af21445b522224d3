"""Background jobs in SQL Core. A job is claimed by a conditional update (queued, or
its lease passed): of two workers trying at once, one changes the row and the other
changes nothing and looks for another."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.orm import Session

from engine import unit_of_work as ports
from adapters.storage import orm

_j = orm.jobs
_SHOWN = [c for c in _j.c if c.name not in ("payload", "file_data")]


class JobRepository(ports.JobRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, values: dict[str, Any]) -> int:
        return self.session.execute(insert(_j).values(**values).returning(_j.c.id)).scalar_one()

    def get(self, job_id: int) -> dict[str, Any] | None:
        row = self.session.execute(select(*_SHOWN).where(_j.c.id == job_id)).first()
        return dict(row._mapping) if row else None

    def claim(self, now: datetime, lease_until: datetime) -> dict[str, Any] | None:
        claimable = or_(_j.c.state == "queued", and_(_j.c.state == "running", _j.c.claimed_until < now))
        for job_id in self.session.execute(select(_j.c.id).where(claimable).order_by(_j.c.id).limit(5)).scalars():
            taken = self.session.execute(
                update(_j).where(_j.c.id == job_id, claimable)
                .values(state="running", claimed_until=lease_until, started_at=now))
            if taken.rowcount == 1:
                return dict(self.session.execute(select(_j).where(_j.c.id == job_id)).one()._mapping)
        return None

    def progress(self, job_id: int, done: int, lease_until: datetime | None,
                 finished_at: datetime | None = None) -> None:
        values: dict[str, Any] = {"done": done, "claimed_until": lease_until}
        if finished_at is not None:
            values.update(state="done", finished_at=finished_at, claimed_until=None)
        self.session.execute(update(_j).where(_j.c.id == job_id).values(**values))

    def keep_file(self, job_id: int, name: str, data: bytes) -> None:
        self.session.execute(update(_j).where(_j.c.id == job_id).values(file_name=name, file_data=data))

    def file(self, job_id: int) -> tuple[str, bytes] | None:
        row = self.session.execute(select(_j.c.file_name, _j.c.file_data).where(_j.c.id == job_id)).first()
        return (row.file_name, row.file_data) if row and row.file_name else None

    def fail(self, job_id: int, error: str, at: datetime) -> None:
        self.session.execute(update(_j).where(_j.c.id == job_id)
                             .values(state="failed", error=error, finished_at=at, claimed_until=None))
