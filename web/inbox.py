"""The inbox: the steps waiting for me, and for my unit's role; a task list with filters,
sort, words and pages, where a step shared by the unit can be taken and given back."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.deadlines.extension_requests import pending_for
from engine.tasks.inbox import DUE_FILTERS, SORTS, WHOSE, InboxQuery, list_inbox
from engine.tasks.steps import claim, unclaim
from engine.ids import whole_number
from web.extensions import today, uow

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

bp = Blueprint("inbox", __name__)


@bp.get("/")
@login_required
def index() -> str:
    query = query_from(request.args)
    inbox = list_inbox(uow(), current_user.id, today(), query)
    requests = pending_for(uow(), current_user.id)  # extension requests I decide
    return render_template("inbox/index.html", inbox=inbox, extension_requests=requests, link=_linker(query),
                           due_filters=DUE_FILTERS, sorts=SORTS)


@bp.post("/steps/<int:work_item_id>/claim")
@login_required
def take(work_item_id: int) -> Response:
    claim(uow(), work_item_id, current_user.id)
    flash(_("The step is yours now; your colleagues no longer see it in their inbox."), "success")
    return redirect(_back())


@bp.post("/steps/<int:work_item_id>/unclaim")
@login_required
def give_back(work_item_id: int) -> Response:
    unclaim(uow(), work_item_id, current_user.id)
    flash(_("The step is back with your unit."), "success")
    return redirect(_back())


def query_from(args: Any) -> InboxQuery:
    """The inbox filters from a query string; what does not parse is ignored."""
    plan, page = args.get("plan", ""), args.get("page", "")
    due, whose, sort = args.get("due"), args.get("whose"), args.get("sort", "due")
    return InboxQuery(
        plan_id=whole_number(plan), step_id=args.get("step") or None,
        due=due if due in DUE_FILTERS else None, whose=whose if whose in WHOSE else None,
        text=args.get("q", "").strip()[:200], sort=sort if sort in SORTS else "due",
        page=whole_number(page, limit=99_999) or 1,
    )


def _linker(query: InboxQuery):
    base = {"plan": query.plan_id, "step": query.step_id, "due": query.due, "whose": query.whose,
            "q": query.text or None, "sort": None if query.sort == "due" else query.sort}

    def link(**changes: Any) -> str:
        return url_for("inbox.index", **{k: v for k, v in {**base, **changes}.items() if v is not None})

    return link


def _back() -> str:
    """The inbox as it was filtered (only a path of this site), else the step."""
    target = request.form.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target \
        else url_for("inbox.index")
