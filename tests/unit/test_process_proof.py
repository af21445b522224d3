"""Every runtime trap of a diagram is refused before deploy, on the element concerned.

The proof runs the diagram with SpiffWorkflow on a simulated plan task along every
path, with only the variables each path has set (engine.process.checks.prove).
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine.clock import FixedClock

from engine.process import versions
from engine.process.checks import (
    MSG_JUEL,
    MSG_MANUAL_NO_ACTOR,
    MSG_RUN_ENDLESS,
    MSG_RUN_NO_END,
    MSG_RUN_UNDEFINED,
    MSG_RUN_UNREACHED,
    MSG_RUN_UNTRIGGERED,
)
from engine.process.checks import proof_run
from engine.process.instances import DEFAULT_BPMN
from engine.workflow import parse_process
from engine.workflow.specs import MSG_SETTING
from tests.support.designer_bpmn import version

REVIEW_AFTER_REPORT = '<bpmn:sequenceFlow id="f3" sourceRef="report" targetRef="review" />'


def found(xml: str) -> list[tuple[str | None, str, str]]:
    return [(p.element_id, p.message, p.severity) for p in versions.validate(xml)]


def errors(xml: str) -> list[tuple[str | None, str]]:
    return [(p.element_id, p.message) for p in versions.validate(xml) if p.is_error]


def params(xml: str, element: str) -> dict[str, str]:
    return next(dict(p.params) for p in versions.validate(xml) if p.element_id == element)


def test_a_condition_on_a_decision_no_review_has_made_yet_is_refused_on_its_gateway():
    # A gateway between assign and report reads `decision`, which only review sets.
    xml = version(
        ('<bpmn:sequenceFlow id="f2" sourceRef="assign" targetRef="report" />',
         '<bpmn:sequenceFlow id="f2" sourceRef="assign" targetRef="early" />'
         '<bpmn:exclusiveGateway id="early" default="f2b"/>'
         '<bpmn:sequenceFlow id="f2a" sourceRef="early" targetRef="report">'
         '<bpmn:conditionExpression>decision == "return"</bpmn:conditionExpression></bpmn:sequenceFlow>'
         '<bpmn:sequenceFlow id="f2b" sourceRef="early" targetRef="report" />'))
    assert errors(xml) == [("early", MSG_RUN_UNDEFINED)]
    assert params(xml, "early")["name"] == "decision"
    assert "Phân công người thực hiện" in params(xml, "early")["path"]


def test_a_step_for_the_assignee_before_anyone_is_assigned_is_refused_on_that_step():
    xml = version(('planflow:actor="lead_head" planflow:form="assign"', 'planflow:actor="assignee" planflow:form="assign"'))
    assert errors(xml) == [("assign", MSG_RUN_UNDEFINED)]
    assert params(xml, "assign")["name"] == "assignee"


def test_a_multi_instance_over_a_list_that_does_not_exist_yet_is_refused_on_that_step():
    xml = version(('<bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>',
                   '<bpmn:outgoing>f4</bpmn:outgoing><bpmn:multiInstanceLoopCharacteristics>'
                   '<bpmn:loopDataInputRef>reviewers</bpmn:loopDataInputRef>'
                   '<bpmn:inputDataItem id="reviewer" name="reviewer"/></bpmn:multiInstanceLoopCharacteristics>'
                   '</bpmn:userTask>'))
    assert errors(xml) == [("review", MSG_RUN_UNDEFINED)]
    assert params(xml, "review")["name"] == "reviewers"


@pytest.mark.parametrize("juel, python", [
    ('${decision == "accept"}', 'decision == "accept"'),
    ("#{decision eq 'accept' &amp;&amp; !empty comment}", "decision == 'accept' and not not comment"),
])
def test_juel_is_refused_with_the_python_form_proposed(juel, python):
    xml = version(('decision == "accept"', juel))
    assert errors(xml) == [("f_accept", MSG_JUEL)]
    assert params(xml, "f_accept")["python"] == python


def test_a_loop_with_no_person_or_timer_in_it_is_refused():
    # After review, a gateway that always leads back to itself through a plain task.
    xml = version(('<bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="decision" />',
                   '<bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="spin" />'
                   '<bpmn:task id="spin"/><bpmn:sequenceFlow id="f_spin" sourceRef="spin" targetRef="spin_gw" />'
                   '<bpmn:exclusiveGateway id="spin_gw"/>'
                   '<bpmn:sequenceFlow id="f_back" sourceRef="spin_gw" targetRef="spin">'
                   '<bpmn:conditionExpression>True</bpmn:conditionExpression></bpmn:sequenceFlow>'
                   '<bpmn:sequenceFlow id="f_on" sourceRef="spin_gw" targetRef="decision">'
                   '<bpmn:conditionExpression>False</bpmn:conditionExpression></bpmn:sequenceFlow>'))
    assert errors(xml) == [("spin", MSG_RUN_ENDLESS)]


def test_a_path_that_stops_before_an_end_event_is_refused_where_it_stops():
    xml = version(('<bpmn:endEvent id="end" name="Hoàn thành"><bpmn:incoming>f_accept</bpmn:incoming></bpmn:endEvent>',
                   '<bpmn:task id="end" name="Lưu hồ sơ"><bpmn:incoming>f_accept</bpmn:incoming></bpmn:task>'))
    assert errors(xml) == [("end", MSG_RUN_NO_END)]


@pytest.mark.parametrize("definition", [
    '<bpmn:messageEventDefinition messageRef="m"/>',
    '<bpmn:signalEventDefinition signalRef="s"/>',
    '<bpmn:conditionalEventDefinition><bpmn:condition>result == "x"</bpmn:condition></bpmn:conditionalEventDefinition>',
], ids=["message", "signal", "conditional"])
def test_an_event_nothing_can_trigger_is_refused(definition):
    xml = version((REVIEW_AFTER_REPORT,
                   '<bpmn:sequenceFlow id="f3" sourceRef="report" targetRef="wait" />'
                   f'<bpmn:intermediateCatchEvent id="wait">{definition}</bpmn:intermediateCatchEvent>'
                   '<bpmn:sequenceFlow id="f3b" sourceRef="wait" targetRef="review" />'),
                  ('<bpmn:process id="plan_task"', '<bpmn:message id="m" name="m"/><bpmn:signal id="s" name="s"/>'
                   '<bpmn:process id="plan_task"'))
    assert ("wait", MSG_RUN_UNTRIGGERED) in errors(xml)


def test_a_plain_task_passes_through_and_a_manual_task_with_an_actor_is_accepted():
    xml = version((REVIEW_AFTER_REPORT,
                   '<bpmn:sequenceFlow id="f3" sourceRef="report" targetRef="file_it" />'
                   '<bpmn:task id="file_it" name="Lưu hồ sơ"/>'
                   '<bpmn:sequenceFlow id="f3b" sourceRef="file_it" targetRef="sign" />'
                   '<bpmn:manualTask id="sign" name="Ký văn bản" planflow:actor="director"/>'
                   '<bpmn:sequenceFlow id="f3c" sourceRef="sign" targetRef="review" />'))
    assert found(xml) == []


def test_a_manual_task_without_an_actor_is_refused_on_it():
    xml = version((REVIEW_AFTER_REPORT,
                   '<bpmn:sequenceFlow id="f3" sourceRef="report" targetRef="sign" />'
                   '<bpmn:manualTask id="sign" name="Ký văn bản"/>'
                   '<bpmn:sequenceFlow id="f3c" sourceRef="sign" targetRef="review" />'))
    assert errors(xml) == [("sign", MSG_MANUAL_NO_ACTOR)]


def test_an_element_no_path_reaches_is_a_warning_the_designer_may_accept():
    # A second way out of the decision whose condition never holds.
    xml = version(('<bpmn:endEvent id="end"', '<bpmn:sequenceFlow id="f_never" sourceRef="decision" targetRef="archive">'
                   '<bpmn:conditionExpression>decision == "later"</bpmn:conditionExpression></bpmn:sequenceFlow>'
                   '<bpmn:userTask id="archive" planflow:actor="monitor" planflow:form="review"/>'
                   '<bpmn:sequenceFlow id="f_archived" sourceRef="archive" targetRef="end" />'
                   '<bpmn:endEvent id="end"'))
    assert found(xml) == [("archive", MSG_RUN_UNREACHED, "warning")]


@pytest.mark.parametrize("moment", [datetime(2019, 12, 30, 9, tzinfo=timezone.utc), datetime(2031, 6, 2, 9, tzinfo=timezone.utc)])
def test_the_proof_judges_timers_on_its_own_clock_not_the_machines(moment):
    # The simulated tasks start on the clock's day; if their timers ran on the machine's
    # clock instead, a proof dated in the past would find every timer due at once and
    # explore a few states instead of every branch.
    spec = parse_process(DEFAULT_BPMN.read_text(encoding="utf-8"))
    dated, now = proof_run(spec, FixedClock(moment)), proof_run(spec)
    assert dated.states == now.states
    assert [(f.kind, f.element_id) for f in dated.findings] == [(f.kind, f.element_id) for f in now.findings]


# A setting (a data object with planflow:value) that sends the report to the unit head first.
SETTING = '<bpmn:dataObject id="unit_approval" name="unit_approval" planflow:value="false" />'
APPROVAL = (REVIEW_AFTER_REPORT,
            '<bpmn:sequenceFlow id="f3" sourceRef="report" targetRef="ask" />'
            '<bpmn:exclusiveGateway id="ask" default="f_direct"/>'
            '<bpmn:sequenceFlow id="f_direct" sourceRef="ask" targetRef="review" />'
            '<bpmn:sequenceFlow id="f_approve" sourceRef="ask" targetRef="approve">'
            '<bpmn:conditionExpression>unit_approval</bpmn:conditionExpression></bpmn:sequenceFlow>'
            '<bpmn:userTask id="approve" planflow:actor="lead_head" planflow:form="review"/>'
            '<bpmn:sequenceFlow id="f_approved" sourceRef="approve" targetRef="review" />' + SETTING)


def test_the_steps_a_setting_switches_off_are_proved_too():
    assert found(version(APPROVAL)) == []
    # Behind the setting, a step for a person nobody has named yet.
    broken = version(APPROVAL, ('planflow:actor="lead_head" planflow:form="review"/>',
                                'planflow:actor="coordinator_head" planflow:form="review"/>'))
    assert errors(broken) == [("approve", MSG_RUN_UNDEFINED)]


def test_a_setting_whose_value_is_not_json_is_refused_on_it():
    xml = version(APPROVAL, ('planflow:value="false"', 'planflow:value="maybe"'))
    assert ("unit_approval", MSG_SETTING) in errors(xml)


def reassign_on_report(message: str) -> str:
    """The test process with a message boundary event on the report that starts it again
    (through a gateway, as the shipped process does)."""
    return version(
        ('<bpmn:process id="plan_task"', f'<bpmn:message id="m" name="{message}" /><bpmn:process id="plan_task"'),
        ('<bpmn:sequenceFlow id="f2" sourceRef="assign" targetRef="report" />',
         '<bpmn:sequenceFlow id="f2" sourceRef="assign" targetRef="again" />'
         '<bpmn:exclusiveGateway id="again"/><bpmn:sequenceFlow id="f_again" sourceRef="again" targetRef="report" />'
         '<bpmn:boundaryEvent id="given" attachedToRef="report"><bpmn:messageEventDefinition messageRef="m"/>'
         '</bpmn:boundaryEvent><bpmn:sequenceFlow id="f_given" sourceRef="given" targetRef="again" />'))


def test_a_message_planflow_sends_is_proved_and_one_it_never_sends_is_refused():
    assert found(reassign_on_report("reassign")) == []
    assert errors(reassign_on_report("someone_else")) == [("given", MSG_RUN_UNTRIGGERED)]


# A multi-instance sub-process with an interrupting timer on it: when the timer fires,
# SpiffWorkflow 3.2 raises TaskNotFoundException, a uuid on no element.
INTERRUPTED_ROUNDS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:planflow="http://planflow.vn/bpmn"
                  id="d" targetNamespace="http://planflow.vn/bpmn">
  <bpmn:process id="hai_vong_gop_y" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="gop_y" />
    <bpmn:subProcess id="gop_y">
      <bpmn:multiInstanceLoopCharacteristics isSequential="true">
        <bpmn:loopCardinality>2</bpmn:loopCardinality>
      </bpmn:multiInstanceLoopCharacteristics>
      <bpmn:startEvent id="vao" />
      <bpmn:sequenceFlow id="g1" sourceRef="vao" targetRef="y_kien" />
      <bpmn:userTask id="y_kien" name="Góp ý" planflow:actor="lead_head" planflow:form="done" />
      <bpmn:sequenceFlow id="g2" sourceRef="y_kien" targetRef="ra" />
      <bpmn:endEvent id="ra" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="gop_y" targetRef="e" />
    <bpmn:endEvent id="e" />
    <bpmn:boundaryEvent id="het_han" attachedToRef="gop_y">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P5D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="het_han" targetRef="e2" />
    <bpmn:endEvent id="e2" />
  </bpmn:process>
</bpmn:definitions>"""


def test_an_interrupting_timer_on_a_multi_instance_sub_process_is_refused_on_the_timer():
    assert errors(INTERRUPTED_ROUNDS) == [("het_han", (
        "This event cannot interrupt a multi-instance on the path %(path)s: planflow loses the instances it stops. "
        "Make the event non-interrupting, or attach it to the steps inside."))]
