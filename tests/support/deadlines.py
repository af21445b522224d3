"""Helpers for deadline tests: one clock for the services (and through them the
workflows' timers), walking a task to its report step, reading notices."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time
from typing import Any, Iterator

from adapters.memory import MemoryDatabase
from engine import model
from engine.clock import OFFICE_TZ, FixedClock, to_storage
from engine.deadlines import sweep
from engine.process import instances
from engine.tasks import steps

ISSUED = date(2024, 1, 15)  # a plan's date
DUE = "2024-03-29"  # a Friday: the shipped ladder fires Tue 26/03 (holder), Mon 01/04 (unit head), Fri 05/04 (director)


class Clock(FixedClock):
    """A FixedClock moved by office day and hour."""

    def on(self, day: date, hour: int = 9) -> Clock:
        self.at = datetime.combine(day, time(hour), tzinfo=OFFICE_TZ)
        return self


@contextmanager
def office_clock(day: date, hour: int = 9) -> Iterator[Clock]:
    yield Clock(datetime.combine(day, time(hour), tzinfo=OFFICE_TZ))


def name_extension_approver(office, clock: Clock, actor: str) -> None:
    """A new live version of the process whose report step names `actor` as the approver
    of its extension requests (`planflow:extension_approver`)."""
    with office.uow() as uow:
        live = instances.ensure_live_version(uow, clock.now())
        xml = live.bpmn_xml.replace('planflow:due="period_due"',
                                    f'planflow:due="period_due" planflow:extension_approver="{actor}"', 1)
        assert xml != live.bpmn_xml
        live.is_live = False
        uow.process_versions.add(model.ProcessVersion(
            process_key=live.process_key, number=live.number + 1, bpmn_xml=xml,
            created_at=to_storage(clock.now()), is_live=True))
        uow.commit()


def ready(office, plan_id: int, form: str | None = None):
    items = office.ready(plan_id)
    return [i for i in items if form is None or i.form == form]


def assign(office, plan_id: int, clock: Clock, username: str = "truong.kstthc", to: str = "cv.kstthc") -> None:
    [item] = ready(office, plan_id, "assign")
    steps.complete_step(office.uow(), item.id, office.users[username], {"assignee": office.users[to]}, clock=clock)


def sweep_at(office, clock: Clock, day: date, hour: int = 9) -> sweep.SweepResult:
    return sweep.sweep(office.uow, clock=clock.on(day, hour))


def notice_rows(office, **where: Any) -> list[dict[str, Any]]:
    """The notices (all their columns), in id order, on a real database or in memory."""
    if isinstance(office.storage, MemoryDatabase):
        rows = sorted(office.storage.tables["notices"].values(), key=lambda n: n["id"])
        return [dict(n) for n in rows if all(n[name] == value for name, value in where.items())]
    from sqlalchemy import select  # here: unit tests on the fakes run without SQLAlchemy

    from adapters.storage import orm

    n = orm.notices
    query = select(n).order_by(n.c.id)
    for name, value in where.items():
        query = query.where(n.c[name] == value)
    with office.storage.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def audit_rows(office, task_id: int, prefix: str = "") -> list[dict[str, Any]]:
    with office.uow() as uow:
        rows = sorted(uow.audit.for_task(task_id), key=lambda a: a["id"])
    return [r for r in rows if r["action"].startswith(prefix)]
