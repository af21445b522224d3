"""A small plan-task process for the designer's tests, with its diagram (bpmn-js draws it).

The shipped `processes/plan_task.bpmn` changes as the process grows; these tests need a
process whose steps they know: assign → report (a reminder timer) → review → accept | return.
Tests make versions by editing this text (`version(...)`).
"""
from __future__ import annotations

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:planflow="http://planflow.vn/bpmn" id="defs" targetNamespace="http://planflow.vn/bpmn">
  <bpmn:process id="plan_task" name="Thực hiện nhiệm vụ" isExecutable="true">
    <bpmn:startEvent id="start" name="Nhận nhiệm vụ"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="assign" name="Phân công người thực hiện" planflow:actor="lead_head" planflow:form="assign">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="report" name="Báo cáo kết quả" planflow:actor="assignee" planflow:form="report">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f_return</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="review" name="Xem xét kết quả" planflow:actor="monitor" planflow:form="review">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="decision" name="Đạt?" default="f_return">
      <bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f_accept</bpmn:outgoing><bpmn:outgoing>f_return</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="end" name="Hoàn thành"><bpmn:incoming>f_accept</bpmn:incoming></bpmn:endEvent>
    <bpmn:boundaryEvent id="report_remind" name="Nhắc người thực hiện" attachedToRef="report" cancelActivity="false">
      <bpmn:outgoing>f_remind</bpmn:outgoing>
      <bpmn:timerEventDefinition id="report_remind_def">
        <bpmn:timeDate xsi:type="bpmn:tFormalExpression">working_days_before(due, 3)</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:intermediateThrowEvent id="report_remind_notice" name="Nhắc việc" planflow:notice="holder">
      <bpmn:incoming>f_remind</bpmn:incoming><bpmn:outgoing>f_remind_end</bpmn:outgoing></bpmn:intermediateThrowEvent>
    <bpmn:endEvent id="report_remind_end"><bpmn:incoming>f_remind_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="assign" />
    <bpmn:sequenceFlow id="f2" sourceRef="assign" targetRef="report" />
    <bpmn:sequenceFlow id="f3" sourceRef="report" targetRef="review" />
    <bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="decision" />
    <bpmn:sequenceFlow id="f_accept" name="Chấp nhận" sourceRef="decision" targetRef="end">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">decision == "accept"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_return" name="Trả lại" sourceRef="decision" targetRef="report" />
    <bpmn:sequenceFlow id="f_remind" sourceRef="report_remind" targetRef="report_remind_notice" />
    <bpmn:sequenceFlow id="f_remind_end" sourceRef="report_remind_notice" targetRef="report_remind_end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram">
    <bpmndi:BPMNPlane id="plane" bpmnElement="plan_task">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="100" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="assign_di" bpmnElement="assign"><dc:Bounds x="180" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="report_di" bpmnElement="report"><dc:Bounds x="330" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="review_di" bpmnElement="review"><dc:Bounds x="480" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="decision_di" bpmnElement="decision" isMarkerVisible="true"><dc:Bounds x="630" y="95" width="50" height="50" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="730" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="report_remind_di" bpmnElement="report_remind"><dc:Bounds x="362" y="142" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="report_remind_notice_di" bpmnElement="report_remind_notice"><dc:Bounds x="362" y="230" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="report_remind_end_di" bpmnElement="report_remind_end"><dc:Bounds x="362" y="310" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="136" y="120" /><di:waypoint x="180" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="280" y="120" /><di:waypoint x="330" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f3_di" bpmnElement="f3"><di:waypoint x="430" y="120" /><di:waypoint x="480" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f4_di" bpmnElement="f4"><di:waypoint x="580" y="120" /><di:waypoint x="630" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_accept_di" bpmnElement="f_accept"><di:waypoint x="680" y="120" /><di:waypoint x="730" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_return_di" bpmnElement="f_return"><di:waypoint x="655" y="95" /><di:waypoint x="655" y="40" /><di:waypoint x="380" y="40" /><di:waypoint x="380" y="80" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_remind_di" bpmnElement="f_remind"><di:waypoint x="380" y="178" /><di:waypoint x="380" y="230" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_remind_end_di" bpmnElement="f_remind_end"><di:waypoint x="380" y="266" /><di:waypoint x="380" y="310" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def version(*edits: tuple[str, str]) -> str:
    """The process with each (old, new) text replaced once; fails loudly if `old` is absent."""
    text = PROCESS
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text
