"""Progress pages: a plan's dashboard, the leader's overview, search, report downloads,
and the dashboard's JSON (`/api/plans/<id>/progress`)."""
from __future__ import annotations

import re
from dataclasses import asdict
from datetime import date
from io import BytesIO
from typing import TYPE_CHECKING, Any

from flask import Blueprint, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from adapters.reports.docx_report import render_docx
from adapters.reports.rows import file_name
from adapters.reports.xlsx_report import render_xlsx
from engine.clock import SystemClock
from engine.deadlines.task_dates import parse_day
from engine.errors import N_, InvalidInput, NotAllowed
from engine.reading import period_reports
from engine.reading.period_reports import period_report
from engine.reading.progress import (
    RUNG_LABELS,
    SEARCH_COUNTED,
    STATE_LABELS,
    STATES,
    Dashboard,
    Filters,
    TaskProgress,
    leader_overview,
    plan_dashboard,
)
from engine.reading.search import SearchResults, search_tasks
from engine.reading.search_text import words
from engine.text_folding import fold
from engine.ids import whole_number
from web import api
from web.extensions import page, today, uow
from web.i18n import DEFAULT_LOCALE

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

bp = Blueprint("dashboard", __name__)
_TOKENS = re.compile(r"(\w+)")
VIEWERS = ("leader", "monitor")  # who follows plans: the leadership and the monitoring unit
UNREAD_DAY = N_("Give the date as dd/mm/yyyy or yyyy-mm-dd.")
MIMETYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def require_viewer() -> None:
    if current_user.role not in VIEWERS:
        raise NotAllowed(N_("Only the leadership and the plan monitor see plan progress."))


@bp.get("/plans/<int:plan_id>/dashboard")
@login_required
def plan(plan_id: int) -> str:
    require_viewer()
    # The page shows the notices of the most overdue tasks alone (the JSON, every task's).
    view = plan_dashboard(uow(), plan_id, today(), filters_from(request.args), page(), every_notice=False)
    return render_template("dashboard/plan.html", view=view, charts=chart_data(view),
                           state_labels=STATE_LABELS, states=STATES, rung_labels=RUNG_LABELS,
                           link=dashboard_link(view))


@bp.get("/overview")
@login_required
def overview() -> str:
    require_viewer()
    return render_template("dashboard/overview.html", view=leader_overview(uow(), today()))


@bp.get("/search")
@login_required
def search() -> str:
    query, filters = request.args.get("q", "").strip(), filters_from(request.args)
    found = (search_tasks(uow(), query, today(), filters, user_id=current_user.id, page=page(),
                          counted=whole_number(request.args.get("n", ""), limit=SEARCH_COUNTED + 1),
                          after=_place(request.args.get("after", "")))
             if query or filters != Filters() else None)
    return render_template("dashboard/search.html", query=query, found=found, state_labels=STATE_LABELS,
                           link=lambda **args: url_for("dashboard.search", **_next_page(found, args)))


def _next_page(found: SearchResults | None, args: dict[str, Any]) -> dict[str, Any]:
    """The address's arguments for another page of `found`: with the count (not counted
    again), and for the next page where this one ended (read from there, `search_tasks`)."""
    wanted = {key: value for key, value in {**request.args, **args}.items() if key not in ("n", "after")}
    if found is not None and set(args) == {"page"}:
        wanted["n"] = found.found
        if args["page"] == found.page + 1 and found.next_after is not None:
            wanted["after"] = "%d.%d" % found.next_after
    return wanted


def _place(value: str) -> tuple[int, int] | None:
    """`after` as `_next_page` writes it (`<rest>.<rank>`); None for anything else."""
    rest, _, rank = value.partition(".")
    place = whole_number(rest, limit=1), whole_number(rank)
    return None if None in place else place


@bp.post("/plans/<int:plan_id>/reports")
@login_required
def queue_report(plan_id: int) -> Response:
    """The report as a background job; its page shows it being made, then offers the file."""
    require_viewer()
    job_id = period_reports.queue_report(
        uow(), plan_id, request.form.get("kind", ""), today(), *_period(request.form),
        get_locale().language if get_locale() else DEFAULT_LOCALE,
        current_user.id, SystemClock())
    return redirect(url_for("jobs.show", job_id=job_id))


@bp.get("/plans/<int:plan_id>/report.<any(docx, xlsx):kind>")
@login_required
def report(plan_id: int, kind: str) -> Response:
    require_viewer()
    start, end = _period(request.args)
    found = period_report(uow(), plan_id, today(), start, end)
    data = (render_docx if kind == "docx" else render_xlsx)(found, _)
    return send_file(BytesIO(data), mimetype=MIMETYPES[kind], as_attachment=True,
                     download_name=file_name(found, _, kind), max_age=0)


