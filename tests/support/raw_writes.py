"""Changes to the tables made beside the services, as a script or a database tool makes
them, sent as they are: the database's triggers, not our code, must keep the count
tables right after them."""
from __future__ import annotations

from typing import Any

from sqlalchemy import update

from adapters.storage import orm
from tests.support.office import Office


def write(office: Office, *statements: Any) -> None:
    """`statements` in one transaction."""
    with office.storage.engine.begin() as conn:
        for statement in statements:
            conn.execute(statement)


def set_task(office: Office, task_id: int, **values: Any) -> None:
    """One task's row given `values` (its status, dates, plan...)."""
    write(office, update(orm.plan_tasks).where(orm.plan_tasks.c.id == task_id).values(**values))
