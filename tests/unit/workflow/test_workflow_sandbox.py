from __future__ import annotations

import pytest
from simpleeval import InvalidExpression
from SpiffWorkflow.exceptions import WorkflowException

from engine.workflow import SandboxEnvironment, ScriptsNotAllowed, parse_process
from tests.support.workflow import only_step, walk_to_report


def test_import_in_a_gateway_condition_cannot_run(runtime, bpmn_text, tmp_path, clock):
    marker = tmp_path / "pwned"
    payload = f"__import__('os').system('touch {marker}') == 0"
    spec = parse_process(bpmn_text.replace('decision == "accept"', payload))
    wf, report = walk_to_report(runtime, spec)
    runtime.complete(wf, report.task_id, {"result": "r", "product": 1})
    review = only_step(runtime, wf, "review")
    with pytest.raises(WorkflowException):
        runtime.complete(wf, review.task_id, {"decision": "accept"})
    assert not marker.exists()


@pytest.mark.parametrize("expression", [
    "__import__('os')",
    "open('/etc/passwd').read()",
    "().__class__.__bases__[0].__subclasses__()",
    "eval('1')",
    "exec('x = 1')",
    "decision.__class__",
])
def test_the_environment_refuses_escapes(expression):
    with pytest.raises(InvalidExpression):
        SandboxEnvironment().evaluate(expression, {"decision": "accept"})


def test_names_come_from_task_data_and_functions_from_the_whitelist():
    env = SandboxEnvironment({"twice": lambda n: 2 * n})
    assert env.evaluate('decision == "accept"', {"decision": "accept"}) is True
    assert env.evaluate("twice(len(coordinators))", {"coordinators": [1, 2, 3]}) == 6
    assert env.evaluate("due if due else 'none'", {"due": None}) == "none"


def test_script_tasks_are_refused():
    with pytest.raises(ScriptsNotAllowed):
        SandboxEnvironment().execute("x = 1", {})
