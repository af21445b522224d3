"""A script engine that evaluates expressions in a sandbox and runs no scripts.

SpiffWorkflow's default environment `eval`s with full builtins, so a gateway condition
could run `__import__('os')`. Here conditions and timer expressions go through
simpleeval: names are the task data, functions only those the caller whitelists.
Script tasks are refused: a process designer edits BPMN, not code on our server.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from simpleeval import EvalWithCompoundTypes
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)

from engine.clock import Clock

from .timer_clock import ClockedScriptEngine

# Pure, side-effect-free helpers a condition may reasonably want.
SAFE_BUILTINS: dict[str, Callable[..., Any]] = {
    "len": len, "min": min, "max": max, "abs": abs, "round": round,
    "int": int, "float": float, "str": str, "bool": bool,
}


class ScriptsNotAllowed(Exception):
    """A script task or service task was reached; planflow does not run scripts."""


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    def __init__(self, functions: Mapping[str, Callable[..., Any]] | None = None) -> None:
        super().__init__({**SAFE_BUILTINS, **(functions or {})})

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        names = {**(external_context or {}), **context}
        return EvalWithCompoundTypes(names=names, functions=self.globals).eval(expression)

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        raise ScriptsNotAllowed("Script tasks are not allowed in planflow processes.")

    def call_service(self, context: dict, **kwargs: Any) -> Any:
        raise ScriptsNotAllowed("Service tasks are not allowed in planflow processes.")


def make_script_engine(functions: Mapping[str, Callable[..., Any]] | None = None,
                       clock: Clock | None = None) -> ClockedScriptEngine:
    """The sandbox, on `clock` (the system's when None) for the workflow's timers."""
    return ClockedScriptEngine(SandboxEnvironment(functions), clock)
