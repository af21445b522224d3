from __future__ import annotations

import pytest

from engine.workflow import InvalidProcess, SpecCache, parse_process

MINIMAL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:planflow="http://planflow.vn/bpmn" id="d" targetNamespace="http://planflow.vn/bpmn">
  <bpmn:process id="p" isExecutable="true">
    {body}
  </bpmn:process>
</bpmn:definitions>"""

ONE_STEP = """<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="t" name="Bước" {attrs}><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t" />
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e" />"""


def problems(xml) -> list[tuple[str | None, str]]:
    with pytest.raises(InvalidProcess) as caught:
        parse_process(xml)
    assert caught.value.problems
    return [(p.element_id, p.message) for p in caught.value.problems]


def test_the_shipped_process_carries_planflow_attributes(spec):
    tasks, periodic = spec.top.task_specs, spec.subprocesses["periodic"].task_specs
    assert tasks["assign"].extensions == {"actor": "lead_head", "form": "assign", "due": "first_due"}
    assert tasks["coordinate [child]"].extensions == {"actor": "coordinator_head", "form": "contribute",
                                                      "due": "first_due"}
    assert periodic["report"].extensions == {"actor": "assignee", "form": "report", "due": "period_due"}
    assert tasks["review"].extensions == {"actor": "monitor", "form": "review"}
    assert tasks["revise"].extensions == {"actor": "assignee", "form": "report"}
    for step, specs in (("report", periodic), ("revise", tasks)):
        assert [specs[f"{step}_{r}_notice"].extensions["notice"] for r in ("remind", "late", "escalate")] == [
            "holder", "unit_head", "director"]
        assert specs[f"{step}_remind"].cancel_activity is False


def test_a_minimal_valid_process_parses_from_bytes_and_str():
    xml = MINIMAL.format(body=ONE_STEP.format(attrs='planflow:actor="monitor" planflow:form="review"'))
    assert parse_process(xml).process_id == "p"
    assert parse_process(xml.encode()).top.task_specs["t"].extensions["actor"] == "monitor"


@pytest.mark.parametrize("text", ["", "not xml at all", "<bpmn:definitions", b"\xff\xfe\x00"])
def test_not_xml(text):
    assert problems(text) == [(None, "The file is not well-formed XML.")]


def test_no_start_event():
    body = ONE_STEP.format(attrs='planflow:actor="monitor" planflow:form="review"')
    body = body.replace('<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>', "")
    body = body.replace('<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t" />', "")
    body = body.replace("<bpmn:incoming>f1</bpmn:incoming>", "")
    assert ("p", "The process has no start event.") in problems(MINIMAL.format(body=body))


# Flowable and Camunda 7 files name an event's error by its code, or its message with a
# namespace prefix: the ref then names nothing the file defines.
def event_ending(kind: str, ref: str) -> str:
    """A process that ends on a `kind` event referring to `ref`; the file defines `<kind>_1`."""
    body = f"""<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:endEvent id="e"><bpmn:incoming>f1</bpmn:incoming><bpmn:{kind}EventDefinition {kind}Ref="{ref}" /></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="e" />"""
    return MINIMAL.format(body=body).replace('id="d"', 'xmlns:tns="http://planflow.vn/bpmn" id="d"').replace(
        '<bpmn:process id="p"', f'<bpmn:{kind} id="{kind}_1" name="Đã định nghĩa" />\n  <bpmn:process id="p"')


@pytest.mark.parametrize("kind", ["message", "signal", "error", "escalation"])
@pytest.mark.parametrize("ref", ["ma_loi_1", "tns:{kind}_1"])
def test_an_event_whose_ref_names_nothing_the_file_defines_is_refused_with_the_ref(kind, ref):
    ref = ref.format(kind=kind)
    with pytest.raises(InvalidProcess) as caught:
        parse_process(event_ending(kind, ref))
    assert [(p.element_id, p.message, p.params) for p in caught.value.problems] == [
        ("e", "This event refers to %(ref)s, which the file does not define: choose one the file defines.",
         (("ref", ref),))]


@pytest.mark.parametrize("kind", ["message", "signal", "error", "escalation"])
def test_an_event_whose_ref_names_what_the_file_defines_parses(kind):
    assert "e" in parse_process(event_ending(kind, f"{kind}_1")).top.task_specs


def test_a_boundary_event_with_no_trigger_is_refused_on_it():
    # bpmn.io attaches a plain boundary event to a task until the designer chooses its kind.
    body = ONE_STEP.format(attrs='planflow:actor="monitor" planflow:form="review"') + """
    <bpmn:boundaryEvent id="b" attachedToRef="t"><bpmn:outgoing>f3</bpmn:outgoing></bpmn:boundaryEvent>
    <bpmn:endEvent id="e2"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="e2" />"""
    assert problems(MINIMAL.format(body=body)) == [
        ("b", "This boundary event has no trigger: make it a timer, message, signal, error or escalation event.")]


