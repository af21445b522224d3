"""planflow's checks on a BPMN process, beyond what SpiffWorkflow's parser checks.

`validate(xml)` returns every problem found, each on the element it concerns, as an
English msgid (the designer page translates it). SpiffWorkflow parses first, through
defusedxml (no DTD, no entities: XXE and billion laughs are refused); when the text is
safe XML, our checks then read it whether or not Spiff accepted it, so a designer sees
all the problems at once rather than one per save.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from lxml import etree
from simpleeval import FeatureNotAvailable, FunctionNotDefined, NameNotDefined

from engine.actors import ACTORS
from engine.calendar import WorkingCalendar
from engine.errors import N_
from engine.forms import FORMS
from engine.workflow import InvalidProcess, Problem, SandboxEnvironment, deadline_functions, parse_process
from engine.workflow.specs import MAX_BPMN_BYTES

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
PLANFLOW_NS = "http://planflow.vn/bpmn"
NS = {"bpmn": BPMN_NS}
PROCESS_KEY = "plan_task"  # instances move between versions only within one process id
SAMPLE_DATE = "2024-06-14"
CODE_TASKS = ("scriptTask", "serviceTask")

# What a task's data looks like when a timer or a condition is evaluated (architecture.md).
SAMPLE_DATA: dict[str, Any] = {
    "plan_task_id": 1, "lead_unit": 1, "coordinators": [2], "coordinator": 2, "monitor_unit": 3,
    "director": None, "due": SAMPLE_DATE, "periods": [SAMPLE_DATE], "period_due": SAMPLE_DATE,
    "assignee": 4, "contribution": "", "contributions": [], "result": "", "period_results": [],
    "product": None, "decision": "accept", "comment": "",
}

MSG_NO_ACTOR = N_("The user task has no planflow:actor.")
MSG_NO_FORM = N_("The user task has no planflow:form.")
MSG_UNKNOWN_ACTOR = N_("Choose who acts on this step from the planflow list.")
MSG_UNKNOWN_FORM = N_("Choose this step's form from the planflow list.")
MSG_SCRIPT = N_("Script and service tasks are not allowed: planflow runs no code from a process.")
MSG_TIMER_EMPTY = N_("The timer has no date expression.")
MSG_TIMER_KIND = N_("Use a date expression (timeDate) for planflow timers, e.g. working_days_before(due, 3).")
MSG_TIMER_EVAL = N_("The timer expression cannot be evaluated, e.g. working_days_before(due, 3).")
MSG_TIMER_RESULT = N_("The timer expression must give a date and time, e.g. working_days_before(due, 3).")
MSG_CONDITION = N_("The condition is not a valid expression over the task's data.")
MSG_NOT_BPMN = N_("The file is not a BPMN process (its root must be bpmn:definitions).")
MSG_PROCESS_ID = N_("The process id must stay plan_task, so that running tasks can move to this version.")


def validate(xml: str | bytes) -> list[Problem]:
    """Every problem of `xml` as a planflow process; an empty list means it may be saved."""
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    tree = _safe_tree(data)
    if tree is not None and tree.tag != f"{{{BPMN_NS}}}definitions":
        return [Problem(None, MSG_NOT_BPMN)]  # Spiff's schema errors would only confuse
    try:
        parse_process(data)
        problems: list[Problem] = []
    except InvalidProcess as invalid:
        problems = list(invalid.problems)
    if tree is not None:
        problems += _planflow_problems(tree)
    return _unique(problems)


def _safe_tree(data: bytes):
    """The parsed tree, or None when the text is not safe, well-formed XML (parse_process said why)."""
    if len(data) > MAX_BPMN_BYTES:
        return None
    try:
        SafeElementTree.fromstring(data, forbid_dtd=True)
        hardened = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        return etree.fromstring(data, parser=hardened)
    except (DefusedXmlException, SafeElementTree.ParseError, etree.XMLSyntaxError, ValueError):
        return None


def _planflow_problems(tree) -> list[Problem]:
    return [*_process_id(tree), *_user_tasks(tree), *_code_tasks(tree), *_timers(tree), *_conditions(tree)]


def _process_id(tree) -> list[Problem]:
    ids = tree.xpath("//bpmn:process/@id", namespaces=NS)
    return [] if not ids or PROCESS_KEY in ids else [Problem(ids[0], MSG_PROCESS_ID)]


def _user_tasks(tree) -> list[Problem]:
    problems = []
    for node in tree.xpath("//bpmn:userTask", namespaces=NS):
        element_id = node.get("id")
        actor, form = node.get(f"{{{PLANFLOW_NS}}}actor"), node.get(f"{{{PLANFLOW_NS}}}form")
        if not actor:
            problems.append(Problem(element_id, MSG_NO_ACTOR))
        elif actor not in ACTORS:
            problems.append(Problem(element_id, MSG_UNKNOWN_ACTOR))
        if not form:
            problems.append(Problem(element_id, MSG_NO_FORM))
        elif form not in FORMS:
            problems.append(Problem(element_id, MSG_UNKNOWN_FORM))
    return problems


def _code_tasks(tree) -> list[Problem]:
    nodes = [n for tag in CODE_TASKS for n in tree.xpath(f"//bpmn:{tag}", namespaces=NS)]
    return [Problem(n.get("id"), MSG_SCRIPT) for n in nodes]


def _sample_data(tree) -> dict[str, Any]:
    # A step may measure its deadline by another variable (planflow:due="period_due").
    due_names = tree.xpath("//@*[local-name()='due' and namespace-uri()=$ns]", ns=PLANFLOW_NS)
    return {**SAMPLE_DATA, **{str(name): SAMPLE_DATE for name in due_names}}


def _sandbox() -> SandboxEnvironment:
    # The runtime's sandbox with the working-day functions, over the national calendar.
    return SandboxEnvironment(deadline_functions(WorkingCalendar([]).add_working_days))


def _timers(tree) -> list[Problem]:
    sandbox, sample = _sandbox(), _sample_data(tree)
    problems = []
    for definition in tree.xpath("//bpmn:timerEventDefinition", namespaces=NS):
        event_id = definition.getparent().get("id")
        message = _timer_problem(definition, sandbox, sample)
        if message:
            problems.append(Problem(event_id, message))
    return problems


def _timer_problem(definition, sandbox: SandboxEnvironment, sample: dict[str, Any]) -> str | None:
    if definition.xpath("bpmn:timeDuration|bpmn:timeCycle", namespaces=NS):
        return MSG_TIMER_KIND
    found = definition.xpath("bpmn:timeDate", namespaces=NS)
    expression = (found[0].text or "").strip() if found else ""
    if not expression:
        return MSG_TIMER_EMPTY
    try:
        value = sandbox.evaluate(expression, dict(sample))
    except Exception:  # any failure of a designer's expression is a problem to show, not a crash
        return MSG_TIMER_EVAL
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return MSG_TIMER_RESULT
    return None if isinstance(value, str) and moment.tzinfo is not None else MSG_TIMER_RESULT


def _conditions(tree) -> list[Problem]:
    sandbox, sample = _sandbox(), _sample_data(tree)
    problems = []
    for condition in tree.xpath("//bpmn:sequenceFlow/bpmn:conditionExpression", namespaces=NS):
        expression = (condition.text or "").strip()
        try:
            sandbox.evaluate(expression, dict(sample))
        except (SyntaxError, NameNotDefined, FunctionNotDefined, FeatureNotAvailable):
            problems.append(Problem(condition.getparent().get("id"), MSG_CONDITION))
        except Exception:  # e.g. a comparison that fails only on the sample values
            continue
    return problems


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str | None, str]] = set()
    out = []
    for problem in problems:
        key = (problem.element_id, problem.message)
        if key not in seen:
            seen.add(key)
            out.append(problem)
    return out
