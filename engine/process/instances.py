"""Process versions and instances: load and save workflows, keep the inbox index in step.

An instance's row holds its workflow without the spec; the spec is parsed once per
process version and cached. Every save rewrites the instance's ready work items in
the same transaction, so the inbox (which reads only `work_items`) is never stale.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from typing import Any

from engine import model
from engine.clock import Clock, office_date, to_storage
from engine.deadlines.working_days import OfficeDay, WorkingCalendar
from engine.errors import N_, InvalidInput, NotFound
from engine.process import actors, people
from engine.tasks import arrivals
from engine.unit_of_work import AbstractUnitOfWork
from engine.workflow import (
    SERIALIZER_VERSION,
    STATE_VERSION,
    HumanStep,
    NoticeEvent,
    ProcessSpec,
    WorkflowRuntime,
)

PROCESS_KEY = "plan_task"
# Found through importlib.resources, so a wheel install (no source tree) finds it too.
DEFAULT_BPMN = resources.files("processes") / "plan_task.bpmn"


MSG_NOT_DEPLOYED = N_("No version of this process is deployed: deploy one first, or choose another process.")


def ensure_live_version(uow: AbstractUnitOfWork, now: datetime,
                        process_key: str = PROCESS_KEY) -> model.ProcessVersion:
    """The version new tasks of `process_key` start on; the shipped BPMN becomes version 1
    of `plan_task` on first use. Another process has none until a designer deploys one."""
    live = uow.process_versions.live(process_key)
    if live is not None:
        return live
    if process_key != PROCESS_KEY:
        raise InvalidInput({"process_key": MSG_NOT_DEPLOYED})
    version = model.ProcessVersion(
        process_key=PROCESS_KEY, number=1, bpmn_xml=DEFAULT_BPMN.read_text(encoding="utf-8"),
        comment="planflow", created_at=to_storage(now), is_live=True,
    )
    uow.process_versions.add(version)
    uow.flush()
    return version


def calendar(uow: AbstractUnitOfWork) -> WorkingCalendar:
    """The office's working days: the one this process keeps while the office days have
    not changed (`CalendarCache`), else built from them."""
    return uow.calendars.get(uow.office_days.version(),
                             lambda: [OfficeDay(d.day, d.kind, d.name) for d in uow.office_days.list()])


def runtime(uow: AbstractUnitOfWork, clock: Clock, cal: WorkingCalendar | None = None) -> WorkflowRuntime:
    """The runtime on the office's working days (`cal`, read when not given); its
    timers run on `clock`, the caller's."""
    return WorkflowRuntime((cal or calendar(uow)).add_working_days, clock)


def spec(uow: AbstractUnitOfWork, version_id: int):
    def source() -> tuple[str, None, list[str]]:
        version = uow.process_versions.get(version_id)
        if version is None:
            raise NotFound(N_("Process version not found."))
        return version.bpmn_xml, None, called_diagrams(uow, version.bpmn_xml)

    return uow.specs.get(version_id, source)


_CALLED = re.compile(r"""<(?:\w+:)?callActivity\b[^>]*?\bcalledElement\s*=\s*["']([^"']+)["']""")


def called_diagrams(uow: AbstractUnitOfWork, xml: str) -> list[str]:
    """The deployed diagrams a process's call activities call, and those they call in turn.

    A version's spec is parsed once and cached: it keeps calling the versions live when it
    was first loaded in this process, until a restart."""
    found: dict[str, str] = {}
    waiting = _CALLED.findall(xml)
    while waiting:
        key = waiting.pop()
        live = uow.process_versions.live(key) if key not in found else None
        if live is not None:
            found[key] = live.bpmn_xml
            waiting += _CALLED.findall(live.bpmn_xml)
    return list(found.values())


def start(rt: WorkflowRuntime, task: model.PlanTask, data: dict[str, Any],
          version: tuple[model.ProcessVersion, ProcessSpec], now: datetime
          ) -> tuple[model.ProcessInstance, list[HumanStep], list[NoticeEvent]]:
    """Start the task's workflow in memory on `version` (its row and parsed spec): its
    instance (not stored yet, its state written), the steps it waits at, and the notices
    its first step already owes (a plan imported after a deadline), for `notices`."""
    row, parsed = version
    wf, events, steps = rt.start_with_steps(parsed, data)
    instance = model.ProcessInstance(
        plan_task_id=task.id, process_version_id=row.id, state="",
        serializer_version=SERIALIZER_VERSION, state_version=STATE_VERSION, started_at=to_storage(now),
    )
    store(rt, instance, task, wf, now, steps)
    rt.release(wf)  # stored: its tree freed now (left to the collector: 5 collections per 10 starts, not 3)
    return instance, steps, events


@dataclass
class Started:
    """A task's started instance, with its first steps' work items and notice events."""

    task: model.PlanTask
    instance: model.ProcessInstance
    items: list[model.WorkItem]
    events: list[NoticeEvent]


