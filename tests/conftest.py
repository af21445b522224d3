"""Session fixtures shared by every test: real PostgreSQL, SMTP, HTTP and Chromium.

Services are real processes on loopback ports, started once per session. When a
service's software is missing, its tests skip locally and fail in CI (`CI` set), so
CI never passes by skipping. `make test` installs everything first.
"""
from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import live_server as _live_server
from tests.support.postgres import PostgresServer, find_bindir
from tests.support.smtp import SmtpSink


def pytest_configure(config: pytest.Config) -> None:
    # pytest-base-url (pulled in by pytest-playwright) defines its session-scoped
    # `base_url` fixture in a way pytest 9 deprecates; the warning is not ours.
    config.addinivalue_line(
        "filterwarnings", "ignore:Session-scoped fixtures defined as instance methods"
    )


def _missing(what: str) -> None:
    """Skip the test, or fail it in CI, because `what` is not installed."""
    message = f"{what} (run `make test`, which installs it)"
    if os.environ.get("CI"):
        pytest.fail(f"CI: {message}", pytrace=False)
    pytest.skip(message)


# --- PostgreSQL ------------------------------------------------------------------

@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session: `.url(db)`, `.create_database()`."""
    bindir = find_bindir()
    if bindir is None:
        _missing("PostgreSQL is not installed (/usr/lib/postgresql/*/bin)")
    server = PostgresServer(bindir)
    try:
        server.start()
    except Exception:
        server.stop()
        raise  # the message carries the server log
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """`postgresql+psycopg://postgres@127.0.0.1:PORT/test`, shared by the session.

    Tests sharing it must clean up after themselves; use `postgres_fresh_url`
    for an empty database of your own.
    """
    return postgres_server.url("test")


@pytest.fixture
def postgres_fresh_url(postgres_server: PostgresServer) -> Iterator[str]:
    """An empty database made for this test only (about 0.1 s), dropped after it."""
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url.rsplit("/", 1)[1])


# --- SQLite ------------------------------------------------------------------------

@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A file SQLite database in the test's temporary directory (not yet created)."""
    return f"sqlite:///{tmp_path / 'planflow.sqlite3'}"


@pytest.fixture
def office(sqlite_url: str):
    """The demo office's units and people on a fresh, migrated SQLite database."""
    from tests.support.office import make_office

    office = make_office(sqlite_url)
    yield office
    office.storage.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def office_on_each_database(request: pytest.FixtureRequest):
    """The same office on SQLite, then on PostgreSQL: a test using it runs once on each."""
    from tests.support.office import make_office

    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url")
    office = make_office(url)
    yield office
    office.storage.engine.dispose()


# --- SMTP ----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def _smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_server(_smtp_sink: SmtpSink) -> SmtpSink:
    """A real SMTP server: `.host`, `.port`, `.messages`, `.wait_for(n, timeout)`.

    The server lives for the session; its message list is emptied for each test.
    """
    _smtp_sink.clear()
    return _smtp_sink


# --- HTTP: serve a Flask app for the browser --------------------------------------------

@pytest.fixture
def live_server() -> Iterator[Callable[..., str]]:
    """A factory: `base_url = live_server(app)` serves `app` in a thread until the
    test ends. For a module-scoped server, use `tests.support.live_server.serve(app)`
    (a context manager) in your own fixture.
    """
    with contextlib.ExitStack() as stack:
        yield lambda app: stack.enter_context(_live_server.serve(app))


# --- Playwright: Debian's Chromium ------------------------------------------------------

# The binary, not the /usr/bin/chromium shell wrapper: the wrapper sources
# /etc/chromium.d (loads extensions, adds GPU flags, prints a warning) and gains us
# nothing. PLANFLOW_CHROMIUM overrides. Playwright 1.64.1 (pinned) pairs with
# Chromium 156, Debian 12's version.
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")


def chromium_path() -> str | None:
    override = os.environ.get("PLANFLOW_CHROMIUM")
    if override:
        return override
    for path in CHROMIUM_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch arguments, pointed at Debian's Chromium.

    `playwright install` cannot download a browser on these machines.
    """
    path = chromium_path()
    if path is None:
        _missing("Chromium is not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": path,
        "args": [
            *browser_type_launch_args.get("args", []),
            "--no-sandbox",  # root, and no user namespaces in containers
            "--disable-gpu",
            "--disable-dev-shm-usage",  # /dev/shm is small in containers
            "--disable-background-networking",  # no internet: avoid its timeouts
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
