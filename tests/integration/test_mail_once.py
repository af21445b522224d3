"""Each notice's mail leaves once: claimed under a lease before it is sent, recorded
after; a second scheduler on SQLite waits or refuses; a worker killed mid-send leaves
its mail to the lease, and a resend after the lease carries the same Message-ID.

Real SMTP (aiosmtpd), real `planflow scheduler` processes, SQLite and PostgreSQL.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from adapters.mail import SmtpMailer
from adapters.storage import Storage, orm
from engine.clock import FixedClock, from_storage
from engine.deadlines import outbox, sweep
from engine.deadlines.mailer import OutgoingMail
from tests.support.bulk import tasks_at_their_report_step
from tests.support.deadlines import office_clock
from tests.support.office import make_office

SENDER = "planflow@demo.planflow.vn"
COMMAND = [sys.executable, "-c", "from web.cli import main; main()", "scheduler"]


def _env(url: str, smtp, **extra: str) -> dict[str, str]:
    return {**os.environ, "PLANFLOW_DATABASE_URL": url, "PLANFLOW_SMTP_HOST": smtp.host,
            "PLANFLOW_SMTP_PORT": str(smtp.port), "PLANFLOW_MAIL_FROM": SENDER, **extra}


def _pending_notices(office, tasks: int) -> int:
    """`tasks` tasks at their report step, their three rungs swept: 3 × tasks mails pending."""
    with office_clock(date(2024, 1, 15)) as clock:
        tasks_at_their_report_step(office, clock, tasks)
        result = sweep.sweep(office.uow, clock=clock.on(date(2024, 4, 10)))
    assert result.notices == 3 * tasks
    return 3 * tasks


def _states(office) -> dict[str, int]:
    n = orm.notices
    with office.storage.engine.connect() as conn:
        return dict(conn.execute(select(n.c.email_state, func.count()).group_by(n.c.email_state)).all())


def _ids(mails) -> Counter:
    return Counter(m["Message-ID"] for m in mails)


def test_two_schedulers_on_sqlite_never_send_a_mail_twice(sqlite_url, smtp_server):
    office = make_office(sqlite_url)
    with office_clock(date(2024, 1, 15)) as clock:
        tasks_at_their_report_step(office, clock, 40)  # 120 rungs due, swept by the schedulers
    # and 80 work arrivals (the task to its unit head, then to its assignee): 200 mails
    env = _env(sqlite_url, smtp_server)
    workers = [subprocess.Popen([*COMMAND, "--once"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for _ in range(2)]
    outputs = [w.communicate(timeout=240) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], [err[-2000:] for _, err in outputs]

    mails = smtp_server.wait_for(200, timeout=30)
    time.sleep(0.5)  # a duplicate would arrive right behind
    assert len(smtp_server.messages) == 200
    assert set(_ids(smtp_server.messages).values()) == {1}
    assert _states(office) == {"sent": 120}
    waited = [err for _, err in outputs if "đang chờ" in err]
    assert len(waited) <= 1 and all("SQLite" in err for err in waited), outputs
    assert {m["To"] for m in mails} == {f"{u}@demo.planflow.vn" for u in ("cv.kstthc", "truong.kstthc", "chanhvp")}
    office.storage.engine.dispose()


def test_a_long_running_scheduler_refuses_while_another_process_runs_the_clock_on_sqlite(sqlite_url, smtp_server):
    office = make_office(sqlite_url)
    holder = Storage(sqlite_url)  # stands for `planflow serve`'s embedded clock
    assert holder.clock_lock.acquire()
    try:
        done = subprocess.run(COMMAND, env=_env(sqlite_url, smtp_server), capture_output=True, text=True, timeout=60)
    finally:
        holder.clock_lock.release()
    assert done.returncode == 1
    assert "SQLite" in done.stderr and "PostgreSQL" in done.stderr and "gửi thư hai lần" in done.stderr, done.stderr
    office.storage.engine.dispose()


def test_the_embedded_clock_of_serve_stands_by_while_another_process_runs_it_then_takes_over(sqlite_url):
    from web.scheduling import _sweep_job

    office = make_office(sqlite_url)
    with office_clock(date(2024, 1, 15)) as clock:
        tasks_at_their_report_step(office, clock, 3)  # their rungs are due on today's clock
    lock_file = office.storage.clock_lock.path
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(lock_file)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        _sweep_job(office.storage)  # a `planflow scheduler` holds the clock: this one waits
        assert _states(office) == {}
    finally:
        holder.kill()
        holder.wait(30)
    _sweep_job(office.storage)  # its holder stopped: this process takes the clock over
    assert _states(office) == {"pending": 9}
    office.storage.clock_lock.release()
    office.storage.engine.dispose()


HOLD_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(120)
"""


