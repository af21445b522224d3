"""My unit's tasks and my own: the same states, counts and filters as the dashboard."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user, login_required

from engine.reading.progress import STATE_LABELS, STATES
from engine.reading.unit_work import WorkView, person_work, unit_work
from web.dashboard import filters_from
from web.extensions import page, today, uow

bp = Blueprint("work", __name__)


@bp.get("/unit")
@login_required
def unit() -> str:
    filters = filters_from(request.args)
    if request.args.get("lead") == "1":
        filters = replace(filters, unit_id=current_user.unit_id)
    view = unit_work(uow(), current_user.id, today(), filters, page())
    return _render(view, "work.unit")


@bp.get("/mine")
@login_required
def mine() -> str:
    return _render(person_work(uow(), current_user.id, today(), filters_from(request.args), page()), "work.mine")


def _render(view: WorkView, endpoint: str) -> str:
    f = view.filters
    base = {"plan": f.plan_id, "status": f.state, "from": f.due_from, "to": f.due_to,
            "lead": "1" if f.unit_id else None}

    def link(**changes: Any) -> str:
        args = {k: v for k, v in {**base, **changes}.items() if v is not None}
        return url_for(endpoint, **args)

    return render_template("work/index.html", view=view, link=link, endpoint=endpoint, states=STATES,
                           state_labels=STATE_LABELS)
