"""Parse BPMN safely into specs, once per process version.

Untrusted XML (a designer's upload) is first read by defusedxml, which refuses DTDs
and entities (XXE, billion laughs); only then does lxml (SpiffWorkflow's parser) see
it, through a parser that resolves nothing either. `planflow:*` attributes end up in
each task spec's `extensions` dict (`actor`, `form`, `notice`, `due`).

A process's settings are data objects with a `planflow:value` (JSON: true, false, a
number, a quoted text): every new instance starts with them in its data, so a gateway
reads the office's choice from the diagram the instance started on.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Sequence, Union

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from lxml import etree
from SpiffWorkflow.bpmn.parser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.defaults import UserTask
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.errors import N_

from .timer_clock import ClockedCycle, ClockedDuration, ClockedTimeDate

PLANFLOW_NS = "http://planflow.vn/bpmn"
NSMAP = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
MAX_BPMN_BYTES = 2 * 1024 * 1024  # a real process is ~30 KB; refuse anything absurd
REQUIRED_ON_USER_TASKS = ("actor", "form")

MSG_TOO_LARGE = N_("The BPMN file is too large.")
MSG_DTD = N_("The BPMN file may not contain a DTD or entities.")
MSG_NOT_XML = N_("The file is not well-formed XML.")
MSG_NOT_EXECUTABLE = N_("The file has no executable process.")
MSG_SEVERAL = N_("The file must hold exactly one executable process.")
MSG_NO_START = N_("The process has no start event.")
MSG_SPIFF = N_("The diagram does not follow the BPMN standard: %(detail)s")
MSG_UNDEFINED_REF = N_("This event refers to %(ref)s, which the file does not define: choose one the file defines.")
MSG_NO_TRIGGER = N_("This boundary event has no trigger: make it a timer, message, signal, error or escalation event.")
MSG_COMPENSATION = N_("This compensation event cannot run in planflow: "
                      "draw the steps that undo the work on the process's path instead.")
MSG_UNDEFINED_DATA = N_("This reads or writes %(ref)s, which the file does not define as a data object or data store.")
MSG_SETTING = N_("A setting's planflow:value is JSON: true, false, a number or a text in double quotes.")
MSG_MISSING = {"actor": N_("The user task has no planflow:actor."), "form": N_("The user task has no planflow:form.")}


@dataclass(frozen=True)
class Problem:
    element_id: str | None
    message: str  # an English msgid; the designer page translates it, then fills in `params`
    params: tuple[tuple[str, str], ...] = ()  # (name, value) pairs for the msgid's %(name)s
    line: int | None = None  # where in the file, for errors in the XML itself
    column: int | None = None
    severity: str = "error"  # "error": cannot be saved or deployed; "warning": the designer may accept it

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class InvalidProcess(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.element_id or '-'}: {p.message}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class ProcessSpec:
    process_id: str
    top: BpmnProcessSpec
    subprocesses: dict[str, BpmnProcessSpec] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)  # the data objects' planflow:value, by name


CLOCKED_TIMERS = {TimeDateEventDefinition: ClockedTimeDate, DurationTimerEventDefinition: ClockedDuration,
                  CycleTimerEventDefinition: ClockedCycle}


class _PlanflowAttributes:
    """Mixin for every node parser: keep the `planflow:` attributes of the node, and
    make each timer (a date, a duration, a cycle) read the workflow's clock (timer_clock)."""

    def parse_extensions(self, node=None):
        node = self.node if node is None else node
        prefix = "{%s}" % PLANFLOW_NS
        return {key[len(prefix):]: value for key, value in node.attrib.items() if key.startswith(prefix)}

    def parse_timer_event(self, event):
        definition = super().parse_timer_event(event)
        clocked = CLOCKED_TIMERS.get(type(definition))
        if clocked is not None:
            return clocked(definition.name, definition.expression, description=definition.description)
        return definition


class PlanflowParser(BpmnParser):
    # Every tag gets its usual parser with our mixin in front, so user tasks, events
    # and gateways all carry their planflow attributes.
    OVERRIDE_PARSER_CLASSES = {
        tag: (type(f"Planflow{parser.__name__}", (_PlanflowAttributes, parser), {}), spec)
        for tag, (parser, spec) in BpmnParser.PARSER_CLASSES.items()
    }


_validator: BpmnValidator | None = None


def _shared_validator() -> BpmnValidator:
    # Loading the BPMN XSD takes ~100 ms: do it once per process.
    global _validator
    if _validator is None:
        _validator = BpmnValidator()
    return _validator


