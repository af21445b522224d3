"""Plans, their tasks, and each task's history and files."""
from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING

from flask import Blueprint, render_template, send_file
from flask_login import login_required

from engine.plans import get_attachment, list_plans, plan_overview, task_detail
from web.extensions import today, uow

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

bp = Blueprint("plans", __name__)


@bp.get("/plans")
@login_required
def index() -> str:
    return render_template("plans/index.html", plans=list_plans(uow()))


@bp.get("/plans/<int:plan_id>")
@login_required
def show(plan_id: int) -> str:
    return render_template("plans/plan.html", view=plan_overview(uow(), plan_id, today()))


@bp.get("/tasks/<int:task_id>")
@login_required
def task(task_id: int) -> str:
    return render_template("plans/task.html", view=task_detail(uow(), task_id, today()))


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int) -> Response:
    return send_attachment(attachment_id)


def send_attachment(attachment_id: int) -> Response:
    """Always as a download, never rendered inline: an uploaded HTML or SVG file must
    not run as a page of this site."""
    found = get_attachment(uow(), attachment_id)
    response = send_file(BytesIO(found.data), mimetype=found.content_type or "application/octet-stream",
                         as_attachment=True, download_name=found.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Were a browser to show it anyway (an old one, a "view" button), no script of it runs here.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
