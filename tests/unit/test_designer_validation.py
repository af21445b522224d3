"""Each kind of bad BPMN gives a problem on the element it concerns; nothing is saved or deployed."""
from __future__ import annotations

import re

import pytest

from engine.process import instances, versions
from engine.process.checks import (
    MSG_CONDITION,
    MSG_NO_ACTOR,
    MSG_NOT_BPMN,
    MSG_SCRIPT,
    MSG_TIMER_EMPTY,
    MSG_TIMER_EVAL,
    MSG_TIMER_RESULT,
    MSG_UNKNOWN_ACTOR,
    MSG_UNKNOWN_FORM,
)
from engine.text_limits import ELEMENT_ID, PROCESS_KEY, STEP_NAME
from engine.workflow import InvalidProcess
from tests.support.designer_bpmn import PROCESS, version
from tests.support.office import make_office

XXE = """<?xml version="1.0"?>
<!DOCTYPE bpmn:definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="plan_task" isExecutable="true"><bpmn:startEvent id="s" name="&xxe;"/></bpmn:process>
</bpmn:definitions>"""

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">""" + "".join(
    f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10)) + """]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="plan_task" isExecutable="true"><bpmn:startEvent id="s" name="&lol9;"/></bpmn:process>
</bpmn:definitions>"""

SCRIPT_TASK = """<bpmn:scriptTask id="danger" name="x"><bpmn:script>__import__('os').system('id')</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:startEvent id="start\""""


def problems(xml: str) -> list[tuple[str | None, str]]:
    return [(p.element_id, p.message) for p in versions.validate(xml)]


def test_the_test_process_is_valid():
    assert problems(PROCESS) == []


def test_the_shipped_process_is_valid():
    assert problems(instances.DEFAULT_BPMN.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("text", ["not xml at all", "<a><b></a>", PROCESS[: len(PROCESS) // 2]])
def test_malformed_xml_is_refused(text):
    assert problems(text) == [(None, "The file is not well-formed XML.")]


def test_xml_that_is_not_bpmn_is_refused():
    assert problems("<html><body>hello</body></html>") == [(None, MSG_NOT_BPMN)]


@pytest.mark.parametrize("payload", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_entities_are_refused_before_anything_expands_them(payload):
    found = problems(payload)
    assert found == [(None, "The BPMN file may not contain a DTD or entities.")]
    assert "root:" not in str(found)


def test_a_process_with_no_start_event_is_refused():
    text = re.sub(r'<bpmn:startEvent id="start".*?</bpmn:startEvent>', "", PROCESS, flags=re.S)
    assert ("plan_task", "The process has no start event.") in problems(text)


@pytest.mark.parametrize("length, refused", [(80, False), (81, True)])
def test_a_process_id_longer_than_its_column_is_refused_on_the_process(length, refused):
    # SpiffArena names a process after its title ("Process_" and the words); versions are kept
    # under that id, and past the column's length PostgreSQL refused the row: a 500 at save.
    key = "Process_" + "x" * (length - len("Process_"))
    found = problems(PROCESS.replace('"plan_task"', f'"{key}"'))
    assert found == ([(key, PROCESS_KEY.message)] if refused else [])


@pytest.mark.parametrize("length, refused", [(120, False), (121, True)])
def test_a_step_id_longer_than_its_column_is_refused_on_the_step(length, refused):
    # A step's element id is kept with its work item, audit lines and notices in a
    # VARCHAR(120): past it PostgreSQL refused the row when the step arrived, a 500.
    step = "review_" + "x" * (length - len("review_"))
    found = problems(re.sub(r'(?<!form)="review"', f'="{step}"', PROCESS))  # the form keeps its name
    assert found == ([(step, ELEMENT_ID.message)] if refused else [])


@pytest.mark.parametrize("length, refused", [(255, False), (256, True)])
def test_a_step_name_longer_than_its_column_is_refused_on_the_step(length, refused):
    # The step's name is what the inbox shows, kept in a VARCHAR(255) beside its id.
    name = "Xem xét " + "x" * (length - len("Xem xét "))
    found = problems(version(('name="Xem xét kết quả"', f'name="{name}"')))
    assert found == ([("review", STEP_NAME.message)] if refused else [])


@pytest.mark.parametrize("called", ["", ' calledElement=""'])
def test_a_call_activity_that_names_no_process_is_refused_as_such_on_it(called):
    # bpmn.io draws a call activity with no calledElement until the designer names one.
    text = version(('<bpmn:startEvent id="start"', f'<bpmn:callActivity id="goi"{called} />\n    <bpmn:startEvent id="start"'))
    assert problems(text) == [("goi", "The call activity names no process: choose the process it calls.")]


def test_a_user_task_with_no_actor_is_refused_on_that_task():
    assert problems(version(('planflow:actor="monitor" ', ""))) == [("review", MSG_NO_ACTOR)]


def test_a_user_task_with_an_unknown_actor_or_form_is_refused_on_that_task():
    text = version(('planflow:actor="monitor"', 'planflow:actor="boss"'), ('planflow:form="assign"', 'planflow:form="x"'))
    assert problems(text) == [("assign", MSG_UNKNOWN_FORM), ("review", MSG_UNKNOWN_ACTOR)]


def test_script_tasks_are_always_refused():
    assert ("danger", MSG_SCRIPT) in problems(version(('<bpmn:startEvent id="start"', SCRIPT_TASK)))


@pytest.mark.parametrize("expression, message", [
    ("working_days_befor(due, 3)", MSG_TIMER_EVAL),
    ("__import__('os').getcwd()", MSG_TIMER_EVAL),
    ("working_days_before(due,", MSG_TIMER_EVAL),
    ("3", MSG_TIMER_RESULT),
    ("'2024-05-01T08:00:00'", MSG_TIMER_RESULT),  # naive: read in the server's zone
])
def test_a_timer_expression_that_does_not_give_a_time_is_refused_on_the_timer(expression, message):
    assert problems(version(("working_days_before(due, 3)", expression))) == [("report_remind", message)]


def test_a_timer_with_no_expression_is_refused_on_the_timer_once_in_planflow_s_words():
    # bpmn.io draws a timer with no date, duration or cycle at all; SpiffWorkflow's own
    # "Time Specification Error" on it would say the same thing again, in English.
    timer = '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">working_days_before(due, 3)</bpmn:timeDate>'
    assert problems(version((timer, ""))) == [("report_remind", MSG_TIMER_EMPTY)]


def test_a_timer_on_a_literal_aware_time_is_accepted():
    assert problems(version(("working_days_before(due, 3)", "'2024-05-01T08:00:00+07:00'"))) == []


def test_a_condition_that_is_not_an_expression_is_refused_on_its_flow():
    assert problems(version(('decision == "accept"', "decision ==="))) == [("f_accept", MSG_CONDITION)]


def test_every_problem_is_reported_at_once():
    text = version(('planflow:actor="monitor"', 'planflow:actor="boss"'), ("(due, 3)", "(due"))
    assert {element for element, _ in problems(text)} == {"review", "report_remind"}


@pytest.mark.parametrize("bad", [XXE, LAUGHS, "<a>", version(('planflow:actor="monitor"', 'planflow:actor="x"'))])
def test_nothing_is_saved_and_the_live_version_is_unchanged(tmp_path, bad):
    office = make_office(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    live = versions.get_version(office.uow())
    with pytest.raises(InvalidProcess):
        versions.save_version(office.uow(), bad, office.users["thietke"], "x")
    listed = versions.list_versions(office.uow())
    assert [(v.id, v.is_live) for v in listed] == [(live.id, True)]
    office.storage.engine.dispose()
