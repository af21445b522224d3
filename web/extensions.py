"""The app's shared objects, apart from `web/app.py` so that blueprints can import them
without importing the factory (which imports the blueprints).

- `uow()`: a fresh unit of work from the app's storage; views hand it to a service
  (`list_inbox(uow(), ...)`), which opens it, commits or not, and closes it.
- `page()`: the page of a list asked for (`?page=`), 1 when absent or not a number.
- `today()`: the date in Vietnam, not on the server's clock: a server in UTC would
  call a task due today "overdue" from 00:00 to 07:00 local time.
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flask import current_app, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from engine import clock

if TYPE_CHECKING:
    from engine.unit_of_work import AbstractUnitOfWork

MAX_ID = 2**31 - 1  # the ids' column type (INTEGER) on PostgreSQL: a larger id names nothing

csrf = CSRFProtect()
login_manager = LoginManager()


def uow() -> AbstractUnitOfWork:
    return current_app.extensions["planflow"].uow()


def page() -> int:
    asked = request.args.get("page", "")
    return int(asked) if asked.isdigit() and len(asked) < 7 else 1


def today() -> date:
    """Today in Vietnam; `TODAY` in the config (ISO date) pins it for tests and demos."""
    pinned = current_app.config.get("TODAY")
    if pinned:
        return pinned if isinstance(pinned, date) else date.fromisoformat(pinned)
    return clock.today(clock.SystemClock())
