"""Diagrams drawn in other modelers (Camunda Modeler, bpmn.io, SpiffArena), made planflow's on open.

What is done, and only where the diagram says nothing of its own:
- the planflow namespace is declared, so the modeler's panel keeps `planflow:*` attributes
  (bpmn-js drops attributes of an undeclared prefix);
- who acts on a user task comes from Camunda's `assignee` / `candidateGroups` /
  `candidateUsers`, or from the SpiffArena lane the task sits in, when it names one of
  planflow's actors or an office role (`unit_head`, `leader`, `monitor`, or their
  Vietnamese names); otherwise it stays unset and the checks mark the task, so the
  designer chooses in the panel;
- a user task with no planflow form asks only "done" (planflow cannot show a Camunda form);
- a diagram's only process is made executable (bpmn.io marks every new one "false");
- a timer holding a bare ISO 8601 value (`P3D`, `R3/PT1H`, `2030-01-01T08:00:00Z`) gets the
  quotes SpiffWorkflow's Python expressions need;
- an event's ref written as a QName under the file's target namespace (Flowable's
  `tns:myMessage`), or an error's ref given as the error's `errorCode`, names the defined id.
Everything else, JUEL included, is left for the checks to report.
"""
from __future__ import annotations

import re

from lxml import etree

from engine.process.actors import ACTORS
from engine.text_folding import fold
from engine.workflow import DONE_FORM
from engine.workflow.specs import PLANFLOW_NS

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN_NS}
# Office roles (engine.access.accounts) and the names designers give them, to planflow's actors.
ROLE_ACTORS = {
    "unit_head": "lead_head", "leader": "director", "monitor": "monitor", "staff": "assignee",
    "truong don vi": "lead_head", "truong phong": "lead_head", "lanh dao don vi": "lead_head",
    "don vi phoi hop": "coordinator_head", "truong don vi phoi hop": "coordinator_head",
    "chuyen vien": "assignee", "nguoi thuc hien": "assignee", "can bo": "assignee",
    "theo doi": "monitor", "don vi theo doi": "monitor", "lanh dao": "director", "giam doc": "director",
}
_ISO_LITERAL = re.compile(r"^(R\d*/.+|-?P(?=\d|T\d)[\dYMWDTHS.,]+|\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:?\d\d)?)$")
_EXPRESSION = re.compile(r"^[$#]\{\s*(\w+)\s*\}$")


def adopt(text: str) -> str:
    """The diagram with planflow's namespace declared and what other modelers say mapped to it."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser=parser)
    except etree.XMLSyntaxError:
        return text  # the checks say where it breaks
    if root.tag != f"{{{BPMN_NS}}}definitions":
        return text
    changed = PLANFLOW_NS not in root.nsmap.values()
    if changed:
        root = _with_planflow_namespace(root)
    processes = root.findall(f"{{{BPMN_NS}}}process")
    if len(processes) == 1 and processes[0].get("isExecutable") != "true":
        processes[0].set("isExecutable", "true")  # bpmn.io writes "false" on every new diagram
        changed = True
    lanes = _lane_names(root)
    for task in root.iter(f"{{{BPMN_NS}}}userTask", f"{{{BPMN_NS}}}manualTask"):
        changed |= _adopt_human_task(task, lanes)
    for timer in root.xpath("//bpmn:timerEventDefinition/*", namespaces=NS):
        value = (timer.text or "").strip()
        if _ISO_LITERAL.match(value):
            timer.text = f'"{value}"'
            changed = True
    changed |= _adopt_refs(root)
    if not changed:
        return text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def actor_for(name: str) -> str | None:
    """planflow's actor for a name another modeler gave who acts, or None when it names none."""
    expression = _EXPRESSION.match(name.strip())
    key = fold(expression.group(1) if expression else name).strip().replace("-", " ")
    if key.replace(" ", "_") in ACTORS:
        return key.replace(" ", "_")
    return ROLE_ACTORS.get(key.replace("_", " ")) or ROLE_ACTORS.get(key.replace(" ", "_"))


def _with_planflow_namespace(root):
    # lxml cannot add a prefix to an element it has parsed: copy the root with one more.
    nsmap = {**root.nsmap, "planflow": PLANFLOW_NS} if "planflow" not in root.nsmap else {**root.nsmap}
    copy = etree.Element(root.tag, attrib=dict(root.attrib), nsmap=nsmap)
    copy.text = root.text
    copy.extend(list(root))
    return copy


def _lane_names(root) -> dict[str, str]:
    """The lane each flow node sits in (SpiffArena draws who acts as lanes)."""
    names = {}
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.iter(f"{{{BPMN_NS}}}flowNodeRef"):
            names[(ref.text or "").strip()] = lane.get("name") or ""
    return names


def _adopt_human_task(task, lanes: dict[str, str]) -> bool:
    changed = False
    if not task.get(f"{{{PLANFLOW_NS}}}actor"):
        actor = _camunda_actor(task) or actor_for(lanes.get(task.get("id"), ""))
        if actor:
            task.set(f"{{{PLANFLOW_NS}}}actor", actor)
            changed = True
    if task.tag == f"{{{BPMN_NS}}}userTask" and not task.get(f"{{{PLANFLOW_NS}}}form"):
        task.set(f"{{{PLANFLOW_NS}}}form", DONE_FORM)
        changed = True
    return changed


def _camunda_actor(task) -> str | None:
    names = [task.get(f"{{{CAMUNDA_NS}}}assignee") or ""]
    for attribute in ("candidateGroups", "candidateUsers"):
        names += (task.get(f"{{{CAMUNDA_NS}}}{attribute}") or "").split(",")
    return next((actor for actor in map(actor_for, filter(str.strip, names)) if actor), None)


def _adopt_refs(root) -> bool:
    """Each event ref that names a defined element other than by its id, made its id."""
    prefixes = {prefix for prefix, uri in root.nsmap.items() if prefix and uri == root.get("targetNamespace")}
    changed = False
    for kind in ("message", "signal", "error", "escalation"):
        defined = {node.get("id"): node.get("errorCode") for node in root.findall(f"{{{BPMN_NS}}}{kind}")}
        for definition in root.iter(f"{{{BPMN_NS}}}{kind}EventDefinition"):
            ref = definition.get(f"{kind}Ref")
            target = None if ref is None or ref in defined else _defined_id(ref, defined, prefixes)
            if target:
                definition.set(f"{kind}Ref", target)
                changed = True
    return changed


def _defined_id(ref: str, defined: dict[str, str | None], prefixes: set[str]) -> str | None:
    """The id `ref` means: its local part under the target namespace's prefix, or the one
    element whose errorCode it is (Flowable and Camunda 7 catch an error by its code)."""
    prefix, _, local = ref.rpartition(":")
    if prefix in prefixes and local in defined:
        return local
    by_code = [element_id for element_id, code in defined.items() if code == ref]
    return by_code[0] if len(by_code) == 1 else None
