"""A large plan confirmed as a background job: the request returns at once, a worker
(another storage, as another process would have) stores and starts the tasks in
chunks with its progress on the job's page, and meanwhile another person completes
steps on SQLite without a single error."""
from __future__ import annotations

import threading
import time
from datetime import date

from engine import jobs
from engine.importing import plan_import
from engine.importing.draft import ImportDraft
from adapters.storage import Storage
from tests.e2e.web_helpers import HEAD, MONITOR, STAFF, login
from tests.support.office import KSTTHC, make_office
from web import create_app
from web.scheduling import JOB_CHUNKS

TASKS = 150


def large_draft(office, tasks: int) -> ImportDraft:
    lead = str(office.units[KSTTHC])
    return ImportDraft(
        source_name="ke-hoach-lon.docx",
        plan={"title": "Kế hoạch lớn", "number": "99/KH-UBND", "year": 2024, "issued_on": "2024-01-15",
              "monitor_unit_id": office.units["Văn phòng UBND tỉnh"] if "Văn phòng UBND tỉnh" in office.units
              else next(iter(office.units.values()))},
        tasks=[{"ref": str(n), "title": f"Nhiệm vụ số {n}", "lead": [lead], "coordinators": [], "due": "2024-06-28"}
               for n in range(1, tasks + 1)])


def test_a_large_import_runs_as_a_job_with_progress_while_others_complete_steps(sqlite_url: str) -> None:
    office = make_office(sqlite_url)
    busy_plan = office.plan([{"ref": str(n), "lead": [KSTTHC], "due": "2024-03-29"} for n in range(1, 41)])
    monitor_id = office.users[MONITOR]
    draft_id = plan_import.save_draft(office.uow(), large_draft(office, TASKS), monitor_id)

    started = time.monotonic()
    job = plan_import.confirm_in_background(office.uow(), large_draft(office, TASKS).to_dict(), monitor_id,
                                            draft_id=draft_id)
    assert time.monotonic() - started < 10  # nothing of the tasks' work was done here
    assert job.state == "queued" and job.total == TASKS and job.done == 0

    app = create_app({"DATABASE_URL": sqlite_url, "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "test", "TODAY": date(2024, 1, 16)})
    monitor, head = app.test_client(), app.test_client()
    login(monitor, MONITOR)
    login(head, HEAD)
    page = monitor.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and f"0 / {TASKS}" not in page and "<progress" in page

    worker_storage = Storage(sqlite_url)  # the scheduler's process: its own engine
    outcome: dict = {}
    worker = threading.Thread(target=lambda: outcome.update(
        result=jobs.run_pending(worker_storage.uow, JOB_CHUNKS)))
    worker.start()

    seen, completed_while_running = [], 0
    for item in office.ready(busy_plan):
        response = head.post(f"/steps/{item.id}", data={"assignee": office.users[STAFF]})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        progress = monitor.get(f"/jobs/{job.id}.json").get_json()
        seen.append(progress["done"])
        completed_while_running += progress["state"] == "running"
    while worker.is_alive():
        seen.append(monitor.get(f"/jobs/{job.id}.json").get_json()["done"])
        time.sleep(0.05)
    worker.join()

    assert outcome["result"].finished == 1 and outcome["result"].failed == 0
    assert outcome["result"].chunks == -(-TASKS // plan_import.CHUNK)
    assert any(0 < done < TASKS for done in seen), seen  # the page saw it part-way
    assert seen == sorted(seen)
    assert completed_while_running > 0, "the steps were completed while the job ran"
    assert office.ready(busy_plan) == [] or all(i.form != "assign" for i in office.ready(busy_plan))

    done = monitor.get(f"/jobs/{job.id}.json").get_json()
    assert done["state"] == "done" and done["done"] == TASKS and done["url"] == f"/plans/{job.params['plan_id']}"
    page = monitor.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and done["url"] in page
    ready = office.ready(job.params["plan_id"])
    assert len(ready) == TASKS and {i.form for i in ready} == {"assign"}  # every task started, once
    with office.uow() as uow:
        assert [t.position for t in uow.tasks.for_plan(job.params["plan_id"])] == list(range(TASKS))


def test_only_the_person_who_asked_sees_the_job(sqlite_url: str) -> None:
    office = make_office(sqlite_url)
    job = plan_import.confirm_in_background(office.uow(), large_draft(office, 3).to_dict(), office.users[MONITOR])
    app = create_app({"DATABASE_URL": sqlite_url, "TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "t"})
    other = app.test_client()
    login(other, HEAD)
    assert other.get(f"/jobs/{job.id}").status_code == 404
    assert other.get(f"/jobs/{job.id}.json").status_code == 404
