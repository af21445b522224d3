"""Fixtures for the workflow runtime tests: the shipped process, a weekday calendar, a clock."""
from __future__ import annotations

from typing import Iterator

import pytest

from engine.workflow import FrozenClock, ProcessSpec, WorkflowRuntime, frozen_now, parse_process
from tests.support.workflow import BPMN_PATH, START, weekday_add_working_days


@pytest.fixture(scope="session")
def bpmn_text() -> str:
    return BPMN_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def spec(bpmn_text: str) -> ProcessSpec:
    return parse_process(bpmn_text)


@pytest.fixture
def runtime() -> WorkflowRuntime:
    return WorkflowRuntime(weekday_add_working_days)


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    # Test dates are in 2024: without a frozen clock every timer would be long past.
    with frozen_now(START) as frozen:
        yield frozen
