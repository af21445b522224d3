"""`planflow repair` finds the instances a restart stalled (a step saved as done, no next
step) and moves them on, saying what it did; a dry run only reports."""
from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from adapters.storage import Storage
from engine.tasks import steps
from engine.workflow import serializer
from tests.support.office import KSTTHC, TTPV, clock_on, make_office
from tests.support.workflow import cut_loop_merges
from web.cli import main

DAY = date(2024, 3, 4)


@pytest.fixture
def office(sqlite_url, monkeypatch):
    monkeypatch.setenv("PLANFLOW_DATABASE_URL", sqlite_url)
    office = make_office(sqlite_url)
    yield office
    office.storage.engine.dispose()


def complete_as_main_did(office, monkeypatch, item, username, fields):
    """Complete a step in a fresh process of today's main: a new parse, never wired."""
    storage = Storage(office.storage.url)
    with monkeypatch.context() as patched:
        patched.setattr(serializer, "connect_loop_merges", cut_loop_merges)
        steps.complete_step(storage.uow(), item.id, office.users[username], fields, clock=clock_on(DAY))
    storage.engine.dispose()


def test_a_coordination_stalled_by_a_restart_is_repaired_and_reported(office, monkeypatch):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV], "due": "2024-03-29"},
                           {"ref": "2", "lead": [KSTTHC], "coordinators": [TTPV], "due": "2024-03-29"}])
    for assign in office.ready(plan_id):
        steps.complete_step(office.uow(), assign.id, office.users["truong.kstthc"],
                            {"assignee": office.users["cv.kstthc"]}, clock=clock_on(DAY))
    stalled, healthy = sorted(office.ready(plan_id), key=lambda i: i.plan_task_id)
    complete_as_main_did(office, monkeypatch, stalled, "giamdoc.ttpv", {"contribution": "Góp ý"})
    assert [i.id for i in office.ready(plan_id)] == [healthy.id]  # task 1 stalled: nothing ready

    dry = CliRunner().invoke(main, ["repair", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"Tiến trình {stalled.instance_id} (nhiệm vụ 1)" in dry.output
    assert [i.id for i in office.ready(plan_id)] == [healthy.id]

    done = CliRunner().invoke(main, ["repair"])
    assert done.exit_code == 0, done.output
    assert f"Tiến trình {stalled.instance_id} (nhiệm vụ 1)" in done.output
    assert "1 tiến trình bị treo đã được sửa" in done.output
    ready = {i.plan_task_id: i.form for i in office.ready(plan_id)}
    assert ready == {stalled.plan_task_id: "report", healthy.plan_task_id: "contribute"}
    with office.uow() as uow:
        history = [e["action"] for e in uow.audit.for_task(stalled.plan_task_id)]
    assert history.count("instance_repaired") == 1

    again = CliRunner().invoke(main, ["repair"])
    assert "0 tiến trình bị treo đã được sửa" in again.output
