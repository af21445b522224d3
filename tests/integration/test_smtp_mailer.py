"""SmtpMailer against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import email
import socket
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from adapters.mail import SmtpMailer
from engine.deadlines.mailer import MailError, OutgoingMail

SUBJECT = "Nhắc việc: nhiệm vụ 2.1 sắp đến hạn — Kế hoạch số 15/KH-UBND"
BODY = (
    "Kính gửi đồng chí Trưởng phòng Hành chính - Quản trị,\n\n"
    "Nhiệm vụ «Rà soát, đơn giản hóa thủ tục hành chính» đã quá hạn 2 ngày làm việc.\n"
    "Đề nghị đồng chí chỉ đạo hoàn thành, báo cáo kết quả.\n"
)
HTML = "<p>Nhiệm vụ <b>Rà soát thủ tục hành chính</b> đã quá hạn 2 ngày làm việc.</p>"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Sink:
    """Fallback SMTP sink, used only when no conftest offers `smtp_server`."""

    def __init__(self, handler: Any = None) -> None:
        self.host, self.port = "127.0.0.1", _free_port()
        self.messages: list[EmailMessage] = []
        self._cond = threading.Condition()
        self._controller = Controller(handler or self, hostname=self.host, port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=default_policy)
        with self._cond:
            self.messages.append(msg)
            self._cond.notify_all()
        return "250 OK"

    def wait_for(self, n: int = 1, timeout: float = 5.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.messages) < n:
                left = deadline - time.monotonic()
                assert left > 0, f"expected {n} mail(s), got {len(self.messages)}"
                self._cond.wait(left)
            return list(self.messages)


@pytest.fixture
def smtp_sink(request: pytest.FixtureRequest) -> Iterator[Any]:
    try:
        yield request.getfixturevalue("smtp_server")  # the shared one, when conftest has it
        return
    except pytest.FixtureLookupError:
        pass
    sink = _Sink()
    sink._controller.start()
    try:
        yield sink
    finally:
        sink._controller.stop()


def _deliver(sink: Any, mail: OutgoingMail) -> EmailMessage:
    """Send through SmtpMailer and return what the server received for `mail.to`."""
    before = len(sink.messages)
    SmtpMailer(sink.host, sink.port, sender="Hệ thống planflow <noreply@planflow.vn>").send(mail)
    received = [m for m in sink.wait_for(before + 1) if m["To"] == mail.to]
    assert len(received) == 1
    return received[0]


def _text(part: Any) -> str:
    # Text travels with CRLF line ends (RFC 5322); a reader sees the same lines.
    return part.get_content().replace("\r\n", "\n")


def test_vietnamese_subject_and_bodies_arrive_intact(smtp_sink: Any) -> None:
    msg = _deliver(smtp_sink, OutgoingMail("truongphong@sonv.example.vn", SUBJECT, BODY, HTML))

    assert str(msg["Subject"]) == SUBJECT
    assert str(msg["From"]) == "Hệ thống planflow <noreply@planflow.vn>"
    assert _text(msg.get_body(("plain",))) == BODY
    assert _text(msg.get_body(("html",))).strip() == HTML
    assert msg["Message-ID"] and msg["Date"]
    # Encoded for the wire, so relays without 8BITMIME pass it unchanged.
    for part in msg.walk():
        if not part.is_multipart():
            assert part["Content-Transfer-Encoding"] == "quoted-printable"


def test_text_only_message(smtp_sink: Any) -> None:
    msg = _deliver(smtp_sink, OutgoingMail("chuyenvien@sonv.example.vn", SUBJECT, BODY))
    assert msg.get_content_type() == "text/plain"
    assert _text(msg) == BODY


def test_line_breaks_in_a_subject_are_folded(smtp_sink: Any) -> None:
    mail = OutgoingMail("lanhdao@sonv.example.vn", "Nhiệm vụ 3:\nCải cách\r\nthủ tục", BODY)
    assert str(_deliver(smtp_sink, mail)["Subject"]) == "Nhiệm vụ 3: Cải cách thủ tục"


def test_refused_connection_raises_mail_error() -> None:
    mailer = SmtpMailer("127.0.0.1", _free_port(), sender="noreply@planflow.vn", timeout=2)
    with pytest.raises(MailError) as info:
        mailer.send(OutgoingMail("a@example.vn", SUBJECT, BODY))
    assert not info.value.permanent  # worth retrying


def test_silent_server_times_out_as_mail_error() -> None:
    with socket.socket() as listener:  # accepts TCP, never greets
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        mailer = SmtpMailer("127.0.0.1", listener.getsockname()[1], "noreply@planflow.vn", timeout=0.5)
        with pytest.raises(MailError):
            mailer.send(OutgoingMail("a@example.vn", SUBJECT, BODY))


class _RefuseRecipients:
    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        return "550 5.1.1 No such user"


def test_rejected_recipient_is_a_permanent_mail_error() -> None:
    sink = _Sink(handler=_RefuseRecipients())
    sink._controller.start()
    try:
        mailer = SmtpMailer(sink.host, sink.port, "noreply@planflow.vn")
        with pytest.raises(MailError) as info:
            mailer.send(OutgoingMail("khongco@example.vn", SUBJECT, BODY))
        assert info.value.permanent
    finally:
        sink._controller.stop()


def test_malformed_address_is_a_permanent_mail_error() -> None:
    mailer = SmtpMailer("127.0.0.1", _free_port(), "noreply@planflow.vn")
    with pytest.raises(MailError) as info:
        mailer.send(OutgoingMail("a@example.vn\r\nBcc: x@example.vn", SUBJECT, BODY))
    assert info.value.permanent
