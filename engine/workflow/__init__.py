"""The SpiffWorkflow runtime of planflow: parsing, sandbox, spec-free storage, steps and timers.

Data the shipped process (processes/plan_task.bpmn) reads, set at start:
  plan_task_id, lead_unit, coordinators (list, may be empty), monitor_unit, director,
  due (ISO date or None: its timers then never fire), periods (the due date of every
  report, one report step each, in order; a once-task has [due], the default).
Written by steps: assignee (assign); contribution per coordinator, collected in
contributions (in completion order); result (+ product) per `report`, collected in
period_results; decision "accept"|"return", comment (review); result, product (revise,
the report again after a return).
Inside a multi-instance the item is on the step's data: coordinator, period_due.
A step's deadline is the variable its planflow:due names (default `due`);
HumanStep.due and HumanStep.data["due"] both hold it.
"""
from __future__ import annotations

from .runtime import (
    DONE_FORM,
    EndlessLoop,
    HumanStep,
    NoticeEvent,
    StalledInstance,
    StepNotReady,
    WorkflowRuntime,
)
from .sandbox import SandboxEnvironment, ScriptsNotAllowed, make_script_engine
from .serializer import (
    SERIALIZER_VERSION,
    STATE_VERSION,
    IncompatibleState,
    dumps,
    full_dict,
    loads,
)
from .specs import InvalidProcess, Problem, ProcessSpec, SpecCache, parse_process
from .timer_clock import ClockedScriptEngine, ClockedTimeDate
from .timer_functions import FAR_FUTURE, OFFICE_TZ, deadline_functions

__all__ = [
    "DONE_FORM", "FAR_FUTURE", "OFFICE_TZ", "SERIALIZER_VERSION", "STATE_VERSION",
    "ClockedScriptEngine", "ClockedTimeDate", "EndlessLoop", "HumanStep", "IncompatibleState", "InvalidProcess",
    "NoticeEvent", "Problem",
    "ProcessSpec", "SandboxEnvironment", "ScriptsNotAllowed", "SpecCache", "StalledInstance", "StepNotReady",
    "WorkflowRuntime", "deadline_functions", "dumps", "full_dict", "loads", "make_script_engine",
    "parse_process",
]
