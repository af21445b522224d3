"""Repair instances stalled by a completion their multi-instance loop never heard of.

Before every load wired each loop's merge (engine/workflow/specs.connect_loop_merges),
a process that had not created a multi-instance child itself could complete the last
`coordinate` contribution or a `report` and save the task with no next step, ever.
`repair_stalled` finds those instances (open ones only: each is loaded once, one
transaction each), merges what was left unmerged, saves, records the notices the
catch-up owes, and says what it did; `planflow repair` prints it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from engine import model
from engine.clock import Clock, SystemClock, to_storage
from engine.deadlines import notices
from engine.process import instances
from engine.unit_of_work import AbstractUnitOfWork
from engine.workflow import StalledInstance, WorkflowRuntime


@dataclass
class Repair:
    instance_id: int
    plan_task_id: int
    task_ref: str
    stalled: list[StalledInstance]
    ready_after: list[str] = field(default_factory=list)  # step ids ready once merged
    notices: int = 0  # notices recorded by the catch-up that followed

    @property
    def repaired(self) -> bool:
        return any(s.merged for s in self.stalled)


def repair_stalled(uow_factory: Callable[[], AbstractUnitOfWork], clock: Clock | None = None,
                   dry_run: bool = False) -> list[Repair]:
    """Every open instance with an unmerged finished instance: merged unless `dry_run`."""
    clock = clock or SystemClock()
    now = clock.now()
    with uow_factory() as uow:
        instance_ids = uow.instances.running_ids()
    found = []
    for instance_id in instance_ids:
        with uow_factory() as uow:
            instance = uow.instances.lock(instance_id)  # a person may be completing a step of it
            repair = _repair_one(uow, instances.runtime(uow, clock), instance, now)
            if repair is not None:
                found.append(repair)
                if repair.repaired and not dry_run:
                    uow.commit()
    return found


def _repair_one(uow: AbstractUnitOfWork, rt: WorkflowRuntime, instance: model.ProcessInstance,
                now: datetime) -> Repair | None:
    wf = instances.load(uow, rt, instance)
    stalled, events = rt.merge_stalled(wf)
    if not stalled:
        return None
    task = uow.tasks.get(instance.plan_task_id)
    repair = Repair(instance.id, task.id, task.ref, stalled, [s.step_id for s in rt.ready_steps(wf)])
    if not repair.repaired:
        return repair
    held = instances.save(uow, rt, instance, task, wf, now)
    repair.notices = notices.record(uow, instance, task, events, now, items=held)
    uow.audit.add(model.AuditEvent(
        plan_task_id=task.id, instance_id=instance.id, at=to_storage(now), action="instance_repaired",
        detail={"merged": [s.instance_task_id for s in stalled if s.merged],
                "left": [s.instance_task_id for s in stalled if not s.merged], "ready": repair.ready_after},
    ))
    return repair
