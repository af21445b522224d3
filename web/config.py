"""planflow's configuration: read from the environment here, and nowhere else.

`Settings.from_environ()` is called by the app factory, the CLI and the scheduler;
everything below them (the engine, the adapters) receives what it needs as
arguments: the storage, the mailer, the address mails link to.

| variable | meaning | default |
|---|---|---|
| `PLANFLOW_DATABASE_URL` | SQLAlchemy URL | SQLite in the instance folder |
| `PLANFLOW_SECRET_KEY` | session signing key, the same for every worker | a random key kept in the instance folder |
| `PLANFLOW_BASE_URL` | the address people open (links in mails; https → secure cookie) | `http://127.0.0.1:5000` |
| `PLANFLOW_SMTP_HOST`, `PLANFLOW_SMTP_PORT`, `PLANFLOW_MAIL_FROM` | mail server; no host: mail waits | none, 25, `planflow@localhost` |
| `PLANFLOW_SCHEDULER_INTERVAL` | seconds between timer sweeps | 60 |
| `PLANFLOW_MAIL_LEASE` | seconds a worker may take to send one mail before another may send it again | 300 |
| `PLANFLOW_SESSION_IDLE_MINUTES`, `PLANFLOW_SESSION_ABSOLUTE_HOURS` | a session ends after this long unused, or this long in all (ASVS 3.3.2) | 30, 12 |
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Mapping

from adapters.mail import SmtpMailer
from engine.deadlines.mail_text import DEFAULT_BASE_URL
from engine.deadlines.mailer import Mailer
from engine.deadlines.outbox import MAIL_LEASE

DEFAULT_INTERVAL = 60


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    secret_key: str | None = None
    base_url: str = DEFAULT_BASE_URL
    smtp_host: str | None = None
    smtp_port: int = 25
    mail_from: str = "planflow@localhost"
    scheduler_interval: int = DEFAULT_INTERVAL
    mail_lease: timedelta = MAIL_LEASE
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        def get(name: str) -> str | None:
            return environ.get(f"PLANFLOW_{name}") or None

        return cls(
            database_url=get("DATABASE_URL"),
            secret_key=get("SECRET_KEY"),
            base_url=(get("BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
            smtp_host=get("SMTP_HOST"),
            smtp_port=int(get("SMTP_PORT") or 25),
            mail_from=get("MAIL_FROM") or "planflow@localhost",
            scheduler_interval=int(get("SCHEDULER_INTERVAL") or DEFAULT_INTERVAL),
            mail_lease=timedelta(seconds=int(get("MAIL_LEASE"))) if get("MAIL_LEASE") else MAIL_LEASE,
            session_idle_minutes=int(get("SESSION_IDLE_MINUTES") or 30),
            session_absolute_hours=int(get("SESSION_ABSOLUTE_HOURS") or 12),
        )

    @property
    def served_over_https(self) -> bool:
        return self.base_url.startswith("https://")

    def mailer(self) -> Mailer | None:
        """The SMTP mailer, or None when no server is configured (mail then waits)."""
        if not self.smtp_host:
            return None
        return SmtpMailer(self.smtp_host, self.smtp_port, self.mail_from)
