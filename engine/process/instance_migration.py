"""Move running instances from one process version to another: preview first, then move.

Whether an instance can move is decided by SpiffWorkflow's own comparison of the two
versions (`bpmn/util/diff`: SpecDiff aligns the old task specs with the new ones,
WorkflowDiff the instance's tasks with them). An instance stays, with the reason and the
element, when a step it is on was removed or given another id, changed kind (a user task
become a sub-process: it would be left with no step), or when the flow that led to it
changed (a parallel branch added around it: its join would wait forever for a branch
that never started), or when the sub-process it is in is gone.

Moving rebuilds the workflow on the new spec: its stored state is loaded with the new
spec, whose task specs are looked up by name. SpiffWorkflow's `migrate_workflow` resets
every ready and waiting task, which re-arms timers and drops the item a multi-instance
step holds; planflow keeps both, so only the predicted part of the tree (steps not
reached yet) is dropped and predicted again from the new spec. Armed timers keep the
time they were computed with; the new expressions apply when a step is next entered.
Instances inside a multi-instance step or a sub-process move like the others. Each
instance moves in its own transaction, so one that fails does not stop the others; the
batch is kept in the process's audit with who, when, from, to and the results.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff
from SpiffWorkflow.util.task import TaskState

from engine import model
from engine.clock import Clock, SystemClock, to_storage
from engine.errors import N_, InvalidInput, NotFound
from engine.process import instances
from engine.unit_of_work import AbstractUnitOfWork
from engine.workflow import ProcessSpec, WorkflowRuntime, full_dict
from engine.workflow.serializer import spec_registry

MSG_STEP_REMOVED = N_("An active step is not in the new version.")
MSG_HISTORY_REMOVED = N_("A step this task already went through is not in the new version.")
MSG_REBUILD_FAILED = N_("The task could not be rebuilt on the new version.")
MSG_RETYPED = N_("An active step is of another kind in the new version (e.g. a user task become a sub-process).")
MSG_STRUCTURE = N_("The flow that led to an active step changed (e.g. a parallel branch added around it): "
                   "the task could wait forever.")
MSG_SUBPROCESS_REMOVED = N_("The sub-process the task is in is not in the new version.")
PREDICTED = TaskState.PREDICTED_MASK | TaskState.FUTURE
ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


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


@dataclass(frozen=True)
class InstancePreview:
    instance_id: int
    task_ref: str
    steps: tuple[str, ...]  # the names of the steps it is on
    stayed: Stayed | None  # None: it moves

    @property
    def moves(self) -> bool:
        return self.stayed is None


def preview(uow: AbstractUnitOfWork, from_version_id: int, to_version_id: int,
            clock: Clock | None = None) -> list[InstancePreview]:
    """What a migration would do to each running instance, before anything changes."""
    with uow:
        _check_versions(uow, from_version_id, to_version_id)
        rt, new_spec = instances.runtime(uow, clock or SystemClock()), instances.spec(uow, to_version_id)
        result = []
        for instance_id in uow.instances.running_ids_for_version(from_version_id):
            instance = uow.instances.get(instance_id)
            task = uow.tasks.get(instance.plan_task_id)
            wf = instances.load(uow, rt, instance)
            steps = tuple(step.name for step in rt.ready_steps(wf))
            result.append(InstancePreview(instance.id, task.ref, steps, _obstacle(instance, task, wf, new_spec)))
        return result


def migrate(uow: AbstractUnitOfWork, from_version_id: int, to_version_id: int, user_id: int | None = None,
            clock: Clock | None = None, instance_ids: list[int] | None = None) -> MigrationReport:
    """Move the running instances of `from_version_id` (or those of `instance_ids` among them)."""
    clock = clock or SystemClock()
    now = clock.now()
    with uow:
        _check_versions(uow, from_version_id, to_version_id)
        running = uow.instances.running_ids_for_version(from_version_id)
    chosen = running if instance_ids is None else [i for i in running if i in set(instance_ids)]
    report = MigrationReport()
    for instance_id in chosen:
        stayed = _migrate_one(uow, clock, instance_id, from_version_id, to_version_id, user_id, now)
        if stayed is None:
            report.moved.append(instance_id)
        else:
            report.stayed.append(stayed)
    _record_batch(uow, from_version_id, to_version_id, user_id, now, report)
    return report


def _record_batch(uow: AbstractUnitOfWork, from_id: int, to_id: int, user_id: int | None, now,
                  report: MigrationReport) -> None:
    with uow:
        uow.process_versions.record({
            "process_key": uow.process_versions.get(to_id).process_key, "action": "migrated", "at": to_storage(now),
            "actor_user_id": user_id, "from_version_id": from_id, "to_version_id": to_id,
            "detail": {"moved": report.moved, "stayed": [
                {"instance_id": s.instance_id, "reason": s.reason, "element_id": s.element_id} for s in report.stayed]},
        })
        uow.commit()


def _check_versions(uow: AbstractUnitOfWork, from_id: int, to_id: int) -> None:
    source, target = uow.process_versions.get(from_id), uow.process_versions.get(to_id)
    if source is None or target is None:
        raise NotFound(N_("Process version not found."))
    if from_id == to_id:
        raise InvalidInput({"to_version": N_("Choose another version to move the tasks to.")})
    if source.process_key != target.process_key:
        raise InvalidInput({"to_version": N_("Tasks move only between versions of the same process.")})


def _migrate_one(uow: AbstractUnitOfWork, clock: Clock, instance_id: int, from_id: int, to_id: int,
                 user_id: int | None, now) -> Stayed | None:
    try:
        with uow:
            instance = uow.instances.lock(instance_id)
            task = uow.tasks.get(instance.plan_task_id)
            if instance.process_version_id != from_id or instance.status != "running":
                return None  # moved or finished since the list was read: nothing to do
            stayed = _move(uow, instances.runtime(uow, clock), instance, task, to_id, user_id, now)
            if stayed is None:
                uow.commit()
            return stayed
    except Exception:  # e.g. a step completed meanwhile (optimistic lock): it stays, the others go on
        return Stayed(instance_id, _task_ref(uow, instance_id), MSG_REBUILD_FAILED)


def _move(uow: AbstractUnitOfWork, rt: WorkflowRuntime, instance: model.ProcessInstance, task: model.PlanTask,
          to_id: int, user_id: int | None, now) -> Stayed | None:
    old_wf = instances.load(uow, rt, instance)
    new_spec = instances.spec(uow, to_id)
    obstacle = _obstacle(instance, task, old_wf, new_spec)
    if obstacle is not None:
        return obstacle
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


def _obstacle(instance: model.ProcessInstance, task: model.PlanTask, wf, new_spec: ProcessSpec) -> Stayed | None:
    """Why the instance cannot move to `new_spec`, by SpiffWorkflow's diff of its workflows; None if it can."""
    registry = spec_registry()
    for workflow in [wf, *wf.subprocesses.values()]:
        target = new_spec.top if workflow is wf else new_spec.subprocesses.get(workflow.spec.name)
        if target is None:
            return Stayed(instance.id, task.ref, MSG_SUBPROCESS_REMOVED, workflow.spec.name)
        spec_diff = SpecDiff(registry, workflow.spec, target)
        diff = WorkflowDiff(workflow, spec_diff)
        for active in workflow.get_tasks(state=ACTIVE, skip_subprocesses=True):
            reason = _active_obstacle(active, diff, spec_diff)
            if reason is not None:
                return Stayed(instance.id, task.ref, reason, _element(active))
    return None


