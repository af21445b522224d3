from __future__ import annotations

import json

import pytest

from engine.workflow import SERIALIZER_VERSION, IncompatibleState, dumps, loads, parse_process
from tests.support.workflow import only_step, task_data


def snapshot(runtime, wf):
    return [(s.task_id, s.step_id, s.data) for s in runtime.ready_steps(wf)], runtime.next_timer_at(wf)


def test_round_trip_mid_run_changes_nothing(runtime, spec, clock):
    wf = runtime.start(spec, task_data())
    runtime.complete(wf, only_step(runtime, wf, "assign").task_id, {"assignee": 7})
    first = runtime.ready_steps(wf)[0]
    runtime.complete(wf, first.task_id, {"contribution": "một"})  # one of two coordinators done

    text = runtime.dumps(wf)
    restored = runtime.loads(spec, text)

    assert snapshot(runtime, restored) == snapshot(runtime, wf)
    assert restored.task_tree.data == wf.task_tree.data
    assert {str(t.id): t.state for t in restored.get_tasks()} == {str(t.id): t.state for t in wf.get_tasks()}
    assert json.loads(runtime.dumps(restored)) == json.loads(text)  # same content (key order may differ)

    # and it runs on from where it was
    [second] = runtime.ready_steps(restored)
    runtime.complete(restored, second.task_id, {"contribution": "hai"})
    assert only_step(runtime, restored, "report").data["contributions"] == ["một", "hai"]


def test_round_trip_inside_the_periodic_subprocess(runtime, spec, clock):
    wf = runtime.start(spec, task_data(coordinators=[], periods=["2024-03-31", "2024-06-30"]))
    runtime.complete(wf, only_step(runtime, wf, "assign").task_id, {"assignee": 7})
    runtime.complete(wf, only_step(runtime, wf, "report").task_id, {"result": "q1"})
    restored = runtime.loads(spec, runtime.dumps(wf))
    assert snapshot(runtime, restored) == snapshot(runtime, wf)
    runtime.complete(restored, only_step(runtime, restored, "report").task_id, {"result": "q2"})
    assert only_step(runtime, restored, "review").data["period_results"] == ["q1", "q2"]


def test_the_text_holds_no_spec_and_names_its_version(runtime, spec, clock):
    wf = runtime.start(spec, task_data())
    dct = json.loads(dumps(wf))
    assert dct["serializer_version"] == SERIALIZER_VERSION
    assert "spec" not in dct and "subprocess_specs" not in dct
    assert dct["spec_name"] == "plan_task"
    assert "Phân công" not in dumps(wf)  # no task spec names or labels


def test_another_version_or_another_process_is_refused(runtime, spec, bpmn_text, clock):
    text = dumps(runtime.start(spec, task_data()))
    old = json.loads(text)
    old["serializer_version"] = "planflow-0"
    with pytest.raises(IncompatibleState):
        loads(spec, json.dumps(old))
    other = parse_process(bpmn_text.replace('id="plan_task"', 'id="other_task"')
                          .replace('processRef="plan_task"', 'processRef="other_task"'))
    with pytest.raises(IncompatibleState):
        loads(other, text)
