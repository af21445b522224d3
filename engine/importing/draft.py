"""The draft of an import: what the parser read, in the shape a person edits.

A draft is JSON-simple (it waits in `import_drafts` between upload and confirm, and
goes out as the API's body). Units are named by a key: a known unit's id as text
("12"), or "new:<n>" for the n-th proposed new unit, created only when confirmed.
The same shape comes back edited; `plan_and_tasks` turns it into the plan and its tasks.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from engine import model
from engine.deadlines.task_dates import parse_day
from engine.errors import N_, InvalidInput
from engine.incoming_text import cleaned_strings
from engine.importing.deadline_phrases import UNRESOLVED, PlanYears, Schedule, parse_deadline
from engine.importing import ImportedTask, ImportResult, UnitRef
from engine.process.instances import PROCESS_KEY
from engine.text_limits import NAME, PLAN_NUMBER, TASK_REF, TEXT, past_limits

NEW = "new:"


@dataclass
class ImportDraft:
    source_name: str
    plan: dict[str, Any]  # number, issued_on, year, title, monitor_unit_id, monitor_text
    tasks: list[dict[str, Any]]  # ref, title, content, lead, coordinators, director, ..., due
    new_units: list[dict[str, Any]] = field(default_factory=list)  # name, kind, create
    warnings: list[str] = field(default_factory=list)
    id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any], draft_id: int | None = None) -> ImportDraft:
        """The draft from its `to_dict` shape. An edited draft comes from a script too
        (`POST /api/imports/<id>/confirm`): a part not of that shape is an InvalidInput
        naming it, not a crash further on."""
        wrong = _shape_errors(data)
        if wrong:
            raise InvalidInput(wrong, N_("The draft is not in the shape the import gave; send it back in that shape."))
        data = cleaned_strings(data)  # edited by a person or a script: text coming in
        return cls(source_name=data.get("source_name") or "", plan=dict(data.get("plan") or {}),
                   tasks=list(data.get("tasks") or []), new_units=list(data.get("new_units") or []),
                   warnings=list(data.get("warnings") or []), id=draft_id)


def from_result(result: ImportResult, known: dict[str, int], source_name: str,
                fallback_monitor_id: int | None) -> ImportDraft:
    """The parser's result with units as keys; the monitor defaults to the uploader's
    unit when the plan names none the directory knows."""
    new_units: list[dict[str, Any]] = []

    def key(ref: UnitRef) -> str:
        if not ref.new and ref.name in known:
            return str(known[ref.name])
        names = [u["name"] for u in new_units]
        if ref.name not in names:
            new_units.append({"name": ref.name, "kind": ref.kind, "create": False})
            names.append(ref.name)
        return f"{NEW}{names.index(ref.name)}"

    monitor = result.plan.monitor
    plan = {**result.plan.to_dict(), "monitor_text": monitor.name if monitor else None,
            "monitor_unit_id": known.get(monitor.name) if monitor and not monitor.new else fallback_monitor_id}
    del plan["monitor"]
    # "deadline_read": the text the schedule was read from; an edited text is read again.
    tasks = [{**t.to_dict(), "lead": [key(u) for u in t.lead], "coordinators": [key(u) for u in t.coordinators],
              "due": "", "deadline_read": t.deadline_text, "flags": _flags(t)} for t in result.tasks]
    return ImportDraft(source_name, plan, tasks, new_units, list(result.warnings))


PARTS = {"plan": dict, "tasks": list, "new_units": list, "warnings": list}
# Each text of the draft with its limit (`engine/text_limits.py`): the short ones are kept in bounded columns.
PLAN_TEXTS = {"number": PLAN_NUMBER, "title": TEXT}
TASK_TEXTS = {"ref": TASK_REF, "title": TEXT, "content": TEXT, "product": TEXT, "director": NAME, "deadline_text": TEXT}
NOT_OF_THE_SHAPE = N_("Not of the draft's shape.")


def _shape_errors(data: dict[str, Any]) -> dict[str, str]:
    """Each part of a draft that `to_dict` would not have given, by its name on the review
    form: a list where an object belongs, a unit list that is not a list, a schedule
    that is not one (its dates are computed on)."""
    wrong = {name: NOT_OF_THE_SHAPE for name, kind in PARTS.items()
             if data.get(name) is not None and not isinstance(data[name], kind)}
    for name in ("tasks", "new_units"):
        items = [] if name in wrong else data.get(name) or []
        wrong.update({f"{name}-{i}": NOT_OF_THE_SHAPE for i, item in enumerate(items) if not isinstance(item, dict)})
    tasks = [] if "tasks" in wrong else data.get("tasks") or []
    for i, task in enumerate(tasks):
        if not isinstance(task, dict):
            continue
        wrong.update({f"task-{i}-{role}": NOT_OF_THE_SHAPE for role in ("lead", "coordinators")
                      if not isinstance(task.get(role) or [], list)})
        try:
            Schedule.from_dict(task.get("schedule") or {"kind": UNRESOLVED})
        except ValueError:
            wrong[f"task-{i}-schedule"] = NOT_OF_THE_SHAPE
    return wrong


def _flags(task: ImportedTask) -> list[str]:
    """What a person should check in a task, each a mark on the review table: a task
    guessed from the layout or a sentence, a unit matched fuzzily, a unit name the
    directory lacks (proposed new), a deadline not read, a deadline read elsewhere than
    in the task's deadline field (its sentence, the heading above it, the plan's time)."""
    units = [*task.lead, *task.coordinators]
    marks = [("guessed", task.guessed), ("fuzzy_unit", any(u.written for u in units)),
             ("new_unit", any(u.new for u in units)), ("unread_deadline", task.schedule.kind == "unresolved"),
             (f"deadline_from_{task.deadline_from}", bool(task.deadline_from))]
    return [name for name, applies in marks if applies]


def flag_used_number(draft: ImportDraft, plans: list[dict[str, Any]]) -> ImportDraft:
    """Mark the draft when another stored plan has its number ("12/KH-VP", compared
    without spaces and case): the same plan imported twice, or a misread number."""
    number = _number_key(draft.plan.get("number"))
    used = next((p for p in plans if number and _number_key(p.get("number")) == number), None)
    draft.plan["number_used_by"] = {"id": used["id"], "title": used.get("title") or ""} if used else None
    return draft


def _number_key(number: Any) -> str:
    return "".join(str(number or "").split()).lower()


def used_new_units(draft: ImportDraft) -> list[int]:
    """The proposed new units some task still names, by index."""
    keys = {k for t in draft.tasks for k in [*(t.get("lead") or []), *(t.get("coordinators") or [])]}
    return [i for i in range(len(draft.new_units)) if f"{NEW}{i}" in keys]


def plan_and_tasks(draft: ImportDraft, unit_ids: dict[str, int]) -> tuple[model.Plan, list[model.PlanTask]]:
    """The edited draft as intake's input; `unit_ids` maps every usable key to a unit id.
    Raises InvalidInput naming each field to fix."""
    errors = _too_long(draft)
    plan = draft.plan
    year = _year(plan.get("year"), errors)
    issued = _issued(plan.get("issued_on"), errors)
    monitor_id = _int(plan.get("monitor_unit_id"))
    if monitor_id is None:
        errors["monitor_unit_id"] = N_("Choose the unit that monitors the plan.")
    years = _years(year, draft.tasks)
    tasks = [_task(i, t, unit_ids, errors, years) for i, t in enumerate(draft.tasks)]
    if errors:
        raise InvalidInput(errors)
    return model.Plan(title=str(plan.get("title") or "").strip(), year=year, monitor_unit_id=monitor_id,
                      number=(plan.get("number") or None), issued_on=issued,
                      source_name=draft.source_name or None,
                      process_key=str(plan.get("process_key") or PROCESS_KEY)), tasks


def _too_long(draft: ImportDraft) -> dict[str, str]:
    """Each text past its limit, by its name on the review form: on PostgreSQL a plan
    number, task number or file name longer than its column was a 500. (A new unit's
    name is checked as the unit is created: `plan_import._create_new_units`.)"""
    named = [("source_name", draft.source_name, NAME)]
    named += [(name, draft.plan.get(name), limit) for name, limit in PLAN_TEXTS.items()]
    named += [(f"task-{i}-{name}", task.get(name), limit) for i, task in enumerate(draft.tasks)
              for name, limit in TASK_TEXTS.items()]
    return past_limits(named)


def _task(i: int, task: dict[str, Any], unit_ids: dict[str, int], errors: dict[str, str],
          years: PlanYears) -> model.PlanTask:
    schedule = dict(task.get("schedule") or {"kind": "unresolved", "due": [], "every": None, "until": None})
    text = str(task.get("deadline_text") or "").strip()
    if "deadline_read" in task and text != str(task.get("deadline_read") or "").strip():
        schedule = parse_deadline(text, years).to_dict()  # a person corrected the deadline's text
    due_text = str(task.get("due") or "").strip()
    if due_text:
        day = parse_day(due_text)
        if day is None:
            errors[f"task-{i}-due"] = N_("Give the date as dd/mm/yyyy or yyyy-mm-dd.")
        else:  # a person settled an unresolved deadline: one date
            schedule = {"kind": "once", "due": [day.isoformat()], "every": None, "until": None}
    return model.PlanTask.with_units(
        ref=str(task.get("ref") or i + 1), title=str(task.get("title") or "").strip(),
        lead=_units(i, "lead", task.get("lead"), unit_ids, errors),
        coordinators=_units(i, "coordinators", task.get("coordinators"), unit_ids, errors),
        content=task.get("content") or "", product=task.get("product") or "",
        director=task.get("director") or "", deadline_text=task.get("deadline_text") or "", schedule=schedule,
        process_key=task.get("process_key") or None,  # chosen for this task at review; else the plan's
    )


def _units(i: int, role: str, keys: Any, unit_ids: dict[str, int], errors: dict[str, str]) -> list[int]:
    found: list[int] = []
    for key in keys or []:
        unit_id = unit_ids.get(str(key))
        if unit_id is None:
            # A proposed unit left unticked, or an id that is not ours: never guess.
            errors[f"task-{i}-{role}"] = N_("A unit here is new and not confirmed: tick it to create it, or choose a known unit.")
        elif unit_id not in found:
            found.append(unit_id)
    return found


def reread_deadlines(draft: ImportDraft) -> ImportDraft:
    """The draft with every edited deadline text read again (kept on a refused confirm,
    so the page shows what the new text says)."""
    years = _years(_int(draft.plan.get("year")) or 0, draft.tasks)
    for task in draft.tasks:
        text = str(task.get("deadline_text") or "").strip()
        if "deadline_read" in task and text != str(task.get("deadline_read") or "").strip():
            task["schedule"], task["deadline_read"] = parse_deadline(text, years).to_dict(), text
    return draft


def read_deadline(draft: ImportDraft, text: str, year: Any = None) -> dict[str, Any]:
    """A deadline text read as it would be on confirm, in the draft's plan years (with
    the plan's year as the person has it now, when given): the review page reads it
    again as the person types."""
    given = _int(year)
    plan_year = given if given and 2000 <= given <= 2100 else _int(draft.plan.get("year")) or 0
    return parse_deadline(text.strip(), _years(plan_year, draft.tasks)).to_dict()


def _years(year: int, tasks: list[dict[str, Any]]) -> PlanYears:
    """The plan's years: its year to the last year its read schedules run to."""
    untils = [int(str((t.get("schedule") or {}).get("until") or "")[:4] or 0) for t in tasks]
    return PlanYears(year, max([year, *untils]))


def _year(value: Any, errors: dict[str, str]) -> int:
    year = _int(value)
    if year is None or not 2000 <= year <= 2100:
        errors["year"] = N_("Give the plan's year, e.g. 2024.")
        return 0
    return year


def _issued(value: Any, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    day = parse_day(value)
    if day is None:
        errors["issued_on"] = N_("Give the date as dd/mm/yyyy or yyyy-mm-dd.")
    return day


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
