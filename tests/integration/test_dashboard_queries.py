"""The progress pages issue a fixed number of SQL statements whatever the number of
tasks: 10 tasks and 500 tasks give the same count (no query per task), and none
reads a serialized workflow."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update

from adapters.storage import orm
from engine import model
from engine.reading.period_reports import period_report
from engine.reading.progress import leader_overview, plan_dashboard
from engine.reading.search import search_tasks
from tests.e2e.web_helpers import login
from tests.support.office import CBTH, KSTTHC, TTPV, make_office
from tests.support.statements import sent_statements
from web import create_app

TODAY = date(2024, 3, 11)
LEADS = [KSTTHC, TTPV, CBTH]


def build(url: str, n: int):
    """A plan of `n` tasks in every state: some closed on time or late, some overdue,
    some without a date, each with a notice in the audit trail."""
    office = make_office(url)
    tasks = [{"ref": str(i), "title": f"Cải cách hành chính {i}", "lead": [LEADS[i % 3]],
              "coordinators": [LEADS[(i + 1) % 3]], **({"due": ["2024-02-29", "2024-03-29"][i % 2]} if i % 5 else {})}
             for i in range(1, n + 1)]
    plan_id = office.plan(tasks)
    with office.uow() as uow:
        ids = [t.id for t in uow.tasks.for_plan(plan_id)]
        for task_id in ids:
            uow.audit.add(model.AuditEvent(plan_task_id=task_id, action="notice_holder", at=datetime(2024, 3, 4),
                                           detail={"rung": "holder", "recipients": ["Phạm Thu Dung"]}))
        uow.commit()
    closed = ids[1::4]
    with office.storage.engine.begin() as conn:  # a quarter closed, half of those late
        conn.execute(update(orm.plan_tasks).where(orm.plan_tasks.c.id.in_(closed[::2]))
                     .values(status="closed", closed_on=date(2024, 2, 20)))
        conn.execute(update(orm.plan_tasks).where(orm.plan_tasks.c.id.in_(closed[1::2]))
                     .values(status="closed", closed_on=date(2024, 3, 5)))
    return office, plan_id


def statements_of(office, action) -> list[str]:
    with sent_statements(office.storage.engine) as seen:
        action()
    return seen


def engine_reads(office, plan_id):
    return {
        "dashboard": lambda: plan_dashboard(office.uow(), plan_id, TODAY),
        "overview": lambda: leader_overview(office.uow(), TODAY),
        "search": lambda: search_tasks(office.uow(), "cai cach", TODAY),
        "report": lambda: period_report(office.uow(), plan_id, TODAY, date(2024, 1, 1), date(2024, 3, 31)),
    }


def counts_for(tmp_path, n: int) -> dict[str, int]:
    office, plan_id = build(f"sqlite:///{tmp_path / f'planflow-{n}.sqlite3'}", n)
    counts = {}
    for name, read in engine_reads(office, plan_id).items():
        statements = statements_of(office, read)
        assert not any("process_instances" in s for s in statements), (name, statements)
        counts[name] = len(statements)
    app = create_app({"DATABASE_URL": office.storage.url, "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "test", "TODAY": TODAY})
    app.extensions["planflow"] = office.storage  # one engine, so the listener sees the pages' SQL
    client = app.test_client()
    login(client, "theodoi")
    for path in (f"/plans/{plan_id}/dashboard", f"/api/plans/{plan_id}/progress", "/overview",
                 f"/plans/{plan_id}/report.xlsx"):
        response = None

        def get():
            nonlocal response
            response = client.get(path)

        counts[path.replace(str(plan_id), "ID")] = len(statements_of(office, get))
        assert response.status_code == 200, path
    view = plan_dashboard(office.uow(), plan_id, TODAY)
    assert view.counts["total"] == n and all(view.counts[s] for s in ("done_on_time", "done_late", "overdue",
                                                                        "in_progress", "waiting_date"))
    office.storage.engine.dispose()
    return counts


def test_ten_tasks_and_five_hundred_tasks_take_the_same_number_of_queries(tmp_path):
    small, large = counts_for(tmp_path, 10), counts_for(tmp_path, 500)
    assert small == large, (small, large)
    assert small["dashboard"] <= 8 and small["overview"] <= 3 and small["search"] <= 5, small