def _active_obstacle(active, diff: WorkflowDiff, spec_diff: SpecDiff) -> str | None:
    aligned = diff.alignment.get(active)
    if active in diff.removed or aligned is None or aligned.name != active.task_spec.name:
        return MSG_STEP_REMOVED  # the work item, the notices and the history name it by its id
    changes = spec_diff.changed.get(active.task_spec, [])
    if "typename" in changes:
        return MSG_RETYPED
    if "inputs" in changes:
        return MSG_STRUCTURE
    for ancestor in _ancestors(active):
        if {"inputs", "outputs"} & set(spec_diff.changed.get(ancestor.task_spec, [])):
            return MSG_STRUCTURE
    return None


def _ancestors(task):
    parent = task.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _element(task) -> str | None:
    # A boundary timer waits on behalf of its activity; an instance of a multi-instance is its step.
    split = task.parent
    if split is not None and split.task_spec.name.endswith(".BoundaryEventSplit") and task.task_spec.bpmn_id:
        return split.task_spec.outputs[0].bpmn_id if task.state == TaskState.WAITING else task.task_spec.bpmn_id
    return task.task_spec.bpmn_id or task.task_spec.name


def _spec_names(spec: ProcessSpec) -> set[str]:
    names = set(spec.top.task_specs)
    for sub in spec.subprocesses.values():
        names |= set(sub.task_specs)
    return names


def _pruned_state(text: str, new_spec: ProcessSpec) -> dict:
    """The stored state without its predicted tasks under unfinished ones (they are predicted again)."""
    state = full_dict(text)  # every task names its parent
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
