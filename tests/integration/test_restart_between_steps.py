"""A step completed by another process than the one that started the task moves on.

A new Storage has an empty spec cache, so it parses the BPMN again, as a new server
worker, `planflow scheduler` or a restarted server does; the subprocess is such a
process for real. Before the fix, the last contribution and each report were saved
as done and no next step ever appeared.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from adapters.storage import Storage
from engine.tasks import steps
from tests.support.office import CBTH, KSTTHC, TTPV, clock_on, make_office

DAY = date(2024, 3, 4)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def office(sqlite_url):
    office = make_office(sqlite_url)
    yield office
    office.storage.engine.dispose()


def complete_in_a_fresh_storage(url, item, user_id, fields):
    storage = Storage(url)  # a new engine and an empty spec cache
    try:
        steps.complete_step(storage.uow(), item.id, user_id, fields, clock=clock_on(DAY))
    finally:
        storage.engine.dispose()


def forms(office, plan_id):
    return sorted(i.form for i in office.ready(plan_id))


def test_the_last_contribution_completed_in_a_fresh_storage_moves_on_to_the_report(office):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV, CBTH], "due": "2024-03-29"}])
    [assign] = office.ready(plan_id)
    complete_in_a_fresh_storage(office.storage.url, assign, office.users["truong.kstthc"],
                                {"assignee": office.users["cv.kstthc"]})
    heads = {office.units[TTPV]: "giamdoc.ttpv", office.units[CBTH]: "giamdoc.cbth"}
    for item in office.ready(plan_id):
        complete_in_a_fresh_storage(office.storage.url, item, office.users[heads[item.candidate_unit_id]],
                                    {"contribution": f"Góp ý của {heads[item.candidate_unit_id]}"})

    assert forms(office, plan_id) == ["report"]


def test_a_report_completed_in_another_process_moves_on_to_the_review(office):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    [assign] = office.ready(plan_id)
    steps.complete_step(office.uow(), assign.id, office.users["truong.kstthc"],
                        {"assignee": office.users["cv.kstthc"]}, clock=clock_on(DAY))
    [report] = office.ready(plan_id)

    script = textwrap.dedent(f"""
        from datetime import date
        from adapters.storage import Storage
        from engine.tasks import steps
        from engine.process.step_forms import Upload
        from tests.support.office import clock_on
        storage = Storage({office.storage.url!r})
        steps.complete_step(storage.uow(), {report.id}, {office.users["cv.kstthc"]}, {{"result": "Đã xong"}},
                            Upload("bao-cao.txt", "text/plain", b"ok"), clock=clock_on(date(2024, 3, 4)))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]

    assert forms(office, plan_id) == ["review"]
