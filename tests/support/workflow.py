"""Helpers for the workflow runtime tests (tests/unit/workflow): data, calendar, steps."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from engine.workflow import HumanStep, WorkflowRuntime

BPMN_PATH = Path(__file__).resolve().parents[2] / "processes" / "plan_task.bpmn"
START = datetime(2024, 1, 2, 2, 0, tzinfo=timezone.utc)


def weekday_add_working_days(day: date, n: int) -> date:
    """Weekends only: enough to check the arithmetic of the ladder without holidays."""
    step = 1 if n > 0 else -1
    while n:
        day += timedelta(days=step)
        if day.weekday() < 5:
            n -= step
    return day


def task_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "plan_task_id": 11, "lead_unit": 1, "coordinators": [2, 3], "monitor_unit": 4,
        "director": 99, "due": "2024-03-29",
    }
    data.update(overrides)
    return data


def only_step(runtime: WorkflowRuntime, wf, step_id: str) -> HumanStep:
    steps = runtime.ready_steps(wf)
    assert [s.step_id for s in steps] == [step_id]
    return steps[0]


def walk_to_report(runtime: WorkflowRuntime, spec, **overrides: Any):
    """Start a task without coordinators and assign it: its (first) report step is ready."""
    wf = runtime.start(spec, task_data(coordinators=[], **overrides))
    runtime.complete(wf, only_step(runtime, wf, "assign").task_id, {"assignee": 7})
    return wf, only_step(runtime, wf, "report")


def cut_loop_merges(spec) -> None:
    """Undo `connect_loop_merges` on a parsed spec: a step completed now stalls, as it did
    in any process that had not created a multi-instance child itself before the fix."""
    from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask

    for process in (spec.top, *spec.subprocesses.values()):
        for loop in (s for s in process.task_specs.values() if isinstance(s, LoopTask)):
            process.task_specs[loop.task_spec].completed_event.disconnect(loop.merge_child)
