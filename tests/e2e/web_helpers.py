"""Helpers for the web tests: an app on a real SQLite file built by the lead's
`tests.support.office`, one task waiting at its first step, and logging in.

Imported by `tests/e2e/test_web_*.py`, `tests/e2e/test_browser_task_flow.py` and
`tests/integration/test_api_*.py`; not a conftest, so it adds no fixture elsewhere.
"""
from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from adapters.demo.loader import DEMO_PASSWORD
from engine.tasks import steps
from tests.support.deadlines import office_clock
from tests.support.office import KSTTHC, Office, clock_on, deploy_settings, make_office
from web import create_app

# The unit head of KSTTHC assigns; its staff member reports; the monitor reviews.
HEAD, STAFF, OTHER_STAFF, MONITOR, OUTSIDER = "truong.kstthc", "cv.kstthc", "cv.kstthc2", "theodoi", "cv.th"
DUE = date(2024, 3, 29)


@dataclass
class WebWorld:
    office: Office
    app: Flask
    plan_id: int

    def ready(self) -> list[Any]:
        return self.office.ready(self.plan_id)

    def step(self, form: str) -> int:
        """The id of the one work item waiting with this form (`assign`, `report`, ...):
        by form, not step id, since a first report is the period's (`report_period`) and
        a report after a return is `report`."""
        ids = [item.id for item in self.ready() if item.form == form]
        assert len(ids) == 1, (form, [(i.step_id, i.form) for i in self.ready()])
        return ids[0]

    def client(self, username: str | None = None) -> FlaskClient:
        client = self.app.test_client()
        if username:
            login(client, username)
        return client


def build_world(url: str, tasks: list[dict[str, Any]] | None = None,
                process_settings: dict[str, bool] | None = None, **config: Any) -> WebWorld:
    """A migrated office with one plan of one task (lead: KSTTHC, no coordinators, unless
    `tasks` says otherwise), its process started and waiting at `assign`; the app pinned
    to a day before DUE. `process_settings` turns the shipped process's settings (e.g.
    unit_approval) before the plan starts."""
    office = make_office(url)
    if process_settings:
        deploy_settings(office, clock_on(date(2024, 1, 15)).now(), **process_settings)
    plan_id = office.plan(tasks or [{"ref": "1", "title": "Rà soát thủ tục hành chính", "lead": [KSTTHC],
                                     "due": DUE.isoformat()}])
    settings = {"DATABASE_URL": url, "TESTING": True, "WTF_CSRF_ENABLED": False,
                "SECRET_KEY": "test", "TODAY": date(2024, 3, 27), **config}
    return WebWorld(office=office, app=create_app(settings), plan_id=plan_id)


@contextmanager
def assigned_world(url: str, **config: Any) -> Iterator[WebWorld]:
    """`build_world`, its task assigned to STAFF on 16 January 2024, inside that day's
    office clock (kept as `world.clock` for the test to move on)."""
    world = build_world(url, **config)
    with office_clock(date(2024, 1, 16)) as clock:
        steps.complete_step(world.office.uow(), world.step("assign"), world.office.users[HEAD],
                            {"assignee": world.office.users[STAFF]}, clock=clock)
        world.clock = clock
        yield world
    world.office.storage.engine.dispose()


def login(client: FlaskClient, username: str, password: str = DEMO_PASSWORD) -> None:
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


def basic(username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    """HTTP Basic credentials for the API."""
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token a page carries (empty when CSRF is off in the app)."""
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf-token" content="([^"]*)"', html)
    return found.group(1) if found else ""
