"""The JSON API: the same services as the pages, for scripts and other systems.

Authentication: the pages' session cookie, or HTTP Basic auth (`curl -u user:pass`).

CSRF, the rule: a state-changing request (POST) authenticated by the **session
cookie** must carry the session's CSRF token in the `X-CSRFToken` header (the pages
expose it as `<meta name="csrf-token">`), because a browser attaches that cookie to
requests that other sites forge. A request authenticated by **Basic auth** is exempt:
a forged cross-site request cannot add an `Authorization` header, and browsers only
attach cached Basic credentials after a `WWW-Authenticate: Basic` challenge, which
this API never sends (its 401 says `WWW-Authenticate: Planflow-Basic`, so no browser
prompts for, or caches, a password). When both come, the session wins and the token
is required.

Errors are always `{"error": {"code", "message", "fields"}}` (`web/errors.py`).
"""
from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine import model
from engine.reading.plan_pages import TaskLine, list_plans, plan_overview, task_detail
from engine.tasks.inbox import list_inbox
from engine.tasks.steps import claim, complete_step, get_step, unclaim
from web.errors import json_error
from web.inbox import query_from as inbox_query
from web.extensions import csrf, page, today, uow
from web.plans import send_attachment
from web.steps import upload_from

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

    from engine.reading.plan_pages import TaskView
    from engine.tasks.steps import StepView

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.before_request
def authenticate_and_check_csrf() -> Response | None:
    if not current_user.is_authenticated:  # session, else Basic auth (web/auth.py)
        response = json_error(401, "unauthorized", _("Log in, or send HTTP Basic credentials."))
        response.headers["WWW-Authenticate"] = 'Planflow-Basic realm="planflow"'
        return response
    if not current_user.via_basic and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()  # raises CSRFError (400) on POST without a valid X-CSRFToken
    return None


@bp.get("/inbox")
def inbox() -> Response:
    """The inbox with the page's filters (`plan`, `step`, `due`, `whose`, `q`, `sort`, `page`)."""
    found = list_inbox(uow(), current_user.id, today(), inbox_query(request.args))
    return jsonify({"counts": found.counts, "page": found.page, "pages": found.pages,
                    "items": [_inbox_item(i) for i in found.items]})


@bp.post("/steps/<int:work_item_id>/claim")
def claim_step(work_item_id: int) -> Response:
    claim(uow(), work_item_id, current_user.id)
    return jsonify(_step(get_step(uow(), work_item_id, current_user.id)))


@bp.post("/steps/<int:work_item_id>/unclaim")
def unclaim_step(work_item_id: int) -> Response:
    unclaim(uow(), work_item_id, current_user.id)
    return jsonify(_step(get_step(uow(), work_item_id, current_user.id)))


@bp.get("/steps/<int:work_item_id>")
def step(work_item_id: int) -> Response:
    return jsonify(_step(get_step(uow(), work_item_id, current_user.id)))


@bp.post("/steps/<int:work_item_id>/complete")
def complete(work_item_id: int) -> Response:
    """JSON body (`{"assignee": 7}`), or multipart form fields with the report's file
    as `product`."""
    if request.is_json:
        fields, upload = request.get_json(silent=True), None
        if not isinstance(fields, dict):
            return json_error(400, "bad_request", _("The body must be a JSON object."))
    else:
        fields, upload = request.form.to_dict(), upload_from(request.files.get("product"))
    complete_step(uow(), work_item_id, current_user.id, fields, upload)
    return jsonify(_step(get_step(uow(), work_item_id, current_user.id)))


@bp.get("/plans")
def plans() -> Response:
    return jsonify({"plans": [_plan_row(row) for row in list_plans(uow())]})


@bp.get("/plans/<int:plan_id>")
def plan(plan_id: int) -> Response:
    view = plan_overview(uow(), plan_id, today(), current_user.id, page())
    return jsonify({
        "plan": _plan(view.plan), "monitor": view.monitor, "listed": view.listed, "page": view.page,
        "pages": view.pages,
        "tasks": [{**_task(row.task), "lead": row.lead, "coordinators": row.coordinators,
                   "steps": [asdict(s) for s in row.steps]} for row in view.tasks],
    })


@bp.get("/tasks/<int:task_id>")
def task(task_id: int) -> Response:
    return jsonify(_task_view(task_detail(uow(), task_id, today(), current_user.id)))


@bp.get("/attachments/<int:attachment_id>")
def attachment(attachment_id: int) -> Response:
    return send_attachment(attachment_id)


# --- representations: explicit, so a new column never leaks out by accident ----------

def _inbox_item(item: Any) -> dict[str, Any]:
    return {**asdict(item), "url": url_for("api.step", work_item_id=item.work_item_id)}


def _step(view: StepView) -> dict[str, Any]:
    item = view.item
    return {
        "id": item.id, "step_id": item.step_id, "step_name": item.step_name, "form": view.form,
        "state": view.state, "can_act": view.can_act, "due": item.due_on, "claimed_by": item.claimed_by,
        "choices": [{"id": uid, "name": name} for uid, name in view.choices],
        "task": _task(view.task), "plan": _plan(view.plan),
    }


def _plan(plan: model.Plan) -> dict[str, Any]:
    return {"id": plan.id, "number": plan.number, "title": plan.title, "year": plan.year,
            "issued_on": plan.issued_on}


def _plan_row(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "number", "title", "year", "issued_on", "tasks", "closed")
    return {key: row.get(key) for key in keys}


def _task(task: model.PlanTask | TaskLine) -> dict[str, Any]:
    return {
        "id": task.id, "plan_id": task.plan_id, "ref": task.ref, "title": task.title,
        "content": task.content, "product": task.product, "director": task.director,
        "deadline_text": task.deadline_text, "due": task.due_on, "status": task.status,
        "closed_on": task.closed_on,
    }


def _task_view(view: TaskView) -> dict[str, Any]:
    return {
        **_task(view.task), "plan": _plan(view.plan), "lead": view.lead,
        "coordinators": view.coordinators, "steps": [asdict(s) for s in view.steps],
        "history": [
            {"at": h["at"], "action": h["action"], "step_id": h.get("step_id"), "step_name": h.get("step_name"),
             "actor": h.get("actor_name"), "detail": h.get("detail") or {}}
            for h in view.history
        ],
        "attachments": [
            {"id": a["id"], "filename": a["filename"], "content_type": a["content_type"], "size": a["size"],
             "uploaded_at": a["uploaded_at"],
             "url": url_for("api.attachment", attachment_id=a["id"])}
            for a in view.attachments
        ],
    }
