"""A small office for service-layer tests: the demo directory on a real, migrated
database (`make_office`) or in memory (`memory_office`, no SQLAlchemy imported), and
handy look-ups by username and unit name."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from adapters.demo.directory import MONITOR_UNIT
from adapters.demo.loader import load_directory
from adapters.memory import MemoryDatabase
from engine.clock import OFFICE_TZ, FixedClock, to_storage
from engine.model import Plan, PlanTask, ProcessVersion, WorkItem
from engine.process import instances
from engine.tasks import intake

if TYPE_CHECKING:
    from adapters.storage import Storage

KSTTHC = "Phòng Kiểm soát thủ tục hành chính"
TTPV = "Trung tâm Phục vụ - Kiểm soát thủ tục hành chính tỉnh"
CBTH = "Trung tâm Công báo và Tin học"


def clock_on(day: date, hour: int = 9) -> FixedClock:
    return FixedClock(datetime.combine(day, time(hour), tzinfo=OFFICE_TZ))


@dataclass
class Office:
    storage: Storage | MemoryDatabase
    units: dict[str, int]
    users: dict[str, int]

    def uow(self):
        return self.storage.uow()

    def plan(self, tasks: list[dict[str, Any]], issued: date = date(2024, 1, 15), clock=None) -> int:
        """Store a plan of `tasks` (dicts: ref, lead, coordinators, due, director) and start
        them, on `clock` (default: the day it was issued)."""
        plan = Plan(title="Kế hoạch thử nghiệm", year=issued.year, number="1/KH-TEST", issued_on=issued,
                    monitor_unit_id=self.units[MONITOR_UNIT])
        return intake.create_plan(self.uow(), plan, [self._task(t) for t in tasks], clock=clock or clock_on(issued))

    def plan_in_chunks(self, tasks: list[dict[str, Any]], chunk: int, issued: date = date(2024, 1, 15),
                       clock=None) -> int:
        """`plan`, stored as the import job stores a large plan: the plan row, then its
        tasks `chunk` at a time, each chunk started in a transaction of its own."""
        clock = clock or clock_on(issued)
        plan = Plan(title="Kế hoạch thử nghiệm", year=issued.year, number="1/KH-TEST", issued_on=issued,
                    monitor_unit_id=self.units[MONITOR_UNIT])
        whole = [self._task(t) for t in tasks]
        with self.uow() as uow:
            intake.store_plan_row(uow, plan, whole, clock)
            uow.commit()
            plan_id = plan.id
        for done in range(0, len(tasks), chunk):
            with self.uow() as uow:
                intake.start_tasks(uow, uow.plans.get(plan_id), [self._task(t) for t in tasks[done:done + chunk]],
                                   done, clock)
                uow.commit()
        return plan_id

    def _task(self, t: dict[str, Any]) -> PlanTask:
        due = t.get("due")
        schedule = {"kind": "once", "due": [due], "every": None, "until": None} if due else \
            {"kind": "unresolved", "due": [], "every": None, "until": None}
        return PlanTask.with_units(
            ref=t["ref"], title=t.get("title", f"Nhiệm vụ {t['ref']}"),
            lead=[self.units[n] for n in t["lead"]],
            coordinators=[self.units[n] for n in t.get("coordinators", [])],
            director_user_id=self.users.get(t.get("director", "")), schedule=schedule,
        )

    def ready(self, plan_id: int) -> list[WorkItem]:
        with self.uow() as uow:
            items = []
            for task in uow.tasks.for_plan(plan_id):
                items += uow.work_items.ready_for_instance(uow.instances.for_task(task.id).id)
            return items


def deploy_settings(office: Office, now: datetime, **settings: bool) -> None:
    """A new live version of the shipped process with its settings (the data objects'
    planflow:value) changed as `settings` says: tasks started from now on follow it."""
    with office.uow() as uow:
        live = instances.ensure_live_version(uow, now)
        xml = live.bpmn_xml
        for name, value in settings.items():
            changed = xml.replace(f'name="{name}" planflow:value="{str(not value).lower()}"',
                                  f'name="{name}" planflow:value="{str(value).lower()}"')
            assert changed != xml, f"no setting {name} to change"
            xml = changed
        live.is_live = False
        uow.process_versions.add(ProcessVersion(
            process_key=live.process_key, number=live.number + 1, bpmn_xml=xml, comment=f"settings {settings}",
            created_at=to_storage(now), is_live=True))
        uow.commit()


def make_office(url: str) -> Office:
    from adapters.storage import (
        Storage,  # here: unit tests import this module without SQLAlchemy
    )

    storage = Storage(url)
    storage.upgrade()
    return staffed(storage)


def memory_office() -> Office:
    """The same office in memory (`adapters/memory.py`), a fresh copy for each call."""
    office = _memory_office()
    return Office(office.storage.clone(), office.units, office.users)


@functools.cache
def _memory_office() -> Office:
    return staffed(MemoryDatabase())


def open_office(url: str) -> Office:
    """An office already staffed and stored at `url` (the bench's kept database), brought
    to the newest schema."""
    from adapters.storage import Storage

    storage = Storage(url)
    storage.upgrade()
    return staffed(storage, load=False)


def staffed(storage: Storage | MemoryDatabase, load: bool = True) -> Office:
    with storage.uow() as uow:
        if load:
            load_directory(uow)
            uow.commit()
        units = {u.name: u.id for u in uow.units.list()}
        users = {u.username: u.id for role in ("leader", "unit_head", "staff", "monitor", "designer")
                 for u in uow.users.with_role(role)}
    return Office(storage, units, users)
