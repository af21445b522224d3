"""The workflow runtime: start instances, list and complete human steps, fire timers.

Knows nothing of storage or the web. Task ids given out and taken back are the
SpiffWorkflow task UUIDs as strings; they survive serialization, so a work-item row
can carry one. Notices are the BPMN elements with `planflow:notice` that completed
during a call (reached from a timer boundary event); every call that runs engine
steps returns the notices it produced, and the caller sends them (idempotently:
a loop back into a step re-arms its timers).
"""
from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Mapping
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.defaults import ManualTask, NoneTask
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import (
    LoopTask,
    MultiInstanceTask,
)
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.clock import Clock, SystemClock

from . import serializer
from .sandbox import make_script_engine
from .specs import ProcessSpec
from .timer_functions import FAR_FUTURE_YEAR, deadline_functions

DONE_FORM = "done"  # a manualTask asks only that the step was done
MAX_ENGINE_STEPS = 400  # tasks one call may run with no person or timer between: more is an endless loop
# (SpiffWorkflow walks its task tree recursively: a loop run ~500 times exhausts the stack)
DUE_VARIABLE = "due"  # a step's deadline variable unless it names another (planflow:due)
LIST_INPUTS = ("coordinators", "periods")  # multi-instance inputs: must be lists
UNDATED = ""  # a period whose date is not set yet; HumanStep.due shows it as None
# The messages planflow sends into a workflow (engine/tasks/steps.reassign), with the data
# each carries (the reason is kept in the audit trail): a process that catches one says
# in BPMN what reassigning or withdrawing does.
MESSAGES: dict[str, tuple[str, ...]] = {"reassign": ("assignee",), "withdraw": ()}


class StepNotReady(Exception):
    """The task is unknown, not a human step, or not READY (done, or moved on)."""


class EndlessLoop(Exception):
    """The process went round a loop with no person and no timer in it; `bpmn_id` is where it stopped."""

    def __init__(self, bpmn_id: str | None) -> None:
        super().__init__(f"Endless loop at {bpmn_id}.")
        self.bpmn_id = bpmn_id


@dataclass(frozen=True)
class HumanStep:
    task_id: str
    step_id: str
    name: str
    actor: str | None
    form: str | None
    data: dict[str, Any] = field(default_factory=dict)  # a copy; `due` is this step's deadline
    due: str | None = None


@dataclass(frozen=True)
class NoticeEvent:
    step_task_id: str | None  # the human step the timer is attached to
    step_id: str | None
    rung: str  # the planflow:notice value: holder | unit_head | director
    timer_id: str | None  # the boundary event's BPMN id
    due: str | None  # the step's deadline the timer was computed from
    activity_task_id: str | None = None  # the step the timer is on: a multi-instance's whole activity


@dataclass(frozen=True)
class StalledInstance:
    """A finished instance of a multi-instance step that its loop never merged."""

    loop_id: str  # the multi-instance step's BPMN id (coordinate, periodic)
    instance_task_id: str  # the finished instance's task UUID
    merged: bool  # False: the loop had already moved on without it; left as it is


