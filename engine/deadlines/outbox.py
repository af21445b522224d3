"""The mail outbox: each notice row carries its mail's state; `send_pending` delivers
it, one mail at a time, under a lease, retrying with backoff, stopping on permanent
errors."""
from __future__ import annotations

import hashlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from engine.clock import Clock, SystemClock, to_storage
from engine.deadlines.mail_text import DEFAULT_BASE_URL, with_links
from engine.deadlines.mailer import Mailer, MailError, OutgoingMail
from engine.unit_of_work import AbstractUnitOfWork

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAIL_LEASE = timedelta(minutes=5)  # far longer than one SMTP exchange (10 s time-out)


@dataclass
class SendResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after each failure, at most 6 hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), timedelta(hours=6))


def send_pending(uow_factory: Callable[[], AbstractUnitOfWork], mailer: Mailer,
                 clock: Clock | None = None, limit: int = 500, lease: timedelta = MAIL_LEASE,
                 base_url: str = DEFAULT_BASE_URL, outbox: str = "notices") -> SendResult:
    """Send the mails whose time has come: claim, send, record, one mail at a time.

    A mail is claimed (a lease: this worker, until now + `lease`) and the claim is
    committed before it is sent; its outcome is recorded after. Another worker never
    takes a mail whose lease runs, so two workers never send it twice; a worker that
    dies between sending and recording leaves the lease to run out, and only then is
    the mail sent again, with the same Message-ID (the reader's mail program can tell).
    `outbox` names the unit of work's store of the mails: the deadline notices, or the
    work arrivals of engine/tasks/arrivals.py.
    """
    clock = clock or SystemClock()
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    result = SendResult()
    for _ in range(limit):
        now = to_storage(clock.now())
        with uow_factory() as uow:
            row = getattr(uow, outbox).claim_mail(now, owner, now + lease)
            if row is None:
                break
            uow.commit()
        outcome = _send_one(mailer, row, now, base_url, result)
        with uow_factory() as uow:
            if not getattr(uow, outbox).finish_mail(row["id"], owner, **outcome):
                log.warning("mail of notice %s outlived its lease; another worker has it now", row["id"])
            uow.commit()
    return result


def message_id(row: dict[str, Any]) -> str:
    """The mail's Message-ID (left of the @): the same for every send of one notice."""
    return f"notice-{row['id']}.{hashlib.sha256(row['key'].encode()).hexdigest()[:16]}"


def _send_one(mailer: Mailer, row: dict[str, Any], now: datetime, base_url: str,
              result: SendResult) -> dict[str, Any]:
    """Send one claimed mail; the state to record."""
    attempts = row["attempts"] + 1
    try:
        mailer.send(OutgoingMail(to=row["email_to"], subject=row["subject"], body_text=with_links(row["body"], base_url),
                                 message_id=message_id(row)))
    except MailError as error:
        give_up = error.permanent or attempts >= MAX_ATTEMPTS
        result.failed += give_up
        result.retrying += not give_up
        log.warning("mail of notice %s failed (attempt %s): %s", row["id"], attempts, error)
        return {"attempts": attempts, "last_error": str(error)[:1000],
                "email_state": "failed" if give_up else "pending",
                "next_attempt_at": None if give_up else now + backoff(attempts)}
    result.sent += 1
    return {"attempts": attempts, "email_state": "sent", "sent_at": now, "next_attempt_at": None,
            "last_error": None}


def mail_problems(uow: AbstractUnitOfWork) -> list[dict[str, Any]]:
    with uow:
        return uow.notices.mail_problems()