def parse_process(xml: str | bytes, process_id: str | None = None, called: Sequence[str] = ()) -> ProcessSpec:
    """Parse and validate BPMN text; raise InvalidProcess with every problem found.

    `called` holds the diagrams of the processes its call activities call (their deployed
    versions): SpiffWorkflow makes them sub-process specs of this one."""
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    tree = _safe_tree(data)
    parser = PlanflowParser(validator=_shared_validator())
    try:
        parser.add_bpmn_xml(tree)
        process_id = process_id or _main_process_id(parser)
        _check_start_event(tree, process_id)
        _check_events(tree)
        for other in called:
            parser.add_bpmn_xml(_safe_tree(other.encode("utf-8")))
        spec = ProcessSpec(process_id, parser.get_spec(process_id), parser.get_subprocess_specs(process_id),
                           process_settings(tree, process_id))
    except ValidationException as exc:
        # Spiff names an unresolved data association by the repr of its XML element: ours name the ref.
        unresolved = [problem for problem in _undefined_data(tree) if problem.element_id == exc.id]
        raise InvalidProcess(unresolved or [_validation_problem(exc)]) from exc
    except SpiffWorkflowException as exc:
        raise InvalidProcess([Problem(None, MSG_SPIFF, (("detail", str(exc)),))]) from exc
    _check_planflow_attributes(spec)
    return spec


def connect_loop_merges(spec: ProcessSpec) -> None:
    """Wire each loop task's instance spec to the loop's merge, as Spiff's deserializer does.

    A multi-instance (or standard loop) task learns that an instance finished through
    its instance spec's `completed_event` → `merge_child`. SpiffWorkflow connects it
    when it restores a spec from its own serialized form, or lazily when this process
    creates an instance; a spec parsed from XML has no link until then. So a workflow
    loaded in a fresh process (a new worker, the scheduler, after a restart) would
    complete an instance and never move on. Idempotent: called on every load.
    """
    for process in (spec.top, *spec.subprocesses.values()):
        for task_spec in process.task_specs.values():
            if not isinstance(task_spec, LoopTask):
                continue
            instance_spec = process.task_specs[task_spec.task_spec]
            if not instance_spec.completed_event.is_connected(task_spec.merge_child):
                instance_spec.completed_event.connect(task_spec.merge_child)


def _validation_problem(exc: ValidationException) -> Problem:
    """SpiffWorkflow's words (often the XSD's, in English) inside a sentence of ours, with the line."""
    detail = str(exc.args[0]) if exc.args else str(exc)
    line = exc.line_number if isinstance(exc.line_number, int) and exc.line_number > 0 else None
    return Problem(exc.id or None, MSG_SPIFF, (("detail", detail),), line=line)


def _xml_error(exc: Exception) -> Problem:
    line, column = getattr(exc, "position", None) or (None, None)
    return Problem(None, MSG_NOT_XML, line=line, column=column)


def _safe_tree(data: bytes):
    if len(data) > MAX_BPMN_BYTES:
        raise InvalidProcess([Problem(None, MSG_TOO_LARGE)])
    try:
        SafeElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise InvalidProcess([Problem(None, MSG_DTD)]) from exc
    except SafeElementTree.ParseError as exc:
        raise InvalidProcess([_xml_error(exc)]) from exc
    # Belt and braces: even if defusedxml missed something, lxml resolves nothing.
    hardened = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser=hardened)
    except etree.XMLSyntaxError as exc:
        raise InvalidProcess([_xml_error(exc)]) from exc


def _main_process_id(parser: BpmnParser) -> str:
    ids = parser.get_process_ids()
    if not ids:
        raise InvalidProcess([Problem(None, MSG_NOT_EXECUTABLE)])
    if len(ids) > 1:
        raise InvalidProcess([Problem(None, MSG_SEVERAL)])
    return ids[0]


def process_settings(tree, process_id: str) -> dict[str, Any]:
    """The process's settings: each data object with a `planflow:value`, by its name."""
    settings: dict[str, Any] = {}
    for node in tree.xpath("//bpmn:process[@id=$pid]/bpmn:dataObject", pid=process_id, namespaces=NSMAP):
        value = node.get(f"{{{PLANFLOW_NS}}}value")
        if value is None:
            continue
        try:
            settings[node.get("name") or node.get("id")] = json.loads(value)
        except ValueError as exc:
            raise InvalidProcess([Problem(node.get("id"), MSG_SETTING)]) from exc
    return settings


