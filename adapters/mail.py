"""E-mail adapters for the `engine.deadlines.mailer.Mailer` port."""

from __future__ import annotations

import smtplib
import ssl
import threading
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from engine.deadlines.mailer import Mailer, MailError, OutgoingMail


class SmtpMailer(Mailer):
    """Sends each message over a fresh SMTP connection.

    A connection per message keeps the adapter stateless across scheduler threads
    and processes; notices are few enough that reuse would not pay.
    """

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        timeout: float = 10,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.timeout = timeout
        self.starttls = starttls
        self.username = username
        self.password = password

    def send(self, message: OutgoingMail) -> None:
        email_message = self.build(message)
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                self._open_session(smtp)
                smtp.send_message(email_message)
            finally:
                _close_quietly(smtp)
        except smtplib.SMTPException as exc:
            raise MailError(f"SMTP {self.host}:{self.port}: {exc}", permanent=_is_permanent(exc)) from exc
        except OSError as exc:  # refused, unreachable, timed out, TLS failure
            raise MailError(f"SMTP {self.host}:{self.port}: {exc}") from exc

    def build(self, message: OutgoingMail) -> EmailMessage:
        """The MIME message that `send` delivers (public so tests can inspect it)."""
        try:
            return self._build(message)
        except (ValueError, TypeError) as exc:
            # A malformed address is bad data, not a crash of the sweep that sends it.
            raise MailError(f"cannot build mail to {message.to!r}: {exc}", permanent=True) from exc

    def _build(self, message: OutgoingMail) -> EmailMessage:
        msg = EmailMessage()  # policy=default: RFC 2047-encodes non-ASCII headers
        msg["From"] = self.sender
        msg["To"] = message.to
        # Task titles come from imported documents and may hold line breaks, which
        # are illegal in a header.
        msg["Subject"] = " ".join(message.subject.split())
        msg["Date"] = formatdate(localtime=True)
        domain = _domain_of(self.sender)
        msg["Message-ID"] = f"<{message.message_id}@{domain}>" if message.message_id else make_msgid(domain=domain)
        # quoted-printable keeps Vietnamese text 7-bit clean, so it survives relays
        # that do not announce 8BITMIME.
        msg.set_content(message.body_text, charset="utf-8", cte="quoted-printable")
        if message.body_html is not None:
            msg.add_alternative(message.body_html, subtype="html", charset="utf-8", cte="quoted-printable")
        return msg

    def _open_session(self, smtp: smtplib.SMTP) -> None:
        if self.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if self.username:
            smtp.login(self.username, self.password or "")


class MemoryMailer(Mailer):
    """An in-memory mailer for tests: keeps what it is sent, fails on request."""

    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []
        self._failures: list[MailError] = []
        self._lock = threading.Lock()  # scheduler tests send from several threads

    def send(self, message: OutgoingMail) -> None:
        with self._lock:
            if self._failures:
                raise self._failures.pop(0)
            self.sent.append(message)

    def fail_next(self, times: int = 1, *, permanent: bool = False) -> None:
        """Make the next `times` sends raise `MailError` (and deliver nothing)."""
        with self._lock:
            self._failures.extend(
                MailError("simulated failure", permanent=permanent) for _ in range(times)
            )

    def to(self, address: str) -> list[OutgoingMail]:
        """The messages sent to `address`, in order."""
        with self._lock:
            return [m for m in self.sent if m.to == address]


def _is_permanent(exc: smtplib.SMTPException) -> bool:
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= c < 600 for c in codes)
    return isinstance(code, int) and 500 <= code < 600


def _close_quietly(smtp: smtplib.SMTP) -> None:
    # Once the server accepted DATA the mail is delivered: a failed QUIT must not
    # turn into a MailError, or the caller would retry and send it twice.
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _domain_of(sender: str) -> str:
    # Without a domain make_msgid asks socket.getfqdn(), a DNS lookup that can stall.
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "planflow.local"
