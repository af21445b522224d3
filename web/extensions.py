"""The app's shared objects, apart from `web/app.py` so that blueprints can import them
without importing the factory (which imports the blueprints).

- `uow()`: a fresh unit of work from the app's storage; views hand it to a service
  (`list_inbox(uow(), ...)`), which opens it, commits or not, and closes it.
- `whole_number(value)`: an id or count from a request, None unless it is one.
- `page()`: the page of a list asked for (`?page=`), 1 when absent or not a number.
- `today()`: the date in Vietnam, not on the server's clock: a server in UTC would
  call a task due today "overdue" from 00:00 to 07:00 local time.
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flask import current_app, g, has_request_context, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from engine import clock

if TYPE_CHECKING:
    from engine.unit_of_work import AbstractUnitOfWork

MAX_ID = 2**31 - 1  # the ids' column type (INTEGER) on PostgreSQL: a larger id names nothing

csrf = CSRFProtect()
login_manager = LoginManager()


def uow() -> AbstractUnitOfWork:
    """In a request, its units of work share what was read of the person and of the office
    days' version (the session's check reads both): a page does not read its person twice."""
    storage = current_app.extensions["planflow"]
    if not has_request_context():
        return storage.uow()
    if "planflow_seen" not in g:
        g.planflow_seen = {}
    return storage.uow(g.planflow_seen)


def whole_number(value: object, limit: int = MAX_ID) -> int | None:
    """A number typed or sent as ASCII digits (or a JSON int), up to `limit`; None for
    anything else. `str.isdigit` alone lets through "²" (int() then raises) and numbers
    too large for the database's integer (the driver then raises): both were 500s."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= len(str(limit)):
        number = int(value)
    else:
        return None
    return number if 0 <= number <= limit else None


def page() -> int:
    return whole_number(request.args.get("page", ""), limit=99_999) or 1


def today() -> date:
    """Today in Vietnam; `TODAY` in the config (ISO date) pins it for tests and demos."""
    pinned = current_app.config.get("TODAY")
    if pinned:
        return pinned if isinstance(pinned, date) else date.fromisoformat(pinned)
    return clock.today(clock.SystemClock())
