"""Move running instances from one process version to another.

An instance moves when every active step (a ready human step, and the step a waiting
timer is attached to) exists in the new version, matched by BPMN id. Moving rebuilds
the workflow on the new spec: its stored state is loaded with the new spec, whose task
specs are looked up by name. The predicted part of the tree (steps not reached yet) is
dropped first and predicted again from the new spec, so an instance may move to a
version whose later steps changed; the steps it went through and the ones it is on must
still exist. Armed timers keep the time they were computed with; the new expressions
apply when a step is next entered. Each instance moves in its own transaction, so one
that fails does not stop the others.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from SpiffWorkflow.util.task import TaskState

from engine import model
from engine.clock import Clock, SystemClock, to_storage
from engine.errors import N_, InvalidInput, NotFound
from engine.process import instances
from engine.unit_of_work import AbstractUnitOfWork
from engine.workflow import ProcessSpec, WorkflowRuntime

MSG_STEP_REMOVED = N_("An active step is not in the new version.")
MSG_HISTORY_REMOVED = N_("A step this task already went through is not in the new version.")
MSG_REBUILD_FAILED = N_("The task could not be rebuilt on the new version.")
MSG_MULTI_INSTANCE = N_("The task is inside a step done by several units or periods; move it once that step is over.")
PREDICTED = TaskState.PREDICTED_MASK | TaskState.FUTURE


@dataclass(frozen=True)
class Stayed:
    instance_id: int
    task_ref: str
    reason: str  # an English msgid
    element_id: str | None = None


@dataclass
class MigrationReport:
    moved: list[int] = field(default_factory=list)  # instance ids
    stayed: list[Stayed] = field(default_factory=list)


def migrate(uow: AbstractUnitOfWork, from_version_id: int, to_version_id: int, user_id: int | None = None,
            clock: Clock | None = None) -> MigrationReport:
    now = (clock or SystemClock()).now()
    with uow:
        _check_versions(uow, from_version_id, to_version_id)
        instance_ids = uow.instances.running_ids_for_version(from_version_id)
    report = MigrationReport()
    for instance_id in instance_ids:
        stayed = _migrate_one(uow, instance_id, from_version_id, to_version_id, user_id, now)
        if stayed is None:
            report.moved.append(instance_id)
        else:
            report.stayed.append(stayed)
    return report


def _check_versions(uow: AbstractUnitOfWork, from_id: int, to_id: int) -> None:
    if uow.process_versions.get(from_id) is None or uow.process_versions.get(to_id) is None:
        raise NotFound(N_("Process version not found."))
    if from_id == to_id:
        raise InvalidInput({"to_version": N_("Choose another version to move the tasks to.")})


def _migrate_one(uow: AbstractUnitOfWork, instance_id: int, from_id: int, to_id: int,
                 user_id: int | None, now) -> Stayed | None:
    try:
        with uow:
            instance = uow.instances.lock(instance_id)
            task = uow.tasks.get(instance.plan_task_id)
            if instance.process_version_id != from_id or instance.status != "running":
                return None  # moved or finished since the list was read: nothing to do
            stayed = _move(uow, instance, task, to_id, user_id, now)
            if stayed is None:
                uow.commit()
            return stayed
    except Exception:  # e.g. a step completed meanwhile (optimistic lock): it stays, the others go on
        return Stayed(instance_id, _task_ref(uow, instance_id), MSG_REBUILD_FAILED)


def _move(uow: AbstractUnitOfWork, instance: model.ProcessInstance, task: model.PlanTask, to_id: int,
          user_id: int | None, now) -> Stayed | None:
    rt = instances.runtime(uow)
    old_wf = instances.load(uow, rt, instance)
    new_spec = instances.spec(uow, to_id)
    if _in_multi_instance(old_wf):
        return Stayed(instance.id, task.ref, MSG_MULTI_INSTANCE)
    missing = _missing_active_step(rt, old_wf, new_spec)
    if missing:
        return Stayed(instance.id, task.ref, MSG_STEP_REMOVED, missing)
    state = _pruned_state(rt.dumps(old_wf), new_spec)
    missing = _missing_spec(state, new_spec)
    if missing:
        return Stayed(instance.id, task.ref, MSG_HISTORY_REMOVED, missing)
    try:
        new_wf = _rebuild(rt, new_spec, state)
    except Exception:  # Spiff's errors on a structure it cannot hold: the instance stays as it was
        return Stayed(instance.id, task.ref, MSG_REBUILD_FAILED)
    old_version = instance.process_version_id
    instance.process_version_id = to_id
    _rename_work_items(uow, instance, rt, new_wf)
    instances.save(uow, rt, instance, task, new_wf, now)
    uow.audit.add(model.AuditEvent(
        plan_task_id=task.id, instance_id=instance.id, at=to_storage(now), actor_user_id=user_id,
        action="process_migrated", detail={"from_version_id": old_version, "to_version_id": to_id},
    ))
    return None


def _active_step_ids(rt: WorkflowRuntime, wf) -> set[str]:
    steps = {step.step_id for step in rt.ready_steps(wf)}
    for timer in wf.get_tasks(state=TaskState.WAITING):
        split = timer.parent
        if split is not None and split.task_spec.name.endswith(".BoundaryEventSplit"):
            steps.add(split.task_spec.outputs[0].bpmn_id)  # the activity the timer is attached to
    return steps


def _in_multi_instance(wf) -> bool:
    # Known limit: a multi-instance rebuilt on another spec does not complete (its
    # children finish but the parent never does), so such instances wait.
    active = wf.get_tasks(state=TaskState.READY | TaskState.STARTED | TaskState.WAITING)
    return any(task.task_spec.name.endswith(" [child]") for task in active)


def _spec_names(spec: ProcessSpec) -> set[str]:
    names = set(spec.top.task_specs)
    for sub in spec.subprocesses.values():
        names |= set(sub.task_specs)
    return names


def _missing_active_step(rt: WorkflowRuntime, wf, new_spec: ProcessSpec) -> str | None:
    names = _spec_names(new_spec)
    return next((step for step in sorted(_active_step_ids(rt, wf)) if step not in names), None)


def _pruned_state(text: str, new_spec: ProcessSpec) -> dict:
    """The stored state without its predicted tasks under unfinished ones (they are predicted again)."""
    state = json.loads(text)
    outputs = _outputs_by_name(new_spec)
    for workflow in [state, *state.get("subprocesses", {}).values()]:
        _prune(workflow["tasks"], outputs)
    return state


def _outputs_by_name(spec: ProcessSpec) -> dict[str, set[str]]:
    specs = {**spec.top.task_specs}
    for sub in spec.subprocesses.values():
        specs.update(sub.task_specs)
    return {name: {out.name for out in task_spec.outputs} for name, task_spec in specs.items()}


def _prune(tasks: dict[str, dict], outputs: dict[str, set[str]]) -> None:
    def doomed(task: dict) -> bool:
        parent = tasks.get(task.get("parent"))
        if not task["state"] & PREDICTED or parent is None or parent["state"] & TaskState.FINISHED_MASK:
            return False
        # A started parent (a multi-instance, a subprocess) keeps its child order: touch
        # its predicted child only when the new version no longer leads there.
        if parent["state"] & TaskState.STARTED:
            return task["task_spec"] not in outputs.get(parent["task_spec"], set())
        return True

    for task_id in [tid for tid, task in tasks.items() if doomed(task)]:
        _drop(tasks, task_id)


def _drop(tasks: dict[str, dict], task_id: str) -> None:
    task = tasks.pop(task_id, None)
    if task is None:
        return
    parent = tasks.get(task.get("parent"))
    if parent is not None and task_id in parent["children"]:
        parent["children"].remove(task_id)
    for child in list(task["children"]):
        _drop(tasks, child)


def _missing_spec(state: dict, new_spec: ProcessSpec) -> str | None:
    names = _spec_names(new_spec)
    for workflow in [state, *state.get("subprocesses", {}).values()]:
        if workflow is not state and workflow.get("spec") not in new_spec.subprocesses:
            return workflow.get("spec")
        for task in workflow["tasks"].values():
            if task["task_spec"] not in names:
                return task["task_spec"].split(".")[0]
    return None


def _rebuild(rt: WorkflowRuntime, new_spec: ProcessSpec, state: dict):
    wf = rt.loads(new_spec, json.dumps(state))
    wf._predict()
    for sub in wf.subprocesses.values():
        sub._predict()
    return wf


def _rename_work_items(uow: AbstractUnitOfWork, instance: model.ProcessInstance, rt: WorkflowRuntime, wf) -> None:
    steps = {step.task_id: step for step in rt.ready_steps(wf)}
    for item in uow.work_items.ready_for_instance(instance.id):
        step = steps.get(item.task_uuid)
        if step is not None and step.name != item.step_name:
            item.step_name = step.name


def _task_ref(uow: AbstractUnitOfWork, instance_id: int) -> str:
    with uow:
        instance = uow.instances.get(instance_id)
        task = uow.tasks.get(instance.plan_task_id) if instance else None
        return task.ref if task else ""
