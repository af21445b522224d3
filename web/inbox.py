"""The inbox: the steps waiting for me, and for my unit's role."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from engine.deadlines.extension_requests import pending_for
from engine.tasks.inbox import list_inbox
from web.extensions import today, uow

bp = Blueprint("inbox", __name__)


@bp.get("/")
@login_required
def index() -> str:
    inbox = list_inbox(uow(), current_user.id, today())
    requests = pending_for(uow(), current_user.id)  # extension requests I decide
    return render_template("inbox/index.html", inbox=inbox, extension_requests=requests)
