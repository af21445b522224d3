"""APScheduler is planflow's clock: it runs the timer sweep and the mail outbox.

Embedded (`planflow serve`): a BackgroundScheduler in the web process. Scale-out
(`planflow scheduler`): on PostgreSQL as many worker processes as wanted, each a
BlockingScheduler; they share the work through row locks (`FOR UPDATE SKIP LOCKED`),
the notices' unique key and the mail lease, so no timer fires twice and no mail
leaves twice. On SQLite one process runs the clock: the holder of the storage's
`clock_lock`; the others' jobs do nothing until it is free.

Configuration: `PLANFLOW_SCHEDULER_INTERVAL` (seconds, default 60),
`PLANFLOW_SMTP_HOST` / `PLANFLOW_SMTP_PORT` / `PLANFLOW_MAIL_FROM` (no host: notices
stay in-app and their mail waits, pending, until one is configured).
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from adapters.mail import SmtpMailer
from adapters.storage import Storage
from engine.clock import Clock
from engine.deadlines import notices, sweep
from engine.deadlines.mailer import Mailer

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 60
ONCE_MAIL_LIMIT = 1_000_000  # --once empties the outbox; the periodic job sends 500 a run


@dataclass
class Round:
    sweep: sweep.SweepResult
    mail: notices.SendResult | None

    def __str__(self) -> str:
        mail = "mail: off (no PLANFLOW_SMTP_HOST)" if self.mail is None else \
            f"mail: sent={self.mail.sent} retrying={self.mail.retrying} failed={self.mail.failed}"
        return f"sweep: {self.sweep}; {mail}"


def interval() -> int:
    return int(os.environ.get("PLANFLOW_SCHEDULER_INTERVAL") or DEFAULT_INTERVAL)


def mail_lease() -> timedelta:
    """How long a worker may take to send one mail before another may send it again
    (`PLANFLOW_MAIL_LEASE`, seconds)."""
    seconds = os.environ.get("PLANFLOW_MAIL_LEASE")
    return timedelta(seconds=int(seconds)) if seconds else notices.MAIL_LEASE


def mailer_from_env() -> Mailer | None:
    host = os.environ.get("PLANFLOW_SMTP_HOST")
    if not host:
        return None
    port = int(os.environ.get("PLANFLOW_SMTP_PORT") or 25)
    return SmtpMailer(host, port, os.environ.get("PLANFLOW_MAIL_FROM") or "planflow@localhost")


def run_once(storage: Storage, mailer: Mailer | None, clock: Clock | None = None) -> Round:
    """One sweep of every due timer, then one pass over the mail outbox."""
    swept = sweep.sweep(storage.uow, clock=clock)
    mail = None if mailer is None else \
        notices.send_pending(storage.uow, mailer, clock=clock, limit=ONCE_MAIL_LIMIT, lease=mail_lease())
    return Round(swept, mail)


def add_jobs(scheduler: BaseScheduler, storage: Storage, mailer: Mailer | None, every: int) -> None:
    # One run of each job at a time (max_instances), and a late run is not repeated.
    options = {"trigger": "interval", "seconds": every, "max_instances": 1, "coalesce": True}
    scheduler.add_job(_sweep_job, args=[storage], id="timer_sweep", **options)
    if mailer is not None:
        scheduler.add_job(_mail_job, args=[storage, mailer], id="mail_outbox", **options)


def start_background(storage: Storage, every: int | None = None) -> BackgroundScheduler:
    """The clock inside `planflow serve`; on SQLite its jobs run only while this process
    holds the clock lock (taken now if free, else as soon as its holder stops)."""
    scheduler = BackgroundScheduler(timezone="UTC")
    add_jobs(scheduler, storage, mailer_from_env(), every or interval())
    scheduler.start()
    return scheduler


def run_blocking(storage: Storage, every: int | None = None) -> None:
    scheduler = BlockingScheduler(timezone="UTC")
    add_jobs(scheduler, storage, mailer_from_env(), every or interval())
    scheduler.start()


def _sweep_job(storage: Storage) -> None:
    if not storage.clock_lock.acquire():
        return  # SQLite: another process runs the clock
    result = sweep.sweep(storage.uow)
    if result.instances or result.errors:
        log.info("timer sweep: %s", result)


def _mail_job(storage: Storage, mailer: Mailer) -> None:
    if not storage.clock_lock.acquire():
        return
    result = notices.send_pending(storage.uow, mailer, lease=mail_lease())
    if result.sent or result.retrying or result.failed:
        log.info("mail outbox: sent=%s retrying=%s failed=%s", result.sent, result.retrying, result.failed)
