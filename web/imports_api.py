"""The import's JSON API, on the API blueprint (its authentication and CSRF rule):

- `POST /api/imports` (multipart, the file as `plan`) → 201 `{"id", "draft",
  "review_url", "confirm_url"}`; a file that is no plan → 400 with the reason. A PDF
  or a scan is read in the background: 202 `{"job", "progress_url", "page_url"}`;
  `progress_url` gives `{"state", "done", "total", "url"}` (the review page once
  read) or the `error`.
- `GET /api/imports/<id>/deadline?text=…&year=…` → `{"schedule", "resolved",
  "summary", "reason"}`: a deadline text read as confirm would read it (the review page
  asks as the person types); `reason` says why an unread text is not read.
- `POST /api/imports/<id>/confirm` with the edited draft as the JSON body (the
  draft's own shape; no body confirms it as read) → 201 `{"plan_id", "url"}`.

Unit keys in a draft: a known unit's id as text, or "new:<n>" for the n-th of
`new_units`, created only when its `create` is true.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine.importing import plan_import
from engine.importing.errors import PlanFileError
from web.api import bp
from web.errors import json_error
from web.extensions import uow
from web.imports import file_error_message, schedule_summary, start_import, unread_reason

if TYPE_CHECKING:
    from werkzeug.wrappers import Response


@bp.post("/imports")
def create_import() -> Response:
    try:
        draft = start_import(request.files.get("plan"))
    except PlanFileError as error:
        return json_error(400, "unreadable_plan", file_error_message(error))
    if isinstance(draft, int):  # a PDF or a scan, read page by page in the background
        response = jsonify({"job": draft, "progress_url": url_for("jobs.progress", job_id=draft),
                            "page_url": url_for("jobs.show", job_id=draft)})
        response.status_code = 202
        return response
    response = jsonify({
        "id": draft.id, "draft": draft.to_dict(),
        "review_url": url_for("imports.review", draft_id=draft.id),
        "confirm_url": url_for("api.confirm_import", draft_id=draft.id),
    })
    response.status_code = 201
    return response


@bp.get("/imports/<int:draft_id>/deadline")
def read_deadline(draft_id: int) -> Response:
    """`?text=…&year=…`: the deadline text read as confirm would read it, while the
    person types it on the review page."""
    schedule = plan_import.reread_deadline(uow(), draft_id, current_user.id, request.args.get("text", ""),
                                           request.args.get("year"))
    resolved = schedule["kind"] != "unresolved"
    return jsonify({"schedule": schedule, "resolved": resolved, "summary": schedule_summary(schedule),
                    "reason": None if resolved else unread_reason(schedule)})


@bp.post("/imports/<int:draft_id>/confirm")
def confirm_import(draft_id: int) -> Response:
    stored = plan_import.load_draft(uow(), draft_id, current_user.id)
    edits = request.get_json(silent=True) if request.data else stored.to_dict()
    if not isinstance(edits, dict):
        return json_error(400, "bad_request", _("The body must be a JSON object."))
    plan_id = plan_import.confirm(uow(), edits, current_user.id, draft_id=draft_id)
    response = jsonify({"plan_id": plan_id, "url": url_for("api.plan", plan_id=plan_id)})
    response.status_code = 201
    return response
