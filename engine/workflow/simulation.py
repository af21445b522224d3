"""Run a process on simulated tasks along every path before anyone depends on it.

A check of each expression against one sample holding every variable says nothing of
the order steps set them in: a condition on `decision` before any review passes it and
fails on the first real task. So the process is run here with SpiffWorkflow itself,
from the data a task starts with, branching at every choice a person or a clock makes:
each answer a step's form allows, each armed timer firing. States already seen (the
same steps waiting, the same variables set) are not explored twice, which is what
makes return loops finite.

What is found is reported on the BPMN element concerned: a runtime error, a path
that stops without reaching an end event, a loop with no person or timer in it, an
event nothing can trigger, an element no path reaches. Knows nothing of planflow's
forms or actors: the caller says what each step may answer and checks who acts.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from .runtime import (MESSAGES, EndlessLoop, HumanStep, WorkflowRuntime, _checked_initial_data, _human_step,
                      _is_human, _run_engine, message_catchers)
from .specs import ProcessSpec

MAX_STATES = 400  # a real process has a few dozen; beyond this the diagram is reported as too large to prove
PAST = "2000-01-01T00:00:00+00:00"
REACHED = TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.COMPLETED


@dataclass(frozen=True)
class Finding:
    element_id: str | None
    kind: str  # "error" | "lost" | "undefined" | "no_end" | "endless" | "untriggered" | "unreached" | "too_many"
    path: str = ""  # the steps and answers that lead here, for the designer to follow
    detail: str = ""  # the variable missing, or SpiffWorkflow's own words


@dataclass
class _Path:
    text: str  # the serialized workflow
    key: tuple
    steps: tuple[str, ...] = ()

    def then(self, text: str, key: tuple, label: str | None) -> "_Path":
        return _Path(text, key, self.steps + ((label,) if label else ()))


@dataclass
class Exploration:
    findings: list[Finding] = field(default_factory=list)
    states: int = 0
    complete: bool = True  # every state was explored (else unreached elements are not reported)


Answers = Callable[[HumanStep], list[tuple[str, dict[str, Any]]]]  # (label, data) per answer
StepCheck = Callable[[HumanStep], Finding | None]


def explore(rt: WorkflowRuntime, spec: ProcessSpec, starts: Iterable[Mapping[str, Any]], answers: Answers,
            check_step: StepCheck, max_states: int = MAX_STATES) -> Exploration:
    """Every path of `spec` from each start data: what fails, where, and what no path reaches."""
    result = Exploration()
    found: dict[tuple[str | None, str], Finding] = {}
    reached: set[str] = set()
    waited: set[str] = set()  # non-timer events seen waiting
    fired: set[str] = set()  # catching events seen caught
    seen: set[tuple] = set()  # states queued: a state reached twice is explored once
    explored: set[tuple] = set()
    queue: deque[_Path] = deque()

    def enqueue(wf: BpmnWorkflow, path: _Path, label: str | None = None) -> None:
        # Counted before the state is dropped as seen: two paths may end in the same state
        # (both completed) through different elements, e.g. a gateway just before the end.
        reached.update(t.task_spec.bpmn_id for t in wf.get_tasks(state=REACHED) if t.task_spec.bpmn_id)
        # Every task, filtered here: SpiffWorkflow's state filter misses a boundary event
        # caught inside a sub-process (the "withdraw" on a period's report).
        fired.update(t.task_spec.bpmn_id for t in wf.get_tasks() if t.state == TaskState.COMPLETED and _catches(t))
        key = _signature(wf)
        if key not in seen:
            seen.add(key)
            queue.append(path.then(rt.dumps(wf), key, label))

    def report(finding: Finding) -> None:
        found.setdefault((finding.element_id, finding.kind), finding)

    for data in starts:
        wf = BpmnWorkflow(spec.top, spec.subprocesses, script_engine=rt._engine())
        wf.task_tree.data.update(_checked_initial_data(data))
        failure = _advance(wf, lambda: None)
        if failure is not None:
            report(failure)
        else:
            enqueue(wf, _Path("", ()))

    while queue:
        path = queue.popleft()
        if len(explored) >= max_states:
            result.complete = False
            report(Finding(None, "too_many", detail=str(max_states)))
            break
        explored.add(path.key)
        wf = rt.loads(spec, path.text)
        where = " → ".join(path.steps)
        if wf.is_completed():
            stop = _stop_without_end(wf)
            if stop is not None:
                report(Finding(stop, "no_end", where))
            continue
        moves, failed = [], False
        for step in map(_human_step, _ready_human_tasks(wf)):
            problem = check_step(step)
            if problem is not None:
                report(Finding(problem.element_id, problem.kind, where, problem.detail))
                failed = True  # reported already: this path goes no further
                continue
            moves += [(step, label, data) for label, data in answers(step)]
        timers = [t for t in wf.get_tasks(state=TaskState.WAITING) if _catches(t, TimerEventDefinition)]
        events = [t for t in wf.get_tasks(state=TaskState.WAITING) if _catches(t) and t not in timers]
        waited |= {t.task_spec.bpmn_id for t in events}
        # The messages planflow sends (a head reassigns or withdraws), each a branch of its own,
        # once a path: sent again, a message leads where it led (a loop back into the step).
        sent = [name for name in MESSAGES if message_catchers(wf, name) and name not in path.steps]
        if not moves and not timers and not sent and not failed:
            stuck = events[0].task_spec.bpmn_id if events else _last_step(wf)
            report(Finding(stuck, "untriggered" if events else "no_end", where))
            continue
        for step, label, data in moves:
            _branch(rt, spec, path, enqueue, report, f"{step.name}{label}",
                    lambda wf, step=step, data=data: _complete(wf, step.task_id, data), step.step_id)
        for timer in timers:
            _branch(rt, spec, path, enqueue, report, timer.task_spec.bpmn_name or timer.task_spec.bpmn_id,
                    lambda wf, timer_id=timer.id: _fire(wf, timer_id), timer.task_spec.bpmn_id)
        for name in sent:
            _branch(rt, spec, path, enqueue, report, name,
                    lambda wf, name=name: rt.send_message(wf, name, {key: "…" for key in MESSAGES[name]}))

    result.states = len(explored)
    for event in sorted(waited - fired):  # waited on some path and never caught on any
        report(Finding(event, "untriggered"))
    if result.complete:
        for element in sorted(_elements(spec) - reached):
            report(Finding(element, "unreached"))
    result.findings = list(found.values())
    return result


def _branch(rt: WorkflowRuntime, spec: ProcessSpec, path: _Path, enqueue, report, label: str,
            move: Callable[[BpmnWorkflow], None], mover: str | None = None) -> None:
    """Follow one move (of the element `mover`, when it is one): a failure that names no
    element of its own is marked on the mover, where the designer can see it."""
    wf = rt.loads(spec, path.text)
    failure = _advance(wf, lambda: move(wf))
    where = " → ".join(path.steps + (label,))
    if failure is not None:
        report(Finding(failure.element_id or mover, failure.kind, where, failure.detail))
        return
    enqueue(wf, path, label)


def _advance(wf: BpmnWorkflow, move: Callable[[], None]) -> Finding | None:
    """Make the move and run the engine; a failure becomes a finding on the element that failed."""
    try:
        move()
        _run_engine(wf)
    except EndlessLoop as loop:
        return Finding(loop.bpmn_id, "endless")
    except Exception as error:  # any failure of the designer's process is a finding, never a crash here
        return _failure(wf, error)
    return None


def _failure(wf: BpmnWorkflow, error: Exception) -> Finding:
    missing = _missing_collection(wf)
    if missing is not None:
        return missing
    # SpiffWorkflow names the task in its own exceptions; after a bare Python error the task is left in ERROR.
    failed = next(iter(wf.get_tasks(state=TaskState.ERROR)), None)
    spec = getattr(error, "task_spec", None) or (failed.task_spec if failed is not None else None)
    element = getattr(spec, "bpmn_id", None)
    cause = error.__context__  # SpiffWorkflow wraps the sandbox's error and keeps it as the context
    name = getattr(cause, "name", None)
    if isinstance(name, str) and type(cause).__name__ == "NameNotDefined":
        return Finding(element, "undefined", detail=name)
    if isinstance(error, TaskNotFoundException):  # SpiffWorkflow 3.2 lost a task it cancelled (its uuid says nothing)
        return Finding(element, "lost")
    return Finding(element, "error", detail=str(error))


def _missing_collection(wf: BpmnWorkflow) -> Finding | None:
    """A multi-instance entered over a list the data does not hold (SpiffWorkflow raises a bare TypeError)."""
    for task in wf.get_tasks(state=TaskState.NOT_FINISHED_MASK):
        spec = task.task_spec
        collection = getattr(getattr(spec, "data_input", None), "bpmn_id", None)
        if isinstance(spec, LoopTask) and collection and task.parent is not None \
                and task.parent.state & (TaskState.READY | TaskState.COMPLETED) \
                and collection not in task.parent.data:
            return Finding(spec.bpmn_id, "undefined", detail=collection)
    return None


def _complete(wf: BpmnWorkflow, task_id: str, data: Mapping[str, Any]) -> None:
    task = next(t for t in wf.get_tasks(state=TaskState.READY) if str(t.id) == task_id)
    task.data.update(dict(data))
    task.run()


def _fire(wf: BpmnWorkflow, timer_id) -> None:
    timer = wf.get_task_from_id(timer_id)
    cycle = timer.internal_data.get("event_value")
    if isinstance(cycle, dict):  # a cycle timer reads only its next time ("fired" would end it): due now
        cycle["next"] = PAST
    else:
        timer._set_internal_data(event_fired=True)
    wf.refresh_timers()


def _ready_human_tasks(wf: BpmnWorkflow) -> list[Task]:
    return [t for t in wf.get_tasks(state=TaskState.READY, manual=True) if _is_human(t)]


def _catches(task: Task, kind: type | None = None) -> bool:
    spec = task.task_spec
    if not isinstance(spec, CatchingEvent):
        return False
    return kind is None or isinstance(spec.event_definition, kind)


def _signature(wf: BpmnWorkflow) -> tuple:
    """What the future of a state depends on: the open tasks and the names of the variables they hold."""
    # A started multi-instance counts its instances: the second report of a sequence is
    # not the first one again.
    open_tasks = wf.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED)
    return tuple(sorted((t.task_spec.name, t.state, tuple(sorted(t.data)),
                         len(t.children) if t.state == TaskState.STARTED else _cycles_left(t)) for t in open_tasks))


def _cycles_left(task: Task) -> int:
    # A cycle timer that fired stays armed with one cycle less: a state of its own.
    value = task.internal_data.get("event_value")
    return value.get("cycles", 0) if isinstance(value, dict) else 0


def _stop_without_end(wf: BpmnWorkflow) -> str | None:
    """A completed path whose last element is not an end event (SpiffWorkflow ends it silently)."""
    for task in wf.get_tasks(state=TaskState.COMPLETED):
        spec = task.task_spec
        # SpiffWorkflow ends a path at an element with no outgoing flow as if it were an end
        # event; a multi-instance's inner step ("x [child]") has none either, and is not one.
        if spec.name == spec.bpmn_id and not isinstance(spec, EndEvent) and not spec.outputs:
            return spec.bpmn_id
    return None


def _last_step(wf: BpmnWorkflow) -> str | None:
    done = [t for t in wf.get_tasks(state=TaskState.COMPLETED) if t.task_spec.bpmn_id]
    return done[-1].task_spec.bpmn_id if done else None


def _elements(spec: ProcessSpec) -> set[str]:
    ids = set()
    for process in [spec.top, *spec.subprocesses.values()]:
        ids |= {s.bpmn_id for s in process.task_specs.values() if s.bpmn_id and s.bpmn_id != process.name}
    return ids
