"""SpiffWorkflow's timers on the clock planflow gives them: registered, not patched.

SpiffWorkflow's `TimeDateEventDefinition.has_fired` compares a timer's time with
`datetime.now()`. planflow's parser (specs.PlanflowParser) builds every `timeDate`
timer as a `ClockedTimeDate` instead, which asks the clock carried by the workflow's
script engine (`ClockedScriptEngine`, made by `WorkflowRuntime` from the clock each
service, the sweep or the demo loader was given). So a workflow's "now" is the
caller's, in every thread, and nothing global is replaced.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)
from SpiffWorkflow.task import Task

from engine.clock import Clock, SystemClock


class ClockedScriptEngine(PythonScriptEngine):
    """A script engine that also carries the clock its workflow's timers read."""

    def __init__(self, environment: BasePythonScriptEngineEnvironment, clock: Clock | None = None) -> None:
        super().__init__(environment=environment)
        self.clock = clock or SystemClock()


def now_for(task: Task) -> datetime:
    """The time the task's workflow runs at: its script engine's clock (the system's if
    the engine carries none, e.g. a workflow built outside WorkflowRuntime)."""
    clock = getattr(task.workflow.script_engine, "clock", None) or SystemClock()
    return clock.now()


class ClockedTimeDate(TimeDateEventDefinition):
    """A timeDate timer that fires when its time is at or before its workflow's clock."""

    def has_fired(self, my_task: Task) -> bool:
        value = my_task._get_internal_data("event_value")
        if value is None:
            value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            my_task._set_internal_data(event_value=value)
        if self.parse_time_or_duration(value) <= now_for(my_task):
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


class ClockedDuration(DurationTimerEventDefinition):
    """A timeDuration timer (Camunda's "PT48H"), counted from when its workflow's clock reached it."""

    def has_fired(self, my_task: Task) -> bool:
        value = my_task._get_internal_data("event_value")
        if value is None:
            start = now_for(my_task)
            duration = self.parse_iso_duration(my_task.workflow.script_engine.evaluate(my_task, self.expression))
            value = (start + self.get_timedelta_from_start(duration, start)).isoformat()
            my_task._set_internal_data(event_value=value)
        if self.get_datetime(value) <= now_for(my_task):
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


class ClockedCycle(CycleTimerEventDefinition):
    """A timeCycle timer ("R3/P1D"): fires each period on its workflow's clock until its cycles are spent."""

    def cycle_complete(self, my_task: Task) -> bool:
        value = my_task._get_internal_data("event_value")
        if value is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            cycles, start, duration = self.parse_iso_recurring_interval(expression)
            if str(expression).split("/")[1].startswith("P"):  # "R3/P1D" starts now: the clock's now
                start = now_for(my_task)
            value = {"cycles": cycles, "next": start.isoformat(), "duration": duration.total_seconds()}
        due = value["cycles"] != 0 and datetime.fromisoformat(value["next"]) <= now_for(my_task)
        if due:
            following = datetime.fromisoformat(value["next"]) + timedelta(seconds=value["duration"])
            value = {**value, "cycles": value["cycles"] - 1, "next": following.isoformat()}
        if value["cycles"] == 0 and not due:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True  # every cycle ran: the timer is done
            return False
        my_task._set_internal_data(event_value=value)
        return due
