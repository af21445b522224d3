"""The start, a step and the sweep each release every workflow they run, once it is stored
(`WorkflowRuntime.release`; tests/unit/workflow/test_release.py says what that frees).
Its only effect is the collector's time, which no test asserts: these say that
the call is made, so dropping it fails a test."""
from __future__ import annotations

import weakref
from datetime import date

import pytest

from engine.tasks import steps
from engine.workflow import WorkflowRuntime
from tests.support.deadlines import DUE, ready, sweep_at
from tests.support.office import KSTTHC


def _spied(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[weakref.ref]]:
    """The workflows started or loaded, and those released, from now on (as weak
    references: the spy keeps none of them alive)."""
    seen: dict[str, list[weakref.ref]] = {"run": [], "released": []}
    start, loads, release = WorkflowRuntime.start_with_steps, WorkflowRuntime.loads, WorkflowRuntime.release

    def started(self, *args, **kwargs):
        wf, *rest = start(self, *args, **kwargs)
        seen["run"].append(weakref.ref(wf))
        return (wf, *rest)

    def loaded(self, *args, **kwargs):
        wf = loads(self, *args, **kwargs)
        seen["run"].append(weakref.ref(wf))
        return wf

    def released(self, wf):
        release(self, wf)
        seen["released"].append(weakref.ref(wf))

    monkeypatch.setattr(WorkflowRuntime, "start_with_steps", started)
    monkeypatch.setattr(WorkflowRuntime, "loads", loaded)
    monkeypatch.setattr(WorkflowRuntime, "release", released)
    return seen


def _each_released_once(seen: dict[str, list[weakref.ref]], count: int) -> None:
    assert len(seen["run"]) == count
    assert seen["released"] == seen["run"]  # the same workflows, in the same order, each once


def test_the_start_releases_each_task_s_workflow(office, clock, monkeypatch):
    seen = _spied(monkeypatch)
    office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE}, {"ref": "2", "lead": [KSTTHC], "due": DUE}])
    _each_released_once(seen, 2)


def test_the_sweep_releases_each_workflow_it_fired(office, clock, monkeypatch):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE}, {"ref": "2", "lead": [KSTTHC], "due": DUE}])
    for item in ready(office, plan_id, "assign"):
        steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"],
                            {"assignee": office.users["cv.kstthc"]}, clock=clock.on(date(2024, 1, 16)))
    seen = _spied(monkeypatch)
    assert sweep_at(office, clock, date(2024, 3, 26)).notices == 2  # the holder's rung of each task
    _each_released_once(seen, 2)


def test_a_step_releases_the_workflow_it_completed(office, clock, monkeypatch):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE}, {"ref": "2", "lead": [KSTTHC], "due": DUE}])
    seen = _spied(monkeypatch)
    for item in ready(office, plan_id, "assign"):
        steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"],
                            {"assignee": office.users["cv.kstthc"]}, clock=clock.on(date(2024, 1, 16)))
    _each_released_once(seen, 2)
