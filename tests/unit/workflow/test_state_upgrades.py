"""Stored state survives upgrades: planflow's layout and SpiffWorkflow's format are versioned
apart, and a text in an older SpiffWorkflow format is migrated on load by SpiffWorkflow's
own migrations, then runs on."""
from __future__ import annotations

import json

import pytest
from SpiffWorkflow.util.task import TaskState

from engine.workflow import SERIALIZER_VERSION, STATE_VERSION, IncompatibleState, loads
from engine.workflow.serializer import versions
from tests.support.workflow import only_step, task_data


def at_coordinate(runtime, spec) -> dict:
    """A task waiting for two coordinating units' contributions (a multi-instance step), as a dict."""
    wf = runtime.start(spec, task_data())
    runtime.complete(wf, only_step(runtime, wf, "assign").task_id, {"assignee": 7})
    return json.loads(runtime.dumps(wf))


def coordinate_task(dct: dict) -> dict:
    return next(t for t in dct["tasks"].values() if t["task_spec"] == "coordinate")


def test_the_text_names_planflows_layout_and_spiffworkflows_format_apart(runtime, spec, clock):
    dct = at_coordinate(runtime, spec)
    assert versions(json.dumps(dct)) == (STATE_VERSION, SERIALIZER_VERSION) == ("planflow-1", "1.5")


def test_a_text_written_with_the_release_in_its_version_still_loads(runtime, spec, clock):
    # Before the two were apart: "planflow-1+spiff-3.2.0", and no planflow_state key.
    dct = at_coordinate(runtime, spec)
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
    assert versions(runtime.dumps(wf)) == ("planflow-1", "1.5")  # saved again in today's format


@pytest.mark.parametrize("state, spiff_format", [("planflow-9", "1.5"), ("planflow-1", "0.9")])
def test_a_layout_or_format_nobody_can_read_is_refused_not_half_read(runtime, spec, clock, state, spiff_format):
    dct = at_coordinate(runtime, spec)
    dct["planflow_state"], dct["serializer_version"] = state, spiff_format
    with pytest.raises(IncompatibleState):
        loads(spec, json.dumps(dct))