class WorkflowRuntime:
    def __init__(self, functions: Mapping[str, Callable[..., Any]] | Callable[..., Any],
                 clock: Clock | None = None) -> None:
        """`functions` are exposed to expressions; a bare callable is taken as
        `add_working_days(date, n) -> date` and gives the deadline functions. `clock`
        is the time the workflows' timers run at (the system's when None)."""
        self.clock = clock or SystemClock()
        if callable(functions):
            functions = deadline_functions(functions, self.clock)
        self.functions = dict(functions)

    # -- life cycle -------------------------------------------------------------

    def start(self, spec: ProcessSpec, data: Mapping[str, Any]) -> BpmnWorkflow:
        wf, _ = self.start_with_notices(spec, data)
        return wf

    def start_with_notices(self, spec: ProcessSpec, data: Mapping[str, Any]) -> tuple[BpmnWorkflow, list[NoticeEvent]]:
        wf, notices, _ = self._started(spec, data)
        return wf, notices

    def start_with_steps(self, spec: ProcessSpec, data: Mapping[str, Any]
                         ) -> tuple[BpmnWorkflow, list[NoticeEvent], list[HumanStep]]:
        """`start_with_notices`, and the human steps the workflow waits at (`ready_steps`),
        taken from the engine's last pass rather than from another walk of the tree."""
        wf, notices, ready = self._started(spec, data)
        return wf, notices, _human_steps(ready)

    def _started(self, spec: ProcessSpec, data: Mapping[str, Any]) -> tuple[BpmnWorkflow, list[NoticeEvent], list[Task]]:
        # The diagram's settings first: the task's own data may say otherwise.
        initial = _checked_initial_data({**spec.settings, **data})
        wf = BpmnWorkflow(spec.top, spec.subprocesses, script_engine=self._engine())
        wf.task_tree.data.update(initial)  # root data is inherited by every task
        return wf, *_run_to_wait(wf)

    def ready_steps(self, wf: BpmnWorkflow) -> list[HumanStep]:
        return _human_steps(wf.get_tasks(state=TaskState.READY, manual=True))

    def complete(self, wf: BpmnWorkflow, task_id: str, data: Mapping[str, Any]) -> list[NoticeEvent]:
        return _completed(wf, task_id, data)[0]

    def complete_with_steps(self, wf: BpmnWorkflow, task_id: str, data: Mapping[str, Any]
                            ) -> tuple[list[NoticeEvent], list[HumanStep]]:
        """`complete`, and the human steps the workflow then waits at, from the engine's
        last pass rather than from another walk of the tree (as a start and a sweep do)."""
        notices, ready = _completed(wf, task_id, data)
        return notices, _human_steps(ready)

    def waits_for(self, wf: BpmnWorkflow, message: str) -> bool:
        """Whether an event of the workflow waits for `message` now (older versions have none)."""
        return bool(message_catchers(wf, message))

    def send_message(self, wf: BpmnWorkflow, message: str, payload: Mapping[str, Any]) -> list[NoticeEvent]:
        """Deliver `message` with `payload` (written into the catching path's data) and run on."""
        catchers = message_catchers(wf, message)
        if not catchers:
            raise StepNotReady(f"Nothing waits for the message {message!r}.")
        wf.catch(BpmnEvent(catchers[0].task_spec.event_definition, deepcopy(dict(payload))))
        return _run_engine(wf)

    def is_completed(self, wf: BpmnWorkflow) -> bool:
        return wf.is_completed()

    # -- timers -----------------------------------------------------------------

    def fire_due_timers(self, wf: BpmnWorkflow) -> list[NoticeEvent]:
        """Fire every timer whose time is at or before the runtime's clock, run what follows."""
        wf.refresh_timers()
        return _run_engine(wf)

    def fire_due_timers_with_steps(self, wf: BpmnWorkflow) -> tuple[list[NoticeEvent], list[HumanStep]]:
        """`fire_due_timers`, and the human steps the workflow then waits at, from the
        engine's last pass rather than from another walk of the tree."""
        wf.refresh_timers()
        notices, ready = _run_to_wait(wf)
        return notices, _human_steps(ready)

    def next_timer_at(self, wf: BpmnWorkflow) -> datetime | None:
        times = [at for at in map(_event_time, _timer_tasks(wf)) if at is not None and at.year < FAR_FUTURE_YEAR]
        return min(times, default=None)

    def reset_timers(self, wf: BpmnWorkflow, task_id: str, data: Mapping[str, Any] | None = None) -> list[NoticeEvent]:
        """Recompute the armed timers of a step after its deadline changed.

        SpiffWorkflow caches a timer's computed time, and a timer re-reads its data
        from its parent (the boundary split) on every refresh; so `data` (e.g.
        {"due": "2024-05-10"}) is written to the step and to that split, and each
        waiting timer's cached time is dropped.
        """
        task = _human_task(wf, task_id)
        update = deepcopy(dict(data or {}))
        task.data.update(update)
        timers = _attached_timers(task)
        if timers:
            task.parent.data.update(deepcopy(update))
        for timer in timers:
            timer.internal_data.pop("event_value", None)
            timer.internal_data.pop("event_fired", None)
        wf.refresh_timers()
        return _run_engine(wf)

    def set_due(self, wf: BpmnWorkflow, task_id: str, due: str | None) -> list[NoticeEvent]:
        """Move a step's deadline (extension accepted, date set for an unresolved task)."""
        task = _human_task(wf, task_id)
        return self.reset_timers(wf, task_id, {_due_variable(task): due})

    def update_data(self, wf: BpmnWorkflow, data: Mapping[str, Any]) -> list[NoticeEvent]:
        """Change task-wide data (e.g. the monitor set the date of an unresolved task).

        Written to every unfinished task, so it also reaches the steps not yet
        created (a multi-instance parent merges back only its output item); every
        armed timer is then computed again.
        """
        for task in wf.get_tasks(state=TaskState.NOT_FINISHED_MASK):
            task.data.update(deepcopy(dict(data)))
        for timer in _timer_tasks(wf):
            if timer.parent is not None:  # a timer reads its data from its (finished) boundary split
                timer.parent.data.update(deepcopy(dict(data)))
        return self.rearm(wf)

    def rearm(self, wf: BpmnWorkflow) -> list[NoticeEvent]:
        """Compute every armed timer again (its data or the working calendar changed);
        a rung whose new time has passed fires now, the others wait for theirs."""
        for timer in _timer_tasks(wf):
            if timer.state == TaskState.WAITING:
                timer.internal_data.pop("event_value", None)
                timer.internal_data.pop("event_fired", None)
        wf.refresh_timers()
        return _run_engine(wf)

    # -- repair -----------------------------------------------------------------

    def merge_stalled(self, wf: BpmnWorkflow) -> tuple[list[StalledInstance], list[NoticeEvent]]:
        """Merge the finished multi-instance children their loop never heard of.

        A workflow completed by a process whose spec lacked the completed_event →
        merge_child link (before every load wired it) kept its loop STARTED with a
        finished child: no next step, ever. Merging them now, oldest first, does what
        the link would have done; the engine then runs on. A loop that moved on
        anyway (a later instance merged in a wired process) is only reported.
        """
        found: list[StalledInstance] = []
        for loop in wf.get_tasks(spec_class=LoopTask):
            merged = set(loop.internal_data.get("merged", []))
            finished = sorted((c for c in loop.task_spec._instances(loop)
                               if c.state == TaskState.COMPLETED and str(c.id) not in merged),
                              key=lambda c: c.last_state_change)
            waiting = loop.state == TaskState.STARTED
            for child in finished:
                if waiting:
                    loop.task_spec.merge_child(wf, child)
                found.append(StalledInstance(loop.task_spec.bpmn_id, str(child.id), waiting))
        return found, (_run_engine(wf) if any(s.merged for s in found) else [])

    # -- storage ----------------------------------------------------------------

    def dumps(self, wf: BpmnWorkflow) -> str:
        return serializer.dumps(wf)

    def loads(self, spec: ProcessSpec, text: str) -> BpmnWorkflow:
        return serializer.loads(spec, text, self._engine())

    def release(self, wf: BpmnWorkflow) -> None:
        """Free `wf`, stored and not to be used again, now: its tasks and it refer to each
        other, so only the cyclic collector would free them, after they had lived through
        its young generations into the old one, whose collections walk the whole heap."""
        for sub in wf.subprocesses.values():
            sub.tasks.clear()
        wf.tasks.clear()

    def _engine(self):
        return make_script_engine(self.functions, self.clock)


