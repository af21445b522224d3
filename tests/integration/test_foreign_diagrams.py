"""Diagrams in the shapes other tools write (Camunda Modeler 7, bpmn.io, SpiffArena, and a
process calling another): each opens with planflow's attributes kept and what it says of who
acts mapped, is proved and deployed, and a plan task runs through it to the end."""
from __future__ import annotations

from datetime import date, timedelta, timezone
from pathlib import Path

from engine import model
from engine.process import instances, versions
from engine.process.checks import MSG_NO_ACTOR
from engine.process.step_forms import Upload
from engine.workflow.specs import MSG_UNDEFINED_REF
from engine.tasks import intake, steps
from tests.support.office import KSTTHC, MONITOR_UNIT, clock_on

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "diagrams"
DAY = date(2024, 3, 4)
PLANFLOW = "{http://planflow.vn/bpmn}"


def opened(office, name: str):
    return versions.open_diagram((FIXTURES / name).read_bytes(), office.uow())


def deploy(office, text: str) -> int:
    version_id = versions.save_version(office.uow(), text, office.users["thietke"], clock=clock_on(DAY))
    versions.deploy(office.uow(), version_id, office.users["thietke"], clock=clock_on(DAY))
    return version_id


def start(office, process_key: str) -> int:
    task = model.PlanTask.with_units(ref="1", title="Nhiệm vụ", lead=[office.units[KSTTHC]],
                                     schedule={"kind": "once", "due": ["2030-03-29"], "every": None, "until": None})
    plan = model.Plan(title="Kế hoạch", year=2024, monitor_unit_id=office.units[MONITOR_UNIT], process_key=process_key)
    return intake.create_plan(office.uow(), plan, [task], clock=clock_on(DAY))


def run_to_the_end(office, plan_id: int, answers: dict[str, tuple[str, dict]]) -> list[str]:
    """Complete each ready step as the person `answers` names for it; the steps, in order."""
    done = []
    while office.ready(plan_id):
        item = office.ready(plan_id)[0]
        username, fields = answers[item.step_id]
        upload = Upload("bao-cao.txt", "text/plain", b"x") if item.form == "report" else None
        steps.complete_step(office.uow(), item.id, office.users[username], fields, upload, clock=clock_on(DAY))
        done.append(item.step_id)
    with office.uow() as uow:
        [task] = uow.tasks.for_plan(plan_id)
        assert (task.status, uow.instances.for_task(task.id).status) == ("closed", "completed")
    return done


def attributes(text: str, element_id: str) -> dict[str, str]:
    from lxml import etree
    node = etree.fromstring(text.encode()).xpath("//*[@id=$id]", id=element_id)[0]
    return {key[len(PLANFLOW):]: value for key, value in node.attrib.items() if key.startswith(PLANFLOW)}


def test_a_camunda_7_diagram_with_candidate_groups_and_a_duration_timer_runs_to_the_end(office):
    text, problems = opened(office, "camunda7_review.bpmn")
    assert problems == []
    assert attributes(text, "Activity_phe_duyet") == {"actor": "lead_head", "form": "done"}  # candidateGroups unit_head
    assert attributes(text, "Activity_xac_nhan") == {"actor": "monitor", "form": "done"}  # "sales,monitor"
    assert '"PT48H"' in text and 'camunda:candidateGroups="unit_head"' in text  # its own attributes stay
    deploy(office, text)
    plan_id = start(office, "Process_duyet_bao_cao")
    with office.uow() as uow:
        [task] = uow.tasks.for_plan(plan_id)
        armed = uow.instances.for_task(task.id).next_timer_at.replace(tzinfo=timezone.utc)
    assert armed == clock_on(DAY).now().astimezone(timezone.utc) + timedelta(hours=48)  # on the caller's clock
    assert run_to_the_end(office, plan_id, {"Activity_phe_duyet": ("truong.kstthc", {}),
                                            "Activity_xac_nhan": ("theodoi", {})}) == [
        "Activity_phe_duyet", "Activity_xac_nhan"]


