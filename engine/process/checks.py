"""planflow's checks on a BPMN process, beyond what SpiffWorkflow's parser checks.

`validate(xml)` returns every problem found, each on the element it concerns, as an
English msgid (the designer page translates it). SpiffWorkflow parses first, through
defusedxml (no DTD, no entities: XXE and billion laughs are refused); when the text is
safe XML, our checks then read it whether or not Spiff accepted it, so a designer sees
all the problems at once rather than one per save.

When nothing is wrong with the text, the process is proved: run by SpiffWorkflow on
simulated plan tasks along every path (`engine.workflow.simulation`), with only the
variables each path has set, so what would fail on a real task fails here first.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Sequence

from defusedxml import DefusedXmlException, ElementTree as SafeElementTree
from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from simpleeval import FeatureNotAvailable, FunctionNotDefined, NameNotDefined

from engine.clock import Clock, SystemClock, today
from engine.deadlines.working_days import WorkingCalendar
from engine.errors import N_
from engine.process import actors
from engine.process.actors import ACTORS
from engine.process.juel import juel_to_python
from engine.process.step_forms import FORMS
from engine.text_limits import ELEMENT_ID, PROCESS_KEY, STEP_NAME
from engine.workflow import (
    HumanStep,
    InvalidProcess,
    Problem,
    ProcessSpec,
    SandboxEnvironment,
    WorkflowRuntime,
    deadline_functions,
    parse_process,
)
from engine.workflow.specs import process_settings
from engine.workflow.simulation import Exploration, Finding, explore
from engine.workflow.specs import MAX_BPMN_BYTES, MSG_DTD, MSG_NOT_XML, MSG_SPIFF, MSG_TOO_LARGE

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
PLANFLOW_NS = "http://planflow.vn/bpmn"
NS = {"bpmn": BPMN_NS}
SAMPLE_DATE = "2024-06-14"
CODE_TASKS = ("scriptTask", "serviceTask")
EXECUTABLE_IDS = "//bpmn:process[@isExecutable='true']/@id"

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
MSG_TIMER_ISO = N_('A duration or a cycle is an ISO 8601 text in quotes, e.g. "P3D", "PT4H", "R3/P1D", '
                   'or working_days(3) for three working days.')
MSG_TIMER_EVAL = N_("The timer expression cannot be evaluated, e.g. working_days_before(due, 3).")
MSG_TIMER_RESULT = N_("The timer expression must give a date and time, e.g. working_days_before(due, 3).")
MSG_CONDITION = N_("The condition is not a valid expression over the task's data.")
MSG_NOT_BPMN = N_("The file is not a BPMN process (its root must be bpmn:definitions).")
UNREADABLE = (MSG_NOT_XML, MSG_DTD, MSG_TOO_LARGE, MSG_NOT_BPMN)  # nothing a modeler could draw
MSG_CALL_UNNAMED = N_("The call activity names no process: choose the process it calls.")
MSG_CALLED_MISSING = N_("This calls the process %(process)s, which has no deployed version: deploy it first.")
MSG_MANUAL_NO_ACTOR = N_("The manual task has no planflow:actor: say who marks it done.")
MSG_JUEL = N_("Expressions are written in Python, not JUEL: write %(python)s")
# What the proof run found, per kind (engine.workflow.simulation.Finding.kind).
MSG_RUN_ERROR = N_("A task fails here on the path %(path)s: %(detail)s")
MSG_RUN_UNDEFINED = N_("This uses %(name)s, which no step has set yet on the path %(path)s.")
MSG_RUN_LOST = N_("This event cannot interrupt a multi-instance on the path %(path)s: planflow loses the instances it "
                  "stops. Make the event non-interrupting, or attach it to the steps inside.")
MSG_RUN_NO_END = N_("The path %(path)s stops here without reaching an end event.")
MSG_RUN_ENDLESS = N_("This loop goes round forever with no person or timer in it (path %(path)s).")
MSG_RUN_UNTRIGGERED = N_("Nothing in planflow can trigger this event: a task would wait here forever.")
MSG_RUN_UNREACHED = N_("No path reaches this element.")
MSG_RUN_TOO_MANY = N_("The process has too many paths to check them all; %(count)s states were checked.")
MSG_START = N_("the start")


def validate(xml: str | bytes, called: Sequence[str] = ()) -> list[Problem]:
    """Every problem of `xml` as a planflow process; an empty list means it may be saved."""
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    return list(_validate(data, tuple(called)))


# Saving proves a diagram, and deploying it proves the same text again (seconds for a real
# process): the result of the same text and the same called diagrams is kept.
@lru_cache(maxsize=16)
def _validate(data: bytes, called: tuple[str, ...]) -> tuple[Problem, ...]:
    tree = _safe_tree(data)
    if tree is not None and tree.tag != f"{{{BPMN_NS}}}definitions":
        return [Problem(None, MSG_NOT_BPMN)]  # Spiff's schema errors would only confuse
    spec = None
    missing = _missing_calls(tree, called) if tree is not None else []
    try:
        # SpiffWorkflow would only say, on no element, that some process was not found.
        spec = None if missing else parse_process(data, called=called)
        problems: list[Problem] = list(missing)
    except InvalidProcess as invalid:
        problems = list(invalid.problems)
    if tree is not None:
        problems = _without_spiff_words_on(_planflow_problems(tree), problems)
    if spec is not None and not problems:
        problems = prove(spec)
    return tuple(_unique(problems))


def _without_spiff_words_on(ours: list[Problem], parsed: list[Problem]) -> list[Problem]:
    """The parser's problems and ours, less SpiffWorkflow's generic words on an element ours
    already speak of (an empty timer is its "Time Specification Error" and our own message)."""
    spoken = {problem.element_id for problem in ours if problem.element_id and problem.is_error}
    return [p for p in parsed if not (p.message == MSG_SPIFF and p.element_id in spoken)] + ours


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
    always = [*_process_ids(tree), *_stored_names(tree), *_user_tasks(tree), *_manual_tasks(tree), *_code_tasks(tree)]
    juel = _juel(tree)
    if juel:  # the expression checks would only repeat "not an expression" on the same elements
        return [*always, *juel]
    return [*always, *_timers(tree), *_conditions(tree)]


def _process_ids(tree) -> list[Problem]:
    # Versions are kept under the process's id, in a bounded column (engine/text_limits.py).
    keys = tree.xpath(EXECUTABLE_IDS, namespaces=NS)
    return [Problem(key, PROCESS_KEY.message) for key in keys if len(key) > PROCESS_KEY.length]


def _stored_names(tree) -> list[Problem]:
    # An element's id is kept by the rows of the step or incident it becomes, a person's
    # step's name by its work item, in bounded columns (engine/text_limits.py).
    ids = [Problem(node.get("id"), ELEMENT_ID.message)
           for node in tree.xpath("//bpmn:process//*[@id]", namespaces=NS) if len(node.get("id")) > ELEMENT_ID.length]
    names = [Problem(node.get("id"), STEP_NAME.message)
             for node in tree.xpath("//bpmn:userTask | //bpmn:manualTask", namespaces=NS)
             if len(node.get("name") or "") > STEP_NAME.length]
    return ids + names


def _missing_calls(tree, called: Sequence[str]) -> list[Problem]:
    """Call activities whose process is neither in this file nor deployed."""
    known = set(tree.xpath("//bpmn:process/@id", namespaces=NS))
    for other in called:
        other_tree = _safe_tree(other.encode("utf-8"))
        known |= set(other_tree.xpath("//bpmn:process/@id", namespaces=NS)) if other_tree is not None else set()
    return [_missing_call(node.get("id"), node.get("calledElement"))
            for node in tree.xpath("//bpmn:callActivity", namespaces=NS) if node.get("calledElement") not in known]


def _missing_call(element_id: str, process: str | None) -> Problem:
    # bpmn.io draws a call activity naming no process until the designer chooses one.
    if not process:
        return Problem(element_id, MSG_CALL_UNNAMED)
    return Problem(element_id, MSG_CALLED_MISSING, (("process", process),))


def process_id(text: str) -> str | None:
    """The id of the diagram's executable process: the key its versions are kept under."""
    tree = _safe_tree(text.encode("utf-8"))
    ids = tree.xpath(EXECUTABLE_IDS, namespaces=NS) if tree is not None else []
    return str(ids[0]) if ids else None


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


