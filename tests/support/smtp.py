"""A real SMTP server (aiosmtpd) that keeps what it receives."""
from __future__ import annotations

import asyncio
import email
import threading
import time
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller

from .net import free_port


class SmtpSink:
    """`host`, `port`, `messages` (parsed EmailMessage list), `wait_for(n)`."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []  # (mail from, rcpt tos)
        self._cond = threading.Condition()
        self._stall: tuple[threading.Event, threading.Event] | None = None
        self._controller = Controller(
            self, hostname=self.host, port=self.port, enable_SMTPUTF8=True
        )

    # aiosmtpd handler hook
    async def handle_DATA(self, server, session, envelope) -> str:
        msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                       policy=default_policy)
        with self._cond:
            self.messages.append(msg)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._cond.notify_all()
            stall, self._stall = self._stall, None
        if stall is not None:  # keep the message, hold back the reply
            arrived, release = stall
            arrived.set()
            while not release.is_set():
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"

    def stall_next(self) -> tuple[threading.Event, threading.Event]:
        """Keep the next message but answer its DATA only once `release` is set, as a
        server whose reply is slow: the sender cannot know it was delivered.
        Returns (arrived, release)."""
        stall = (threading.Event(), threading.Event())
        with self._cond:
            self._stall = stall
        return stall

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def clear(self) -> None:
        with self._cond:
            self.messages.clear()
            self.envelopes.clear()
            self._stall = None

    def wait_for(self, n: int = 1, timeout: float = 5.0) -> list[EmailMessage]:
        """Wait until at least `n` messages arrived; return them all.

        Raises AssertionError (a readable test failure) on timeout.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.messages) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {n} mail(s) within {timeout}s, got {len(self.messages)}"
                    )
                self._cond.wait(left)
            return list(self.messages)
