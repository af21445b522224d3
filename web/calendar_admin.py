"""The office calendar page: the year's public holidays and the office's own days,
adding and removing office days (leadership and plan monitor only)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.deadlines import office_days
from engine.deadlines.task_dates import parse_day
from engine.errors import N_, InvalidInput, NotAllowed
from web.extensions import today, uow

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

bp = Blueprint("calendar_admin", __name__, url_prefix="/calendar")


@bp.before_request
@login_required
def require_editor() -> None:
    # The service checks again on every change; this keeps the page itself private.
    # `login_required` lets OPTIONS through unauthenticated (a CORS preflight): nobody's role to read.
    if current_user.is_authenticated and not office_days.may_change(current_user.role):
        raise NotAllowed(N_("Only the leadership and the plan monitor change the office calendar."))


@bp.get("")
def index() -> str:
    return _page(_year(request.args.get("year")), errors={}, values={})


@bp.post("/days")
def add() -> str | tuple[str, int] | Response:
    values = {name: request.form.get(name, "") for name in ("day", "kind", "name")}
    try:
        office_days.add_day(uow(), current_user.id, values["day"], values["kind"], values["name"])
    except InvalidInput as error:
        errors = {field: _(message) for field, message in error.errors.items()}
        return _page(_year_of(values["day"]), errors=errors, values=values), 400
    flash(_("The day was added to the office calendar."), "success")
    return redirect(url_for(".index", year=_year_of(values["day"])))


@bp.post("/days/<int:day_id>/delete")
def remove(day_id: int) -> Response:
    office_days.remove_day(uow(), current_user.id, day_id)
    flash(_("The day was removed from the office calendar."), "success")
    return redirect(url_for(".index", year=request.form.get("year") or None))


def _page(year: int, errors: dict[str, str], values: dict[str, str]) -> str:
    return render_template("calendar/index.html", year=year, days=office_days.list_days(uow(), year),
                           errors=errors, values=values)


def _year(text: str | None) -> int:
    """The year asked for, or this year when the text is not a year we list."""
    try:
        year = int(text or "")
    except ValueError:
        return today().year
    return year if office_days.MIN_YEAR <= year <= office_days.MAX_YEAR else today().year


def _year_of(day: str) -> int:
    """The year of a typed date (ISO or dd/mm/yyyy), to show that year's page again."""
    parsed = parse_day(day)
    return _year(str(parsed.year) if parsed else None)