# -- helpers ---------------------------------------------------------------------


def _checked_initial_data(data: Mapping[str, Any]) -> dict[str, Any]:
    # Spiff raises a bare TypeError on a missing multi-instance list: say what is wrong.
    initial = deepcopy(dict(data))
    initial.setdefault("periods", [initial.get("due")])  # a once-task reports once, on `due`
    initial.setdefault("co_handlers", [])  # named at assign, if at all: each then has a step
    for name in LIST_INPUTS:
        if not isinstance(initial.get(name), list):
            raise ValueError(f"Workflow data {name!r} must be a list.")
    # Spiff's sequential multi-instance stops at a None item: an undated period is "".
    initial["periods"] = [UNDATED if period is None else period for period in initial["periods"]]
    # Assigning and coordinating are due by the first report, not the last deadline.
    initial.setdefault("first_due", initial["periods"][0] if initial["periods"] else initial.get("due"))
    return initial


def _completed(wf: BpmnWorkflow, task_id: str, data: Mapping[str, Any]) -> tuple[list[NoticeEvent], list[Task]]:
    """Run the ready human step `task_id` with `data`, then the engine on (`_run_to_wait`)."""
    task = _ready_human_task(wf, task_id)
    task.data.update(deepcopy(dict(data)))
    task.run()
    return _run_to_wait(wf)


