"""Fixtures for the workflow runtime tests: the shipped process, a weekday calendar, a clock."""
from __future__ import annotations

import pytest

from engine.clock import FixedClock
from engine.workflow import ProcessSpec, WorkflowRuntime, parse_process
from tests.support.workflow import BPMN_PATH, START, weekday_add_working_days


@pytest.fixture(scope="session")
def bpmn_text() -> str:
    return BPMN_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def spec(bpmn_text: str) -> ProcessSpec:
    return parse_process(bpmn_text)


@pytest.fixture
def clock() -> FixedClock:
    # Test dates are in 2024: on the system's clock every timer would be long past.
    return FixedClock(START)


@pytest.fixture
def runtime(clock: FixedClock) -> WorkflowRuntime:
    return WorkflowRuntime(weekday_add_working_days, clock)
