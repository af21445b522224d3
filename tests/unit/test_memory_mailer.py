from __future__ import annotations

import pytest

from adapters.mail import MemoryMailer
from engine.deadlines.mailer import Mailer, MailError, OutgoingMail


def test_memory_mailer_is_a_mailer_and_keeps_what_it_sends() -> None:
    mailer = MemoryMailer()
    assert Mailer in type(mailer).__mro__  # fakes subclass the real port
    first = OutgoingMail("a@example.vn", "Nhắc việc", "Nội dung")
    mailer.send(first)
    mailer.send(OutgoingMail("b@example.vn", "Quá hạn", "Nội dung"))
    assert mailer.sent[0] == first
    assert mailer.to("a@example.vn") == [first]


def test_memory_mailer_fails_on_request_then_recovers() -> None:
    mailer = MemoryMailer()
    mailer.fail_next(2)
    mail = OutgoingMail("a@example.vn", "Nhắc việc", "Nội dung")
    for _ in range(2):
        with pytest.raises(MailError) as info:
            mailer.send(mail)
        assert not info.value.permanent
    mailer.send(mail)
    assert mailer.sent == [mail]