def _run_engine(wf: BpmnWorkflow) -> list[NoticeEvent]:
    """Run engine steps until only human steps and waiting events remain."""
    return _run_to_wait(wf)[0]


def _run_to_wait(wf: BpmnWorkflow) -> tuple[list[NoticeEvent], list[Task]]:
    """`_run_engine`'s notices, and the READY tasks it stopped at (all of them manual).

    `do_engine_steps` ends with `refresh_timers`, which may make a timer READY
    without running it: loop so that a past-due timer fires now, not at the next call.
    """
    notices: list[NoticeEvent] = []
    ran = [0]

    def collect(task: Task) -> None:
        ran[0] += 1
        if ran[0] > MAX_ENGINE_STEPS:  # a loop of gateways would otherwise hold the server forever
            raise EndlessLoop(task.task_spec.bpmn_id)
        notices.extend(_notices_of(task))

    while True:
        wf.do_engine_steps(did_complete_task=collect)
        # (One walk of the tree a pass: each costs about a twentieth of a start.)
        ready = wf.get_tasks(state=TaskState.READY)
        # A plain bpmn:task asks nobody anything: it passes through.
        passing = [t for t in ready if isinstance(t.task_spec, NoneTask)]
        for task in passing:
            task.run()
            collect(task)
        if not passing and all(t.task_spec.manual for t in ready):
            return notices, ready


def _extensions(task: Task) -> dict[str, str]:
    spec = task.task_spec
    if isinstance(spec, MultiInstanceTask):
        # The planflow:* attributes are on the BPMN element, which the parser gives to the
        # instance spec: the multi-instance activity has none of its own (its due too).
        spec = task.workflow.spec.task_specs[spec.task_spec]
    return getattr(spec, "extensions", None) or {}


def _due_variable(task: Task) -> str:
    return _extensions(task).get("due") or DUE_VARIABLE


def _is_human(task: Task) -> bool:
    return task.task_spec.manual and not isinstance(task.task_spec, NoneTask)


def _human_steps(ready: list[Task]) -> list[HumanStep]:
    """The human steps among READY manual tasks."""
    return [_human_step(task) for task in ready if _is_human(task)]


def _human_step(task: Task) -> HumanStep:
    extensions = _extensions(task)
    form = extensions.get("form") or (DONE_FORM if isinstance(task.task_spec, ManualTask) else None)
    data = deepcopy(task.data)
    due = data.get(_due_variable(task)) or None
    data[DUE_VARIABLE] = due
    return HumanStep(
        task_id=str(task.id), step_id=task.task_spec.bpmn_id, name=task.task_spec.bpmn_name or task.task_spec.bpmn_id,
        actor=extensions.get("actor"), form=form, data=data, due=due,
    )