def test_threads_sending_the_same_outbox_on_sqlite_claim_each_mail_once(sqlite_url, smtp_server):
    """Below the process lock, the lease itself: senders racing on one SQLite file."""
    office = make_office(sqlite_url)
    expected = _pending_notices(office, 20)
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, SENDER)
    barrier = threading.Barrier(3)

    def send():
        barrier.wait()
        return outbox.send_pending(office.uow, mailer).sent

    sent: list[int] = []
    threads = [threading.Thread(target=lambda: sent.append(send())) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sum(sent) == expected
    smtp_server.wait_for(expected, timeout=30)
    assert set(_ids(smtp_server.messages).values()) == {1} and len(smtp_server.messages) == expected
    office.storage.engine.dispose()


def test_a_worker_killed_while_sending_leaves_its_mail_to_the_lease_on_postgresql(postgres_fresh_url, smtp_server):
    office = make_office(postgres_fresh_url)
    expected = _pending_notices(office, 10)
    arrived, release = smtp_server.stall_next()
    first = subprocess.Popen([*COMMAND, "--once"], env=_env(postgres_fresh_url, smtp_server),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert arrived.wait(60), "the first worker sent nothing"
        first.send_signal(signal.SIGKILL)  # delivered, but the worker never heard so: nothing recorded
        first.wait(30)
    finally:
        release.set()
    [delivered] = smtp_server.messages
    claimed_until = _lease_of(office, delivered)
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, SENDER)

    # Within the lease (five minutes): another worker sends every other mail, not that one.
    assert outbox.send_pending(office.uow, mailer).sent == expected - 1
    smtp_server.wait_for(expected, timeout=30)
    assert len(smtp_server.messages) == expected
    assert set(_ids(smtp_server.messages).values()) == {1}
    assert _states(office) == {"sent": expected - 1, "pending": 1}

    # After the lease: the one mail nobody recorded goes again, recognisably the same.
    after = FixedClock(from_storage(claimed_until) + timedelta(seconds=1))
    assert outbox.send_pending(office.uow, mailer, clock=after).sent == 1
    smtp_server.wait_for(expected + 1, timeout=30)
    repeated = [mid for mid, count in _ids(smtp_server.messages).items() if count > 1]
    assert repeated == [delivered["Message-ID"]]
    assert _states(office) == {"sent": expected}
    office.storage.engine.dispose()


def _lease_of(office, mail) -> datetime:
    n = orm.notices
    with office.storage.engine.connect() as conn:
        rows = conn.execute(select(n.c.email_state, n.c.mail_claimed_by, n.c.mail_lease_until)
                            .where(n.c.mail_claimed_by.isnot(None))).all()
    assert len(rows) == 1 and rows[0].email_state == "pending", rows
    assert mail["Message-ID"].startswith("<notice-")
    return rows[0].mail_lease_until


def test_the_message_id_is_the_same_for_every_send_of_one_notice():
    row = {"id": 7, "key": "3:abc:holder:2024-03-29:12"}
    mailer = SmtpMailer("127.0.0.1", 25, SENDER)
    built = [mailer.build(OutgoingMail("a@b.vn", "s", "b", message_id=outbox.message_id(row)))
             for _ in range(2)]
    assert built[0]["Message-ID"] == built[1]["Message-ID"] == f"<{outbox.message_id(row)}@demo.planflow.vn>"
    other = outbox.message_id({"id": 8, "key": "3:abc:holder:2024-03-29:13"})
    assert other != outbox.message_id(row)
