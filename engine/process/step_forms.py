"""What each kind of step asks for, and the checks on it (`planflow:form` in the BPMN).

Returns the data the step writes into the workflow; raises `InvalidInput` with one
message per field, so the page can show the form again with its errors.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from engine.errors import N_, InvalidInput
from engine.ids import whole_number
from engine.text_limits import limited_text

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
FORMS = ("assign", "contribute", "report", "review", "done")  # "done": a manualTask, nothing to fill in


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


UNIT_STAFF = "unit"  # the assign form's choice "the unit's staff" instead of one person


def check_upload(upload: Upload | None, required: bool) -> dict[str, str]:
    if upload is None or not upload.filename:
        return {"product": N_("Attach the product file.")} if required else {}
    if not upload.data:
        return {"product": N_("The file is empty.")}
    if len(upload.data) > MAX_UPLOAD_BYTES:
        return {"product": N_("The file is larger than 20 MB.")}
    return {}


def _text(fields: dict[str, Any], name: str) -> str:
    return limited_text(fields.get(name), name)


def _assign(fields: dict[str, Any], choices: list[tuple[int, str]]) -> dict[str, Any]:
    """As offices assign: the main handler (`assignee`), co-handlers who work with them,
    people told for information, the head's instruction (ý kiến chỉ đạo) and an internal
    deadline earlier than the task's own (checked against it by the step).

    Instead of a person, the head may give the task to the unit's staff (`assignee` is
    UNIT_STAFF): it waits for them as a unit item until one takes it ("nhận xử lý"),
    and whoever takes it becomes the main handler (engine/process/actors.py)."""
    members = {user_id for user_id, _ in choices}
    shared = str(fields.get("assignee") or "").strip() == UNIT_STAFF
    assignee = None if shared else whole_number(fields.get("assignee"))
    errors: dict[str, str] = {}
    if assignee not in members and not shared:
        errors["assignee"] = N_("Choose a member of the unit to do this task.")
    co_handlers = [u for u in _user_ids(fields.get("co_handlers")) if u != assignee]
    informed = [u for u in _user_ids(fields.get("informed")) if u != assignee and u not in co_handlers]
    if not set(co_handlers + informed) <= members:
        errors["co_handlers"] = N_("Choose members of the unit.")
    internal_due = _text(fields, "internal_due")
    try:
        internal_due = date.fromisoformat(internal_due).isoformat() if internal_due else None
    except ValueError:
        errors["internal_due"] = N_("Give the date as YYYY-MM-DD.")
    if errors:
        raise InvalidInput(errors)
    extras = {"co_handlers": co_handlers, "informed": informed, "instruction": _text(fields, "instruction"),
              "internal_due": internal_due, "shared_with_unit": shared}
    return {"assignee": assignee, **{name: value for name, value in extras.items() if value}}


def _user_ids(value: Any) -> list[int | None]:
    """A list of ids from a form's several values or the API's list ("3,5"), in order, once
    each. An entry that is no id stays, as None, for the members check to refuse: dropped,
    `"co_handlers": "Lan"` assigned the task with no co-handler and said nothing. The spaces
    around an entry belong to the list's format ("3, 5"), not to the id."""
    values = value if isinstance(value, (list, tuple)) else str(value or "").split(",")
    entries = [v.strip() if isinstance(v, str) else v for v in values]
    return list(dict.fromkeys(whole_number(v) for v in entries if v != ""))


def _contribute(fields: dict[str, Any], _choices: list[tuple[int, str]]) -> dict[str, Any]:
    contribution = _text(fields, "contribution")
    if not contribution:
        raise InvalidInput({"contribution": N_("Write the unit's contribution.")})
    return {"contribution": contribution}


def _report(fields: dict[str, Any], _choices: list[tuple[int, str]]) -> dict[str, Any]:
    result = _text(fields, "result")
    if not result:
        raise InvalidInput({"result": N_("Describe the result.")})
    return {"result": result}


def _review(fields: dict[str, Any], _choices: list[tuple[int, str]]) -> dict[str, Any]:
    decision, comment = _text(fields, "decision"), _text(fields, "comment")
    if decision not in ("accept", "return"):
        raise InvalidInput({"decision": N_("Choose to accept or to return.")})
    if decision == "return" and not comment:
        raise InvalidInput({"comment": N_("Say why the report is returned.")})
    return {"decision": decision, "comment": comment}


def _done(_fields: dict[str, Any], _choices: list[tuple[int, str]]) -> dict[str, Any]:
    return {}


_VALIDATORS: dict[str, Callable[[dict[str, Any], list[tuple[int, str]]], dict[str, Any]]] = {
    "assign": _assign, "contribute": _contribute, "report": _report, "review": _review, "done": _done,
}


def validate(form: str, fields: dict[str, Any], upload: Upload | None,
             choices: list[tuple[int, str]]) -> dict[str, Any]:
    """The workflow data a step of kind `form` writes, or `InvalidInput`."""
    validator = _VALIDATORS.get(form)
    if validator is None:
        raise InvalidInput({"form": N_("This step has a form planflow does not know.")})
    errors = check_upload(upload, required=form == "report")
    try:
        data = validator(fields, choices)
    except InvalidInput as invalid:
        errors = {**invalid.errors, **errors}
        data = {}
    if errors:
        raise InvalidInput(errors)
    return data