def start_all(uow: AbstractUnitOfWork, rt: WorkflowRuntime, tasks: list[tuple[model.PlanTask, dict[str, Any]]],
              now: datetime) -> list[Started]:
    """Start the processes of stored tasks (each with its start data) and save them: the
    workflows run in memory, then their instances, their ready steps and the arrivals
    are written a table at a time, so a chunk of tasks costs the same statements
    whatever its size."""
    versions: dict[str, tuple[model.ProcessVersion, ProcessSpec]] = {}  # each key's, with its spec: looked up once
    runs = []
    for task, data in tasks:
        if task.process_key not in versions:
            live = ensure_live_version(uow, now, task.process_key)
            versions[task.process_key] = live, spec(uow, live.id)
        # Its ready steps, not the workflow, are kept: a chunk's workflows all alive at
        # once made each garbage collection slower (more than half of a start's time).
        runs.append((task, *start(rt, task, data, versions[task.process_key], now)))
    uow.instances.add_many([instance for _, instance, _, _ in runs])
    started = [Started(task, instance, [_work_item(instance, step, now) for step in steps], events)
               for task, instance, steps, events in runs]
    uow.work_items.add_many([item for one in started for item in one.items])
    arrivals.steps_arrived(uow, [(one.task, one.items) for one in started], now)  # whoever gets a step is told
    return started


def load(uow: AbstractUnitOfWork, rt: WorkflowRuntime, instance: model.ProcessInstance):
    return rt.loads(spec(uow, instance.process_version_id), instance.state)


def save(uow: AbstractUnitOfWork, rt: WorkflowRuntime, instance: model.ProcessInstance,
         task: model.PlanTask, wf, now: datetime, items: list[model.WorkItem] | None = None,
         known: people.People | None = None, steps: list[HumanStep] | None = None,
         later: bool = False) -> list[model.WorkItem]:
    """Write the workflow, its next timer and its ready steps: one transaction, one truth.

    `items`: the instance's work items as read after its lock (read here when not given);
    `known`: people the caller read already, who may be the new steps' holders; `steps`:
    the human steps the workflow waits at, when the engine's last pass gave them (found
    by a walk of the tree when not given); `later`: the new items may be written with the
    unit of work's next write, their ids given then (`WorkItemRepository.add_many`).
    Returns the work items it held and wrote (those read, as changed, and the new ones,
    with their ids or to be given them): the call's notices name their steps from them,
    without reading them again (`notices.record`)."""
    store(rt, instance, task, wf, now, steps)
    uow.instances.write_states([instance])  # checked against the version read
    ready = uow.work_items.ready_for_instance(instance.id) if items is None else items
    new_items = sync_work_items(instance, rt.ready_steps(wf) if steps is None else steps, ready, now)
    uow.work_items.add_many(new_items, later)
    arrivals.work_arrived(uow, task, new_items, now, known)  # whoever gets a step is told
    return [*ready, *new_items]


def store(rt: WorkflowRuntime, instance: model.ProcessInstance, task: model.PlanTask, wf, now: datetime,
          steps: list[HumanStep] | None = None) -> None:
    """Put the workflow, its next timer and (when it ended) the closing on the rows.
    `steps`: the human steps it waits at, when known; a workflow with one has not ended
    (so its tree is not walked to find out)."""
    instance.state = rt.dumps(wf)
    instance.serializer_version = SERIALIZER_VERSION
    instance.state_version = STATE_VERSION
    instance.updated_at = to_storage(now)
    next_timer = rt.next_timer_at(wf)
    instance.next_timer_at = to_storage(next_timer) if next_timer else None
    if not steps and rt.is_completed(wf):
        instance.status = "completed"
        task.status = "closed"
        task.closed_on = office_date(now)


def sync_work_items(instance: model.ProcessInstance, ready: list[HumanStep], items: list[model.WorkItem],
                    now: datetime) -> list[model.WorkItem]:
    """The inbox index by difference: of the instance's `items`, the ready ones whose
    step is no longer ready are cancelled, a ready step without one gets a new item
    (returned, for the caller to add); the rest is left untouched."""
    ready_by_uuid = {step.task_id: step for step in ready}
    for item in items:
        if item.state != "ready":
            continue
        if item.task_uuid not in ready_by_uuid:
            item.state = "cancelled"  # the process moved on without it (e.g. a boundary event)
        else:
            del ready_by_uuid[item.task_uuid]
    return [_work_item(instance, step, now) for step in ready_by_uuid.values()]


def _work_item(instance: model.ProcessInstance, step: HumanStep, now: datetime) -> model.WorkItem:
    holder = actors.resolve(step.actor, step.data)
    return model.WorkItem(
        instance_id=instance.id, plan_task_id=instance.plan_task_id, task_uuid=step.task_id,
        step_id=step.step_id, step_name=step.name, form=step.form, actor=step.actor,
        assignee_user_id=holder.user_id, candidate_unit_id=holder.unit_id,
        candidate_role=holder.role, due_on=_as_date(step.due), created_at=to_storage(now),
    )


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
