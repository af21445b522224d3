"""APScheduler is planflow's clock: it runs the timer sweep, the mail outbox, the
background jobs (`engine/jobs.py`: a large plan's confirmation, in chunks) and the
folding of the inbox's count rows (`adapters/storage/inbox_counts.py`).

Embedded (`planflow serve`): a BackgroundScheduler in the web process. Scale-out
(`planflow scheduler`): on PostgreSQL as many worker processes as wanted, each a
BlockingScheduler; they share the work through row locks (`FOR UPDATE SKIP LOCKED`),
the notices' unique key and the mail lease, so no timer fires twice and no mail
leaves twice. On SQLite one process runs the clock: the holder of the storage's
`clock_lock`; the others' jobs do nothing until it is free.

Configuration comes from `web.config.Settings`: the interval, the mailer (none: notices
stay in-app and their mail waits, pending, until one is configured), the mail lease
and the address mails link to.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from adapters.storage import Storage
from engine import jobs
from engine.clock import Clock
from engine.deadlines import outbox, sweep
from engine.deadlines.mailer import Mailer
from engine.importing import plan_import, scan_reading
from engine.reading import period_reports
from engine.tasks import arrivals
from web.config import Settings
from web.report_jobs import report_chunk

log = logging.getLogger(__name__)

ONCE_MAIL_LIMIT = 1_000_000  # --once empties the outbox; the periodic job sends 500 a run
JOBS_EVERY = 2  # seconds: a queued job starts soon after the page that asked for it
# Each kind of background job and its chunk (engine/jobs.py).
JOB_CHUNKS: dict[str, jobs.Chunk] = {plan_import.START_TASKS: plan_import.start_tasks_chunk,
                                     scan_reading.READ_SCAN: scan_reading.interrupted_chunk,
                                     period_reports.REPORT: report_chunk}


@dataclass
class Round:
    sweep: sweep.SweepResult
    mail: outbox.SendResult | None
    jobs: jobs.RunResult | None = None

    def __str__(self) -> str:
        mail = "mail: off (no PLANFLOW_SMTP_HOST)" if self.mail is None else \
            f"mail: sent={self.mail.sent} retrying={self.mail.retrying} failed={self.mail.failed}"
        done = f"; jobs: finished={self.jobs.finished} failed={self.jobs.failed}" if self.jobs else ""
        return f"sweep: {self.sweep}; {mail}{done}"


def run_once(storage: Storage, settings: Settings, clock: Clock | None = None) -> Round:
    """One sweep of every due timer, then one pass over the mail outboxes."""
    swept = sweep.sweep(storage.uow, clock=clock)
    mailer = settings.mailer()
    mail = None if mailer is None else _send(storage, mailer, settings, clock=clock, limit=ONCE_MAIL_LIMIT)
    done = run_jobs(storage, clock)
    storage.compact_inbox_counts()
    return Round(swept, mail, done)


def run_jobs(storage: Storage, clock: Clock | None = None) -> jobs.RunResult:
    return jobs.run_pending(storage.uow, JOB_CHUNKS, clock)


def _send(storage: Storage, mailer: Mailer, settings: Settings, clock: Clock | None = None,
          limit: int = 500) -> outbox.SendResult:
    """Every outbox: the deadline notices, the work arrivals, then the daily digests due."""
    options = {"clock": clock, "limit": limit, "base_url": settings.base_url}
    ladder = outbox.send_pending(storage.uow, mailer, lease=settings.mail_lease, **options)
    work = arrivals.send_pending(storage.uow, mailer, lease=settings.mail_lease, **options)
    digests = arrivals.send_digests(storage.uow, mailer, **options)
    return outbox.SendResult(sent=ladder.sent + work.sent + digests, retrying=ladder.retrying + work.retrying,
                             failed=ladder.failed + work.failed)


def add_jobs(scheduler: BaseScheduler, storage: Storage, settings: Settings, every: int | None = None) -> None:
    # One run of each job at a time (max_instances), and a late run is not repeated.
    options = {"trigger": "interval", "seconds": every or settings.scheduler_interval,
               "max_instances": 1, "coalesce": True}
    scheduler.add_job(_sweep_job, args=[storage], id="timer_sweep", **options)
    scheduler.add_job(_counts_job, args=[storage], id="inbox_counts", **options)
    scheduler.add_job(_jobs_job, args=[storage], id="background_jobs",
                      **{**options, "seconds": min(JOBS_EVERY, options["seconds"])})
    mailer = settings.mailer()
    if mailer is not None:
        scheduler.add_job(_mail_job, args=[storage, mailer, settings], id="mail_outbox", **options)


def start_background(storage: Storage, settings: Settings, every: int | None = None) -> BackgroundScheduler:
    """The clock inside `planflow serve`; on SQLite its jobs run only while this process
    holds the clock lock (taken now if free, else as soon as its holder stops)."""
    scheduler = BackgroundScheduler(timezone="UTC")
    add_jobs(scheduler, storage, settings, every)
    scheduler.start()
    return scheduler


def run_blocking(storage: Storage, settings: Settings, every: int | None = None) -> None:
    scheduler = BlockingScheduler(timezone="UTC")
    add_jobs(scheduler, storage, settings, every)
    scheduler.start()


def _sweep_job(storage: Storage) -> None:
    if not storage.clock_lock.acquire():
        return  # SQLite: another process runs the clock
    result = sweep.sweep(storage.uow)
    if result.instances or result.errors:
        log.info("timer sweep: %s", result)


def _counts_job(storage: Storage) -> None:
    # Any process may fold (each fold is one transaction); on SQLite the clock's holder does.
    if not storage.clock_lock.acquire():
        return
    folded = storage.compact_inbox_counts()
    if folded:
        log.debug("inbox counts: %s rows folded", folded)


def _jobs_job(storage: Storage) -> None:
    if not storage.clock_lock.acquire():
        return
    result = run_jobs(storage)
    if result.finished or result.failed:
        log.info("background jobs: finished=%s failed=%s", result.finished, result.failed)


def _mail_job(storage: Storage, mailer: Mailer, settings: Settings) -> None:
    if not storage.clock_lock.acquire():
        return
    result = _send(storage, mailer, settings)
    if result.sent or result.retrying or result.failed:
        log.info("mail outbox: sent=%s retrying=%s failed=%s", result.sent, result.retrying, result.failed)
