"""Four `planflow scheduler --once` processes on one PostgreSQL over 2,100 due timers:
every notice recorded and mailed exactly once, none lost.

700 tasks wait at their report step, due 2024-03-29, so each has its three rungs
(holder, unit head, director) armed in 2024: on today's clock all 2,100 are due. The
two people each task reached (its unit head, then its assignee) chose the daily digest:
their 1,400 work arrivals leave as two digests, each written once by one worker.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import date

from sqlalchemy import func, select

from adapters.storage import orm
from engine.tasks import arrivals
from tests.support.deadlines import office_clock
from tests.support.bulk import tasks_at_their_report_step
from tests.support.office import make_office

TASKS = 700
DIGESTS = 2  # engine/tasks/arrivals.py: the unit head's and the staff member's
WORKERS = 4
RESULT = re.compile(r"instances=(\d+) fired=(\d+) notices=(\d+) errors=(\d+); mail: sent=(\d+)")


def test_four_scheduler_processes_fire_every_timer_once(postgres_fresh_url, smtp_server):
    office = make_office(postgres_fresh_url)
    for username in ("truong.kstthc", "cv.kstthc"):
        arrivals.choose_mail(office.uow(), office.users[username], "digest")
    with office_clock(date(2024, 1, 15)) as clock:
        tasks_at_their_report_step(office, clock, TASKS)
    started = time.monotonic()
    with office.storage.engine.connect() as conn:
        armed = conn.execute(select(func.count()).where(orm.process_instances.c.next_timer_at.isnot(None))).scalar()
    assert armed == TASKS

    env = {**os.environ, "PLANFLOW_DATABASE_URL": postgres_fresh_url, "PLANFLOW_SMTP_HOST": smtp_server.host,
           "PLANFLOW_SMTP_PORT": str(smtp_server.port), "PLANFLOW_MAIL_FROM": "planflow@demo.planflow.vn"}
    command = [sys.executable, "-c", "from web.cli import main; main()", "scheduler", "--once"]
    workers = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(WORKERS)]
    outputs = [w.communicate(timeout=240) for w in workers]
    assert all(w.returncode == 0 for w in workers), [err[-2000:] for _, err in outputs]
    counts = [tuple(map(int, RESULT.search(out).groups())) for out, _ in outputs]
    print(f"{WORKERS} workers, {3 * TASKS} timers: {time.monotonic() - started:.1f} s; {counts}")

    instances, fired, recorded, errors, sent = (sum(c[i] for c in counts) for i in range(5))
    assert errors == 0
    assert instances == TASKS, counts  # no instance swept twice: the row locks held
    assert fired == recorded == 3 * TASKS, counts  # no rung fired twice, none lost
    assert sent == 3 * TASKS + DIGESTS, counts
    assert sum(1 for c in counts if c[0]) >= 2, f"the workers shared the work: {counts}"

    n = orm.notices
    with office.storage.engine.connect() as conn:
        per_rung = dict(conn.execute(select(n.c.rung, func.count()).group_by(n.c.rung)).all())
        states = dict(conn.execute(select(n.c.email_state, func.count()).group_by(n.c.email_state)).all())
        still_due = conn.execute(select(func.count()).where(orm.process_instances.c.next_timer_at.isnot(None))).scalar()
        audited = conn.execute(select(func.count()).where(orm.audit_events.c.action.like("notice_%"))).scalar()
    assert per_rung == {"holder": TASKS, "unit_head": TASKS, "director": TASKS}
    assert states == {"sent": 3 * TASKS}
    assert (still_due, audited) == (0, 3 * TASKS)

    mails = smtp_server.wait_for(3 * TASKS + DIGESTS, timeout=30)
    assert len(mails) == 3 * TASKS + DIGESTS
    assert len({(m["To"], m["Subject"]) for m in mails}) == 3 * TASKS + DIGESTS  # each mail once
    digests = [m for m in mails if "Tổng hợp việc mới" in m["Subject"]]
    assert sorted(m["To"] for m in digests) == ["cv.kstthc@demo.planflow.vn", "truong.kstthc@demo.planflow.vn"]
    office.storage.engine.dispose()
