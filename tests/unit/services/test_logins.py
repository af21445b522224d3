"""Failed logins: a growing wait per username, never a lock; unknown names alike."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from adapters.demo.loader import DEMO_PASSWORD
from engine.access import accounts
from engine.clock import FixedClock
from tests.support.office import Office

HEAD = "truong.kstthc"


def fail(office: Office, clock: FixedClock, username: str = HEAD) -> None:
    assert accounts.authenticate(office.uow(), username, "doan-mo", clock) is None


def waits_after(office: Office, clock: FixedClock, username: str) -> int:
    """Seconds until the next try is heard."""
    seconds = 0
    while True:
        try:
            return seconds if accounts.authenticate(office.uow(), username, "doan-mo", clock) is None else -1
        except accounts.TooManyAttempts:
            clock.at += timedelta(seconds=1)
            seconds += 1


@pytest.fixture
def at() -> FixedClock:
    return FixedClock(datetime(2024, 3, 27, 1, tzinfo=timezone.utc))


@pytest.mark.parametrize("username", [HEAD, "khong.co.ai"])
def test_five_failures_are_free_then_the_wait_doubles_up_to_a_minute(office: Office, at: FixedClock,
                                                                   username: str) -> None:
    for _ in range(5):
        fail(office, at, username)
    assert [waits_after(office, at, username) for _ in range(6)] == [5, 10, 20, 40, 60, 60]


def test_a_right_password_is_refused_while_waiting_and_then_forgives(office: Office, at: FixedClock) -> None:
    for _ in range(5):
        fail(office, at, HEAD)
    with pytest.raises(accounts.TooManyAttempts):
        accounts.authenticate(office.uow(), HEAD, DEMO_PASSWORD, at)
    at.at += timedelta(seconds=5)
    assert accounts.authenticate(office.uow(), HEAD, DEMO_PASSWORD, at).username == HEAD
    for _ in range(5):
        fail(office, at, HEAD)  # counted from zero again: five free


def test_failures_an_hour_apart_start_a_new_run(office: Office, at: FixedClock) -> None:
    for _ in range(4):
        fail(office, at, HEAD)
    at.at += timedelta(hours=1, seconds=1)
    for _ in range(4):
        fail(office, at, HEAD)
    assert accounts.authenticate(office.uow(), HEAD, DEMO_PASSWORD, at) is not None