def _human_task(wf: BpmnWorkflow, task_id: str) -> Task:
    try:
        task = wf.get_task_from_id(UUID(str(task_id)))
    except (ValueError, TaskNotFoundException) as exc:
        raise StepNotReady(f"No task {task_id}.") from exc
    if not _is_human(task):
        raise StepNotReady(f"Task {task_id} is not a human step.")
    return task


def _ready_human_task(wf: BpmnWorkflow, task_id: str) -> Task:
    task = _human_task(wf, task_id)
    if task.state != TaskState.READY:
        raise StepNotReady(f"Task {task_id} is {TaskState.get_name(task.state)}, not READY.")
    return task


def message_catchers(wf: BpmnWorkflow, message: str) -> list[Task]:
    """The events waiting now for the message named `message`."""
    return [t for t in wf.get_tasks(state=TaskState.WAITING) if isinstance(t.task_spec, CatchingEvent)
            and isinstance(t.task_spec.event_definition, MessageEventDefinition)
            and t.task_spec.event_definition.name == message]


def _is_timer(task: Task) -> bool:
    spec = task.task_spec
    return isinstance(spec, CatchingEvent) and isinstance(spec.event_definition, TimerEventDefinition)


def _timer_tasks(wf: BpmnWorkflow) -> list[Task]:
    return [t for t in wf.event_manager.tasks.values() if _is_timer(t)]


def _event_time(task: Task) -> datetime | None:
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):  # a cycle timer: its next firing, while cycles remain
        value = value.get("next") if value.get("cycles") else None
    if not isinstance(value, str):
        return None  # not computed yet
    return TimerEventDefinition.get_datetime(value).astimezone(timezone.utc)


def _attached_timers(step: Task) -> list[Task]:
    split = step.parent
    if split is None or not isinstance(split.task_spec, BoundaryEventSplit):
        return []
    return [t for t in split.children if _is_timer(t) and t.state == TaskState.WAITING]


def _attached_step(timer: Task) -> Task | None:
    split = timer.parent
    if split is None or not isinstance(split.task_spec, BoundaryEventSplit):
        return None
    activity = split.task_spec.outputs[0]  # the parser connects the activity first
    return next((t for t in split.children if t.task_spec is activity), None)


def _notices_of(task: Task) -> list[NoticeEvent]:
    rung = _extensions(task).get("notice")
    if not rung:
        return []
    timer = next((t for t in _ancestors(task) if _is_timer(t)), None)
    step = _attached_step(timer) if timer is not None else None
    if timer is None or step is None:
        return [NoticeEvent(None, None, rung, timer.task_spec.bpmn_id if timer is not None else None, None)]
    if isinstance(step.task_spec, MultiInstanceTask):
        # Spiff arms a boundary timer once for the whole multi-instance activity, and
        # nobody holds that activity: the people to tell hold its instances. So the
        # rung speaks for each instance still open (a unit that has contributed is
        # done and left out). An instance whose deadline was moved alone (an
        # extension) no longer matches the activity's timers: it is left out rather
        # than called late against a date it no longer has.
        due = timer.data.get(_due_variable(step))
        return [_notice(rung, timer, child, due, step) for child in step.children
                if _is_open_instance(step, child) and child.data.get(_due_variable(child)) == due]
    return [_notice(rung, timer, step, timer.data.get(_due_variable(step)), step)]


def _notice(rung: str, timer: Task, step: Task, due: str | None, activity: Task) -> NoticeEvent:
    return NoticeEvent(step_task_id=str(step.id), step_id=step.task_spec.bpmn_id, rung=rung,
                       timer_id=timer.task_spec.bpmn_id, due=due, activity_task_id=str(activity.id))


def _is_open_instance(activity: Task, child: Task) -> bool:
    return child.task_spec.name == activity.task_spec.task_spec and child.state == TaskState.READY


def _ancestors(task: Task):
    parent = task.parent
    while parent is not None:
        yield parent
        parent = parent.parent
