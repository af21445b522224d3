"""A workflow loaded in a fresh process moves on: every load is wired as Spiff's own
deserializer wires it (multi-instance instance done → the loop merges it).

Each test parses the BPMN again before loading, as a new worker, a scheduler or a
server after a restart does: nothing this process did earlier may be relied on.
"""
from __future__ import annotations

from engine.workflow import parse_process
from tests.support.workflow import only_step, task_data


def reloaded(runtime, bpmn_text, wf):
    """The workflow as a fresh process sees it: saved, then loaded on a new parse."""
    return runtime.loads(parse_process(bpmn_text), runtime.dumps(wf))


def test_the_last_contribution_completed_after_a_restart_moves_on_to_the_report(runtime, spec, bpmn_text, clock):
    wf = runtime.start(spec, task_data(coordinators=[2, 3]))
    runtime.complete(wf, only_step(runtime, wf, "assign").task_id, {"assignee": 7})

    wf = reloaded(runtime, bpmn_text, wf)
    first, second = runtime.ready_steps(wf)
    runtime.complete(wf, first.task_id, {"contribution": "một"})
    wf = reloaded(runtime, bpmn_text, wf)
    runtime.complete(wf, second.task_id, {"contribution": "hai"})

    assert only_step(runtime, wf, "report").data["contributions"] == ["một", "hai"]


def test_each_report_completed_after_a_restart_moves_on_to_the_next_then_review(runtime, spec, bpmn_text, clock):
    wf = runtime.start(spec, task_data(coordinators=[], periods=["2024-03-31", "2024-06-30"]))
    runtime.complete(wf, only_step(runtime, wf, "assign").task_id, {"assignee": 7})

    wf = reloaded(runtime, bpmn_text, wf)
    runtime.complete(wf, only_step(runtime, wf, "report").task_id, {"result": "q1"})
    assert only_step(runtime, wf, "report").due == "2024-06-30"
    wf = reloaded(runtime, bpmn_text, wf)
    runtime.complete(wf, only_step(runtime, wf, "report").task_id, {"result": "q2"})

    assert only_step(runtime, wf, "review").data["period_results"] == ["q1", "q2"]
