"""What each kind of step asks for, and the checks on it (`planflow:form` in the BPMN).

Returns the data the step writes into the workflow; raises `InvalidInput` with one
message per field, so the page can show the form again with its errors.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from engine.errors import N_, InvalidInput

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# A step's texts go into the workflow's state and every page that shows the task: a
# long report fits; a pasted megabyte does not.
MAX_TEXT = 10_000
FORMS = ("assign", "contribute", "report", "review", "done")  # "done": a manualTask, nothing to fill in


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


MAX_FILENAME = 200


def safe_filename(name: str) -> str:
    """The name a file is kept and downloaded under: its last path part (a browser may
    send "C:\\Users\\...\\report.pdf", a script "../../x"), without control characters
    (they would break the download's header), at most MAX_FILENAME characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")
    return cleaned[-MAX_FILENAME:] or "file"


def check_upload(upload: Upload | None, required: bool) -> dict[str, str]:
    if upload is None or not upload.filename:
        return {"product": N_("Attach the product file.")} if required else {}
    if not upload.data:
        return {"product": N_("The file is empty.")}
    if len(upload.data) > MAX_UPLOAD_BYTES:
        return {"product": N_("The file is larger than 20 MB.")}
    return {}


def limited_text(value: Any, name: str) -> str:
    """`value` as stripped text, or `InvalidInput` on field `name` past MAX_TEXT."""
    text = str(value or "").strip()
    if len(text) > MAX_TEXT:
        raise InvalidInput({name: N_("This text is too long: write at most 10,000 characters.")})
    return text


def _text(fields: dict[str, Any], name: str) -> str:
    return limited_text(fields.get(name), name)


def _assign(fields: dict[str, Any], choices: list[tuple[int, str]]) -> dict[str, Any]:
    try:
        assignee = int(fields.get("assignee") or 0)
    except (TypeError, ValueError):
        assignee = 0
    if assignee not in {user_id for user_id, _ in choices}:
        raise InvalidInput({"assignee": N_("Choose a member of the unit to do this task.")})
    return {"assignee": assignee}


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
