"""Plans, their tasks, and each task's history and files."""
from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING

from flask import Blueprint, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from engine.reading.plan_pages import (
    get_attachment,
    list_plans,
    plan_overview,
    task_detail,
)
from web.extensions import page, today, uow

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

bp = Blueprint("plans", __name__)
# Types a browser shows itself, none of which can run a script of this site: a report's
# PDF or scan opens in a tab to be read before it is judged. HTML and SVG stay downloads.
VIEWABLE = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain"})


@bp.app_template_filter("viewable")
def viewable(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() in VIEWABLE


@bp.get("/plans")
@login_required
def index() -> str:
    return render_template("plans/index.html", plans=list_plans(uow()))


@bp.get("/plans/<int:plan_id>")
@login_required
def show(plan_id: int) -> str:
    view = plan_overview(uow(), plan_id, today(), current_user.id, page())
    return render_template("plans/plan.html", view=view,
                           link=lambda **args: url_for("plans.show", plan_id=plan_id, **args))


@bp.get("/tasks/<int:task_id>")
@login_required
def task(task_id: int) -> str:
    return render_template("plans/task.html", view=task_detail(uow(), task_id, today(), current_user.id))


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int) -> Response:
    return send_attachment(attachment_id)


def send_attachment(attachment_id: int) -> Response:
    """A download; with `?view=1`, a PDF, an image or plain text is shown in the browser
    instead. Any other type (an uploaded HTML or SVG file above all) is always a
    download, so it never runs as a page of this site."""
    found = get_attachment(uow(), attachment_id, current_user.id)
    inline = request.args.get("view") == "1" and viewable(found.content_type)
    response = send_file(BytesIO(found.data), mimetype=found.content_type or "application/octet-stream",
                         as_attachment=not inline, download_name=found.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Were a browser to show a download anyway (an old one), no script of it runs here;
    # a shown PDF needs the browser's own viewer, which a sandbox would block.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; object-src 'self'; style-src 'unsafe-inline'" if inline
        else "default-src 'none'; sandbox")
    return response
