"""The port through which the engine sends e-mail notices.

The engine composes an `OutgoingMail` and hands it to a `Mailer`; adapters
(`adapters.mail.SmtpMailer`, and `MemoryMailer` for tests) deliver it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutgoingMail:
    """One message to one recipient. Text is Unicode; encoding is the adapter's job."""

    to: str
    subject: str
    body_text: str
    body_html: str | None = None
    # The Message-ID's left part when the message must be recognisable if sent again
    # (the adapter adds the sender's domain); None: a new one per send.
    message_id: str | None = None


class MailError(Exception):
    """A message could not be handed to the mail server.

    Callers retry it later (the notice stays pending and visible). `permanent` is
    True when the server refused it outright (a 5xx reply, an unusable address):
    retrying will not help until someone fixes the data or the configuration.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Mailer(Protocol):
    def send(self, message: OutgoingMail) -> None:
        """Deliver `message` to the mail server, or raise `MailError`."""
        ...