def _manual_tasks(tree) -> list[Problem]:
    # A manualTask is a person's step that asks only "done"; who that person is must be said.
    return [Problem(node.get("id"), MSG_MANUAL_NO_ACTOR)
            for node in tree.xpath("//bpmn:manualTask", namespaces=NS)
            if node.get(f"{{{PLANFLOW_NS}}}actor") not in ACTORS]


def _juel(tree) -> list[Problem]:
    """Camunda writes ${…} / #{…} (JUEL); SpiffWorkflow evaluates Python: propose the same in Python."""
    problems = []
    for node in tree.xpath("//bpmn:conditionExpression|//bpmn:timeDate|//bpmn:timeDuration|//bpmn:timeCycle"
                           "|//bpmn:completionCondition|//bpmn:loopCardinality", namespaces=NS):
        python = juel_to_python(node.text or "")
        if python is not None:
            owner = node.getparent()
            element = owner.getparent() if owner.tag == f"{{{BPMN_NS}}}timerEventDefinition" else owner
            if element.tag == f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics":
                element = element.getparent()
            problems.append(Problem(element.get("id"), MSG_JUEL, (("python", python),)))
    return problems


def _code_tasks(tree) -> list[Problem]:
    nodes = [n for tag in CODE_TASKS for n in tree.xpath(f"//bpmn:{tag}", namespaces=NS)]
    return [Problem(n.get("id"), MSG_SCRIPT) for n in nodes]


def _sample_data(tree) -> dict[str, Any]:
    # A step may measure its deadline by another variable (planflow:due="period_due").
    due_names = tree.xpath("//@*[local-name()='due' and namespace-uri()=$ns]", ns=PLANFLOW_NS)
    return {**SAMPLE_DATA, **{str(name): SAMPLE_DATE for name in due_names}, **_settings(tree)}


