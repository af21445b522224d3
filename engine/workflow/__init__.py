"""The SpiffWorkflow runtime of planflow: parsing, sandbox, spec-free storage, steps and timers."""
from __future__ import annotations

from .clock import FrozenClock, frozen_now
from .runtime import HumanStep, NoticeEvent, StepNotReady, WorkflowRuntime
from .script_engine import SandboxEnvironment, ScriptsNotAllowed, make_script_engine
from .serializer import SERIALIZER_VERSION, IncompatibleState, dumps, loads
from .specs import InvalidProcess, Problem, ProcessSpec, SpecCache, parse_process
from .timer_functions import FAR_FUTURE, OFFICE_TZ, deadline_functions

__all__ = [
    "FAR_FUTURE", "OFFICE_TZ", "SERIALIZER_VERSION",
    "FrozenClock", "HumanStep", "IncompatibleState", "InvalidProcess", "NoticeEvent", "Problem",
    "ProcessSpec", "SandboxEnvironment", "ScriptsNotAllowed", "SpecCache", "StepNotReady",
    "WorkflowRuntime", "deadline_functions", "dumps", "frozen_now", "loads", "make_script_engine",
    "parse_process",
]