def _check_start_event(tree, process_id: str) -> None:
    # Spiff would say so too, in its own words; ours is a msgid the designer page translates.
    starts = tree.xpath("//bpmn:process[@id=$pid]/bpmn:startEvent", pid=process_id, namespaces=NSMAP)
    if not starts:
        raise InvalidProcess([Problem(process_id, MSG_NO_START)])


def _check_events(tree) -> None:
    # Spiff's own words on these are a Python error (a TypeError, a NotImplementedError with
    # the element's raw bytes): ours say what to do, on the event.
    problems = [*_undefined_refs(tree), *_untriggered_boundaries(tree), *_compensations(tree)]
    if problems:
        raise InvalidProcess(problems)


def _undefined_refs(tree) -> list[Problem]:
    problems = []
    for kind in ("message", "signal", "error", "escalation"):
        defined = set(tree.xpath(f"/bpmn:definitions/bpmn:{kind}/@id", namespaces=NSMAP))
        for node in tree.xpath(f"//bpmn:{kind}EventDefinition[@{kind}Ref]", namespaces=NSMAP):
            if node.get(f"{kind}Ref") not in defined:
                problems.append(Problem(node.getparent().get("id"), MSG_UNDEFINED_REF, (("ref", node.get(f"{kind}Ref")),)))
    return problems


def _untriggered_boundaries(tree) -> list[Problem]:
    # bpmn.io attaches a plain boundary event until the designer chooses its kind.
    return [Problem(node.get("id"), MSG_NO_TRIGGER)
            for node in tree.xpath("//bpmn:boundaryEvent[not(*[contains(local-name(), 'EventDefinition')])]",
                                   namespaces=NSMAP)]


def _compensations(tree) -> list[Problem]:
    # SpiffWorkflow 3.2 cannot catch a compensation on a boundary.
    return [Problem(node.get("id"), MSG_COMPENSATION)
            for node in tree.xpath("//bpmn:boundaryEvent[bpmn:compensateEventDefinition]", namespaces=NSMAP)]


def _undefined_data(tree) -> list[Problem]:
    """Each data association whose ref SpiffWorkflow cannot resolve (it resolves a reference to a
    defined data object or store), on the element holding it. Spiff checks only the elements it
    parses (those a path reaches): this is asked only of the element it refused."""
    defined = set(tree.xpath("//bpmn:dataObjectReference[@dataObjectRef = //bpmn:dataObject/@id]/@id"
                             "|//bpmn:dataStoreReference[@dataStoreRef = //bpmn:dataStore/@id]/@id", namespaces=NSMAP))
    refs = tree.xpath("//bpmn:dataInputAssociation/bpmn:sourceRef|//bpmn:dataOutputAssociation/bpmn:targetRef",
                      namespaces=NSMAP)
    return [Problem(ref.getparent().getparent().get("id"), MSG_UNDEFINED_DATA, (("ref", (ref.text or "").strip()),))
            for ref in refs if (ref.text or "").strip() not in defined]


def _check_planflow_attributes(spec: ProcessSpec) -> None:
    problems = []
    for process in [spec.top, *spec.subprocesses.values()]:
        for task_spec in process.task_specs.values():
            if not isinstance(task_spec, UserTask):
                continue
            extensions = getattr(task_spec, "extensions", {}) or {}
            for name in REQUIRED_ON_USER_TASKS:
                if not extensions.get(name):
                    problems.append(Problem(task_spec.bpmn_id, MSG_MISSING[name]))
    if problems:
        raise InvalidProcess(problems)


# A diagram's text, or (text, process id or None, the diagrams its call activities call).
Source = Union[str, bytes, tuple]


class SpecCache:
    """Parsed specs by version key (the process_versions row id): parse once per version."""

    def __init__(self, max_entries: int = 64) -> None:
        self._specs: OrderedDict[Hashable, ProcessSpec] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, key: Hashable, source: Source | Callable[[], Source]) -> ProcessSpec:
        """The spec for `key`; `source` (text, or text and the diagrams it calls, or a loader
        of either called only on a miss) is parsed once."""
        with self._lock:
            if key in self._specs:
                self._specs.move_to_end(key)
                return self._specs[key]
        loaded = source() if callable(source) else source
        spec = parse_process(*loaded) if isinstance(loaded, tuple) else parse_process(loaded)
        with self._lock:
            self._specs[key] = spec
            while len(self._specs) > self._max:
                self._specs.popitem(last=False)
        return spec

    def clear(self) -> None:
        with self._lock:
            self._specs.clear()
