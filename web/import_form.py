"""The review form of an import, read back into the draft's shape (engine/import_draft.py).

Field names: `plan-<field>`, `task-<i>-<field>`, `task-<i>-lead` / `-coordinators`
(multiple selects of unit keys), `new-<j>-create` (the checkbox that confirms a
proposed unit). What the form does not show (content, product, the parsed
schedule) comes from the stored draft, so nothing read is lost.
"""
from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from engine.importing.draft import ImportDraft

PLAN_FIELDS = ("number", "issued_on", "year", "title", "monitor_unit_id", "process_key")
TASK_FIELDS = ("ref", "title", "director", "deadline_text", "due", "process_key")  # process_key "": the plan's


def edits_from_form(form: MultiDict, draft: ImportDraft) -> dict[str, Any]:
    edits = draft.to_dict()
    for name in PLAN_FIELDS:
        if f"plan-{name}" in form:
            edits["plan"][name] = form.get(f"plan-{name}", "").strip()
    for i, task in enumerate(edits["tasks"]):
        for name in TASK_FIELDS:
            if f"task-{i}-{name}" in form:
                task[name] = form.get(f"task-{i}-{name}", "").strip()
        task["lead"] = form.getlist(f"task-{i}-lead")
        task["coordinators"] = form.getlist(f"task-{i}-coordinators")
    for j, unit in enumerate(edits["new_units"]):
        unit["create"] = f"new-{j}-create" in form
    return edits
