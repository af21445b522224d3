"""Stored state survives upgrades: planflow's layout and SpiffWorkflow's format are versioned
apart, and a text in an older SpiffWorkflow format is migrated on load by SpiffWorkflow's
own migrations, then runs on."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from SpiffWorkflow.util.task import TaskState

from engine.workflow import SERIALIZER_VERSION, STATE_VERSION, IncompatibleState, loads, parse_process
from engine.workflow.serializer import versions
from tests.support.workflow import only_step, task_data

# A text stored before planflow-2 (written by planflow's serializer of then: every task
# field), waiting for two coordinators' contributions, with the process version it ran on.
STATES = Path(__file__).resolve().parents[2] / "fixtures" / "states"


@pytest.fixture(scope="module")
def stored_planflow_1():
    spec = parse_process((STATES / "plan_task-planflow-1.bpmn").read_text(encoding="utf-8"))
    return spec, (STATES / "planflow-1-coordinate.json").read_text(encoding="utf-8")


def at_coordinate(runtime, spec) -> dict:
    """A task waiting for two coordinating units' contributions (a multi-instance step), as a dict."""
    wf = runtime.start(spec, task_data())
    runtime.complete(wf, only_step(runtime, wf, "assign").task_id, {"assignee": 7})
    return json.loads(runtime.dumps(wf))


def coordinate_task(dct: dict) -> dict:
    return next(t for t in dct["tasks"].values() if t["task_spec"] == "coordinate")


def test_the_text_names_planflows_layout_and_spiffworkflows_format_apart(runtime, spec, clock):
    dct = at_coordinate(runtime, spec)
    assert versions(json.dumps(dct)) == (STATE_VERSION, SERIALIZER_VERSION) == ("planflow-2", "1.5")


def test_a_planflow_1_text_loads_runs_on_and_is_saved_in_half_the_size(runtime, clock, stored_planflow_1):
    spec, text = stored_planflow_1
    assert versions(text) == ("planflow-1", "1.5")
    wf = runtime.loads(spec, text)
    saved = runtime.dumps(wf)
    assert versions(saved) == (STATE_VERSION, SERIALIZER_VERSION)
    assert json.loads(saved)["tasks"].keys() == json.loads(text)["tasks"].keys()
    assert len(saved) < 0.6 * len(text)  # the same workflow in half the room

    steps = runtime.ready_steps(wf)
    assert sorted(s.data["coordinator"] for s in steps) == [2, 3]
    for step in steps:
        runtime.complete(wf, step.task_id, {"contribution": step.data["coordinator"]})
    report = only_step(runtime, wf, "report")
    assert report.data["contributions"] == [2, 3] and report.data["assignee"] == 7

    assert only_step(runtime, runtime.loads(spec, runtime.dumps(wf)), "report").task_id == report.task_id


def test_the_smaller_layout_puts_back_what_spiffworkflow_wrote(runtime, spec, clock):
    # Every field left out comes back as it was: each task's parent, data, internal
    # data (its timers) and state.
    wf = runtime.start(spec, task_data())
    runtime.complete(wf, only_step(runtime, wf, "assign").task_id, {"assignee": 7})
    tasks = json.loads(runtime.dumps(wf))["tasks"]
    assert all("id" not in t and "typename" not in t for t in tasks.values())
    restored = runtime.loads(spec, runtime.dumps(wf))
    assert {str(t.id): (t.state, t.parent and str(t.parent.id), t.data, t.internal_data, t.triggered)
            for t in restored.get_tasks()} == \
        {str(t.id): (t.state, t.parent and str(t.parent.id), t.data, t.internal_data, t.triggered)
         for t in wf.get_tasks()}


def test_a_text_written_with_the_release_in_its_version_still_loads(runtime, clock, stored_planflow_1):
    # Before the two were apart: "planflow-1+spiff-3.2.0", and no planflow_state key.
    spec, text = stored_planflow_1
    dct = json.loads(text)
    del dct["planflow_state"]
    dct["serializer_version"] = "planflow-1+spiff-3.2.0"
    wf = runtime.loads(spec, json.dumps(dct))
    assert len(runtime.ready_steps(wf)) == 2


def test_state_saved_in_spiffworkflow_format_1_3_is_migrated_on_load_and_runs_to_the_next_step(
        runtime, spec, clock):
    # Format 1.3 kept a reached multi-instance WAITING; 1.4 made it STARTED, and an
    # instance finishing is merged by an event only a STARTED parent listens to.
    dct = at_coordinate(runtime, spec)
    assert coordinate_task(dct)["state"] == TaskState.STARTED
    coordinate_task(dct)["state"] = TaskState.WAITING
    dct["serializer_version"] = "1.3"

    wf = runtime.loads(spec, json.dumps(dct))

    assert next(t for t in wf.get_tasks() if t.task_spec.name == "coordinate").state == TaskState.STARTED
    for step in runtime.ready_steps(wf):
        runtime.complete(wf, step.task_id, {"contribution": step.data["coordinator"]})
    assert only_step(runtime, wf, "report").data["contributions"] == [2, 3]
    assert versions(runtime.dumps(wf)) == ("planflow-2", "1.5")  # saved again in today's format


@pytest.mark.parametrize("state, spiff_format", [("planflow-9", "1.5"), ("planflow-1", "0.9")])
def test_a_layout_or_format_nobody_can_read_is_refused_not_half_read(runtime, spec, clock, state, spiff_format):
    dct = at_coordinate(runtime, spec)
    dct["planflow_state"], dct["serializer_version"] = state, spiff_format
    with pytest.raises(IncompatibleState):
        loads(spec, json.dumps(dct))