def test_a_compensation_boundary_event_is_refused_on_it_in_planflow_s_words():
    # SpiffWorkflow's words were a NotImplementedError holding the element's raw bytes.
    body = ONE_STEP.format(attrs='planflow:actor="monitor" planflow:form="review"') + """
    <bpmn:boundaryEvent id="bu_tru" attachedToRef="t"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>"""
    assert problems(MINIMAL.format(body=body)) == [
        ("bu_tru", "This compensation event cannot run in planflow: "
                   "draw the steps that undo the work on the process's path instead.")]


@pytest.mark.parametrize("association, ref", [
    ("<bpmn:dataInputAssociation><bpmn:sourceRef>bienSoLieu</bpmn:sourceRef><bpmn:targetRef>t</bpmn:targetRef>"
     "</bpmn:dataInputAssociation>", "bienSoLieu"),
    ("<bpmn:dataOutputAssociation><bpmn:targetRef>kho</bpmn:targetRef></bpmn:dataOutputAssociation>", "kho"),
])
def test_a_data_association_to_nothing_the_file_defines_is_refused_on_its_step_with_the_ref(association, ref):
    # Flowable names a process variable there; bpmn.io a data store reference to no data store.
    # SpiffWorkflow's words held the Python repr of the XML element.
    body = ONE_STEP.format(attrs='planflow:actor="monitor" planflow:form="review"').replace(
        "<bpmn:outgoing>f2</bpmn:outgoing>", "<bpmn:outgoing>f2</bpmn:outgoing>" + association) + """
    <bpmn:dataStoreReference id="kho" />"""
    with pytest.raises(InvalidProcess) as caught:
        parse_process(MINIMAL.format(body=body))
    assert [(p.element_id, p.message, p.params) for p in caught.value.problems] == [
        ("t", "This reads or writes %(ref)s, which the file does not define as a data object or data store.",
         (("ref", ref),))]


def test_a_data_association_on_an_element_no_path_reaches_is_left_to_the_unreached_warning():
    # SpiffWorkflow parses only what a path reaches, and bpmn.io's test diagrams leave a task
    # writing to a store reference aside: refusing it here would refuse what runs.
    body = ONE_STEP.format(attrs='planflow:actor="monitor" planflow:form="review"') + """
    <bpmn:task id="ben_le"><bpmn:dataOutputAssociation><bpmn:targetRef>kho</bpmn:targetRef></bpmn:dataOutputAssociation>
    </bpmn:task>
    <bpmn:dataStoreReference id="kho" />"""
    assert "t" in parse_process(MINIMAL.format(body=body)).top.task_specs


def test_a_data_association_to_a_defined_data_object_parses():
    body = ONE_STEP.format(attrs='planflow:actor="monitor" planflow:form="review"').replace(
        "<bpmn:outgoing>f2</bpmn:outgoing>", "<bpmn:outgoing>f2</bpmn:outgoing><bpmn:dataOutputAssociation>"
        "<bpmn:targetRef>so_lieu_ref</bpmn:targetRef></bpmn:dataOutputAssociation>") + """
    <bpmn:dataObject id="so_lieu" /><bpmn:dataObjectReference id="so_lieu_ref" dataObjectRef="so_lieu" />"""
    assert "t" in parse_process(MINIMAL.format(body=body)).top.task_specs


def test_a_user_task_without_actor_or_form():
    found = problems(MINIMAL.format(body=ONE_STEP.format(attrs="")))
    assert found == [("t", "The user task has no planflow:actor."), ("t", "The user task has no planflow:form.")]


def test_not_bpmn_fails_schema_validation():
    found = problems('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:nonsense/></bpmn:definitions>')
    assert len(found) == 1


def test_no_executable_process():
    xml = MINIMAL.format(body="").replace('isExecutable="true"', 'isExecutable="false"')
    assert problems(xml) == [(None, "The file has no executable process.")]


def test_xxe_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xml = (f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
           + MINIMAL.split("\n", 1)[1].replace('name="Bước"', 'name="&xxe;"'))
    xml = xml.format(body=ONE_STEP.format(attrs='planflow:actor="monitor" planflow:form="review"'))
    assert problems(xml) == [(None, "The BPMN file may not contain a DTD or entities.")]


def test_billion_laughs_is_refused():
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    xml = f'<?xml version="1.0"?>\n<!DOCTYPE d [{entities}]>\n<d>&lol9;</d>'
    assert problems(xml) == [(None, "The BPMN file may not contain a DTD or entities.")]


def test_a_huge_file_is_refused():
    assert problems(b" " * (3 * 1024 * 1024)) == [(None, "The BPMN file is too large.")]


def test_spec_cache_parses_once_per_version(bpmn_text):
    cache, calls = SpecCache(), []

    def load():
        calls.append(1)
        return bpmn_text

    first = cache.get(1, load)
    assert cache.get(1, load) is first
    assert cache.get(2, bpmn_text) is not first
    assert len(calls) == 1
