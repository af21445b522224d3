"""Failed logins are counted in the database: a second process (another gunicorn
worker, another machine) sees the same count, on SQLite and on PostgreSQL."""
from __future__ import annotations

import subprocess
import sys

import pytest

from adapters.demo.loader import DEMO_PASSWORD
from engine.access import accounts
from tests.support.office import make_office

HEAD = "truong.kstthc"
FAIL_IN_ANOTHER_PROCESS = """
import sys
from adapters.storage import Storage
from adapters.demo.loader import DEMO_PASSWORD
from engine.access import accounts
storage = Storage(sys.argv[1])
for _ in range(int(sys.argv[2])):
    assert accounts.authenticate(storage.uow(), sys.argv[3], "doan-mo") is None
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, sqlite_url: str) -> str:
    return sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_fresh_url")


def test_failures_in_two_processes_add_up_to_one_wait(url: str) -> None:
    office = make_office(url)
    done = subprocess.run([sys.executable, "-c", FAIL_IN_ANOTHER_PROCESS, url, "3", HEAD],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    for _ in range(2):
        assert accounts.authenticate(office.uow(), HEAD.upper(), "doan-mo") is None  # one count, any case
    with pytest.raises(accounts.TooManyAttempts):
        accounts.authenticate(office.uow(), HEAD, "doan-mo")


def test_a_right_password_clears_the_count_for_every_process(url: str) -> None:
    office = make_office(url)
    for _ in range(4):
        accounts.authenticate(office.uow(), HEAD, "doan-mo")
    assert accounts.authenticate(office.uow(), HEAD, DEMO_PASSWORD) is not None
    done = subprocess.run([sys.executable, "-c", FAIL_IN_ANOTHER_PROCESS, url, "4", HEAD],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert accounts.authenticate(office.uow(), HEAD, DEMO_PASSWORD) is not None