def progress_json(plan_id: int) -> Response:
    """The dashboard as JSON: the same read model, the same filters (query string)."""
    require_viewer()
    view = plan_dashboard(uow(), plan_id, today(), filters_from(request.args), page())
    return jsonify(dashboard_json(view))


# Registered on the API's blueprint, so that it shares the API's authentication
# (session or HTTP Basic), CSRF rule and JSON errors. This module is imported by
# `web/app.py` before any app registers the blueprint.
api.bp.add_url_rule("/plans/<int:plan_id>/progress", "progress", progress_json)


@bp.app_template_filter("highlight")
def highlight(text: str, query: str) -> Markup:
    """`text` with the words of `query` marked (<mark>), compared folded, as search matched."""
    wanted = set(words(fold(query or "")))
    parts = _TOKENS.split(text or "")
    return Markup("").join(Markup("<mark>%s</mark>") % part if part and fold(part).lower() in wanted
                           else escape(part) for part in parts)


# --- input -----------------------------------------------------------------------------

def filters_from(args: Any) -> Filters:
    """Filters from the query string; a value that does not parse is ignored."""
    unit, plan = args.get("unit", ""), args.get("plan", "")
    state = args.get("status")
    return Filters(unit_id=whole_number(unit), state=state if state in STATES else None,
                   due_from=parse_day(args.get("from")), due_to=parse_day(args.get("to")),
                   plan_id=whole_number(plan))


def _period(values: Any) -> tuple[date | None, date | None]:
    """A report's period (`from`, `to`) as typed, yyyy-mm-dd or dd/mm/yyyy; empty: no
    bound. Unlike a list's filters, a day that does not read is refused: ignored, it made
    a report of the whole plan, sent on as the period asked for."""
    days = {name: parse_day(values.get(name)) for name in ("from", "to")}
    unread = {name: UNREAD_DAY for name, day in days.items() if day is None and (values.get(name) or "").strip()}
    if unread:
        raise InvalidInput(unread, UNREAD_DAY)
    return days["from"], days["to"]


# --- output ----------------------------------------------------------------------------

def dashboard_link(view: Dashboard):
    """`link(status=..., unit=...)`: this dashboard's URL with the current filters and
    those given, at its task list. Every number on the page links through it."""
    base = {"unit": view.filters.unit_id, "status": view.filters.state,
            "from": view.filters.due_from, "to": view.filters.due_to, "page": None}

    def link(**changes: Any) -> str:
        args = {k: v for k, v in {**base, **changes}.items() if v is not None}
        return url_for("dashboard.plan", plan_id=view.plan.id, _anchor="tasks", **args)

    return link


def chart_data(view: Dashboard) -> dict[str, Any]:
    return {
        "states": [{"key": s, "label": _(STATE_LABELS[s])} for s in STATES],
        "units": [{"name": u.name, "counts": u.counts} for u in view.units],
        "completion": [asdict(p) for p in view.completion],
        "series": {"due": _("Due"), "on_time": _("Done on time"), "late": _("Done late")},
    }


def dashboard_json(view: Dashboard) -> dict[str, Any]:
    f = view.filters
    return {
        "plan": {"id": view.plan.id, "number": view.plan.number, "title": view.plan.title,
                 "issued_on": view.plan.issued_on, "monitor": view.monitor},
        "today": view.today,
        "filters": {"unit": f.unit_id, "status": f.state, "from": f.due_from, "to": f.due_to},
        "counts": view.counts,
        "units": [{"unit_id": u.unit_id, "name": u.name, "counts": u.counts} for u in view.units],
        "overdue": [_task_json(t) for t in view.overdue],
        "tasks": [_task_json(t) for t in view.tasks],
        "listed": view.listed, "page": view.page, "pages": view.pages,
        "completion": [asdict(p) for p in view.completion],
    }


def _task_json(task: TaskProgress) -> dict[str, Any]:
    return {
        "id": task.id, "ref": task.ref, "title": task.title, "state": task.state, "due": task.due_on,
        "closed_on": task.closed_on, "days_late": task.days_late,
        "lead": [u.name for u in task.lead], "coordinators": [u.name for u in task.coordinators],
        "steps": [asdict(s) for s in task.steps], "notices": [asdict(n) for n in task.notices],
        "url": url_for("plans.task", task_id=task.id),
    }