def _settings(tree) -> dict[str, Any]:
    """The process's settings as a task starts with them (a bad value is parse_process's to report)."""
    settings = {}
    for process_id in tree.xpath("//bpmn:process/@id", namespaces=NS):
        try:
            settings.update(process_settings(tree, str(process_id)))
        except InvalidProcess:
            continue
    return settings


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
    found = definition.xpath("bpmn:timeDate|bpmn:timeDuration|bpmn:timeCycle", namespaces=NS)
    expression = (found[0].text or "").strip() if found else ""
    if not expression:
        return MSG_TIMER_EMPTY
    try:
        value = sandbox.evaluate(expression, dict(sample))
    except Exception:  # any failure of a designer's expression is a problem to show, not a crash
        return MSG_TIMER_EVAL
    kind = etree.QName(found[0]).localname
    if kind != "timeDate":  # ISO 8601: a duration (P3D, PT4H) or a repeating interval (R3/PT1H)
        return None if _iso_timer(kind, value) else MSG_TIMER_ISO
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return MSG_TIMER_RESULT
    return None if isinstance(value, str) and moment.tzinfo is not None else MSG_TIMER_RESULT


def _iso_timer(kind: str, value: Any) -> bool:
    try:
        if kind == "timeDuration":
            TimerEventDefinition.parse_iso_duration(str(value))
        else:
            TimerEventDefinition.parse_iso_recurring_interval(str(value))
    except Exception:  # SpiffWorkflow's parsers raise plain errors on anything not ISO 8601
        return False
    return isinstance(value, str)


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


# -- the proof run ---------------------------------------------------------------------

# Answers each form allows, as a person would give them: (label shown in a path, data written).
FORM_ANSWERS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "assign": [("", {"assignee": 4, "co_handlers": [6]})],
    "contribute": [("", {"contribution": "…"})],
    "report": [("", {"result": "…", "product": None})],
    "review": [(" (accept)", {"decision": "accept", "comment": ""}),
               (" (return)", {"decision": "return", "comment": "…"})],
}


def _proof_starts(day: date, settings: dict[str, Any]) -> list[dict[str, Any]]:
    """The data a task starts with (engine.tasks.intake.start_data), dated a year ahead so that
    no timer fires by itself: the proof fires each one as a branch of its own. With the
    diagram's settings, and once with every yes/no setting turned the other way and a
    directing leader named, so that the steps a setting switches on are proved too."""
    first, last = (day + timedelta(days=days) for days in (330, 365))
    task = {"plan_task_id": 1, "lead_unit": 1, "monitor_unit": 3, "director": None, "due": last.isoformat(),
            "periods": [first.isoformat(), last.isoformat()]}
    starts = [{**task, "coordinators": [2]}, {**task, "coordinators": []}]
    flipped = {name: not value for name, value in settings.items() if isinstance(value, bool)}
    if flipped:
        starts.append({**task, "coordinators": [2], "director": 5, **flipped})
    return starts


def _check_actor(step: HumanStep) -> Finding | None:
    try:
        actors.resolve(step.actor or "", step.data)
    except actors.UnknownActor as unknown:
        return Finding(step.step_id, "undefined", detail=unknown.variable or str(step.actor))
    return None


def prove(spec: ProcessSpec, clock: Clock | None = None) -> list[Problem]:
    """Run `spec` along every path of a simulated plan task; every finding as a problem."""
    return [_problem(finding) for finding in proof_run(spec, clock).findings]


def proof_run(spec: ProcessSpec, clock: Clock | None = None) -> Exploration:
    """The exploration behind `prove`: its findings and how many states it went through.
    The simulated tasks start on the clock's day and their timers run on the same clock,
    so a proof at a given moment judges deadlines and timers against one "now"."""
    clock = clock or SystemClock()
    rt = WorkflowRuntime(WorkingCalendar([]).add_working_days, clock)
    return explore(rt, spec, _proof_starts(today(clock), spec.settings),
                   lambda step: FORM_ANSWERS.get(step.form or "", [("", {})]), _check_actor)


def _problem(finding: Finding) -> Problem:
    path = ("path", finding.path or MSG_START)
    if finding.kind == "undefined":
        return Problem(finding.element_id, MSG_RUN_UNDEFINED, (("name", finding.detail), path))
    if finding.kind == "no_end":
        return Problem(finding.element_id, MSG_RUN_NO_END, (path,))
    if finding.kind == "lost":
        return Problem(finding.element_id, MSG_RUN_LOST, (path,))
    if finding.kind == "endless":
        return Problem(finding.element_id, MSG_RUN_ENDLESS, (path,))
    if finding.kind == "untriggered":
        return Problem(finding.element_id, MSG_RUN_UNTRIGGERED)
    if finding.kind == "unreached":
        return Problem(finding.element_id, MSG_RUN_UNREACHED, severity="warning")
    if finding.kind == "too_many":
        return Problem(None, MSG_RUN_TOO_MANY, (("count", finding.detail),), severity="warning")
    return Problem(finding.element_id, MSG_RUN_ERROR, (("detail", finding.detail), path))