def test_a_bpmn_io_default_diagram_with_a_plain_task_asks_who_acts_then_runs(office):
    text, problems = opened(office, "bpmnio_default.bpmn")
    # Its only process is made executable; nothing names who handles the document: the panel asks.
    assert [(p.element_id, p.message) for p in problems] == [("Activity_xu_ly", MSG_NO_ACTOR)]
    chosen = text.replace('id="Activity_xu_ly"', 'id="Activity_xu_ly" planflow:actor="lead_head"')
    assert versions.validate(chosen, office.uow()) == []
    deploy(office, chosen)
    plan_id = start(office, "Process_1")
    assert run_to_the_end(office, plan_id, {"Activity_xu_ly": ("truong.kstthc", {})}) == ["Activity_xu_ly"]


def test_a_spiffarena_diagram_takes_who_acts_from_its_lanes(office):
    text, problems = opened(office, "spiffarena_lanes.bpmn")
    assert problems == []
    assert attributes(text, "Activity_phan_loai") == {"actor": "lead_head", "form": "done"}
    assert attributes(text, "Activity_ghi_nhan") == {"actor": "monitor"}  # a manual task: "done" is its form
    deploy(office, text)
    plan_id = start(office, "Process_tiep_nhan_kien_nghi")
    assert run_to_the_end(office, plan_id, {"Activity_phan_loai": ("truong.kstthc", {}),
                                            "Activity_ghi_nhan": ("theodoi", {})}) == [
        "Activity_phan_loai", "Activity_ghi_nhan"]


def test_a_call_activity_calls_another_deployed_process(office):
    caller = (FIXTURES / "call_caller.bpmn").read_text(encoding="utf-8")
    before, problems = versions.open_diagram(caller, office.uow())
    assert [p.element_id for p in problems if p.is_error] == ["call_review"]  # nothing deployed to call yet
    deploy(office, (FIXTURES / "call_review.bpmn").read_text(encoding="utf-8"))
    assert versions.validate(caller, office.uow()) == []
    deploy(office, caller)
    plan_id = start(office, "nhiem_vu_co_tham_dinh")
    assert run_to_the_end(office, plan_id, {
        "assign": ("truong.kstthc", {"assignee": office.users["cv.kstthc"]}),
        "report": ("cv.kstthc", {"result": "Xong"}),
        "td_review": ("theodoi", {"decision": "accept"}),
    }) == ["assign", "report", "td_review"]
    # A new process loaded after a restart finds the called process again.
    office.storage.specs.clear()
    with office.uow() as uow:
        assert instances.called_diagrams(uow, caller)


# Flowable writes a message's ref as a QName (`tns:` bound to the file's targetNamespace) and
# an error's ref as the error's code; both name what the file defines.
FLOWABLE_REFS = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:tns="http://vi.du/bao-cao"
             xmlns:flowable="http://flowable.org/bpmn" targetNamespace="http://vi.du/bao-cao">
  <message id="baoCaoDen" name="Báo cáo đến" />
  <error id="loiSoLieu" errorCode="SAI_SO_LIEU" />
  <process id="tiep_nhan_bao_cao" isExecutable="true">
    <startEvent id="s"><messageEventDefinition messageRef="tns:baoCaoDen" /></startEvent>
    <sequenceFlow id="f1" sourceRef="s" targetRef="xu_ly" />
    <userTask id="xu_ly" name="Xử lý" flowable:candidateGroups="unit_head" />
    <boundaryEvent id="sai" attachedToRef="xu_ly"><errorEventDefinition errorRef="SAI_SO_LIEU" /></boundaryEvent>
    <sequenceFlow id="f2" sourceRef="xu_ly" targetRef="e" />
    <endEvent id="e" />
    <sequenceFlow id="f3" sourceRef="sai" targetRef="e2" />
    <endEvent id="e2" />
  </process>
</definitions>"""


def test_a_flowable_diagram_naming_its_message_by_qname_and_its_error_by_code_opens_with_the_ids(office):
    text, problems = versions.open_diagram(FLOWABLE_REFS, office.uow())
    assert 'messageRef="baoCaoDen"' in text and 'errorRef="loiSoLieu"' in text
    assert not [p for p in problems if p.message == MSG_UNDEFINED_REF]
