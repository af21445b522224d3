"""A start takes the human steps its workflow waits at from the engine's last pass,
which walks the task tree once: a walk of the tree costs about a twentieth of a start,
and a chunk of starts took three of them a task (two in the last pass, one more for
its ready steps)."""
from __future__ import annotations

import sys

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow

from tests.support.workflow import task_data


@pytest.fixture
def runtime_walks(monkeypatch) -> list[int]:
    """The walks of a workflow's task tree that the runtime itself asks for (SpiffWorkflow's
    own, inside its engine steps, are not counted)."""
    walks: list[int] = []
    get_tasks = BpmnWorkflow.get_tasks

    def counted(self, *args, **kwargs):
        if sys._getframe(1).f_globals.get("__name__") == "engine.workflow.runtime":
            walks.append(1)
        return get_tasks(self, *args, **kwargs)

    monkeypatch.setattr(BpmnWorkflow, "get_tasks", counted)
    return walks


def test_a_start_gives_the_steps_it_waits_at_from_one_walk_of_the_tree(runtime, spec, runtime_walks):
    wf, notices, steps = runtime.start_with_steps(spec, task_data())
    assert len(runtime_walks) == 1 and notices == []
    assert [s.step_id for s in steps] == ["assign"]
    assert steps == runtime.ready_steps(wf)  # what a walk of the tree finds


@pytest.mark.parametrize("overrides", [{}, {"coordinators": []}, {"due": None, "periods": [None]},
                                       {"due": "2023-12-01"}])  # started past its deadline: rungs fire
def test_a_starts_steps_and_notices_are_those_of_a_walk_after_it(runtime, spec, overrides):
    wf, notices, steps = runtime.start_with_steps(spec, task_data(**overrides))
    again, again_notices = runtime.start_with_notices(spec, task_data(**overrides))
    assert steps == runtime.ready_steps(wf) and steps
    assert [(s.step_id, s.actor, s.due) for s in steps] == [(s.step_id, s.actor, s.due)
                                                           for s in runtime.ready_steps(again)]
    assert [(n.step_id, n.rung, n.due) for n in notices] == [(n.step_id, n.rung, n.due) for n in again_notices]
    assert bool(notices) == (overrides.get("due") == "2023-12-01")
