"""The app's shared objects, apart from `web/app.py` so that blueprints can import them
without importing the factory (which imports the blueprints).

- `uow()`: a fresh unit of work from the app's storage; views hand it to a service
  (`list_inbox(uow(), ...)`), which opens it, commits or not, and closes it.
- `page()`: the page of a list asked for (`?page=`), 1 when absent or not a number
  (`engine.ids.whole_number`: what an id or count is).
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
from engine.ids import whole_number

if TYPE_CHECKING:
    from engine.unit_of_work import AbstractUnitOfWork

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


def page() -> int:
    return whole_number(request.args.get("page", ""), limit=99_999) or 1


def today() -> date:
    """Today in Vietnam; `TODAY` in the config (ISO date) pins it for tests and demos."""
    pinned = current_app.config.get("TODAY")
    if pinned:
        return pinned if isinstance(pinned, date) else date.fromisoformat(pinned)
    return clock.today(clock.SystemClock())
