"""The shared test fixtures work: real PostgreSQL, SMTP, HTTP server and Chromium."""
from __future__ import annotations

import signal
import smtplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask


def test_postgres_answers_through_sqlalchemy(postgres_url):
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("select 1")).scalar_one() == 1
            version = conn.execute(sa.text("show server_version")).scalar_one()
            assert int(version.split(".")[0]) >= 13
            assert conn.execute(sa.text("show server_encoding")).scalar_one() == "UTF8"
    finally:
        engine.dispose()


def test_postgres_fresh_database_is_empty_and_separate(postgres_url, postgres_fresh_url):
    assert postgres_fresh_url != postgres_url
    engine = sa.create_engine(postgres_fresh_url)
    try:
        with engine.begin() as conn:
            tables = conn.execute(sa.text(
                "select count(*) from information_schema.tables where table_schema='public'"
            )).scalar_one()
            assert tables == 0
            conn.execute(sa.text("create table t (name text)"))
            conn.execute(sa.text("insert into t values ('Sở Tài chính')"))
            assert conn.execute(sa.text("select name from t")).scalar_one() == "Sở Tài chính"
    finally:
        engine.dispose()


def test_sqlite_url_is_a_file_in_tmp_path(sqlite_url, tmp_path):
    engine = sa.create_engine(sqlite_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("create table t (x int)"))
    finally:
        engine.dispose()
    assert (tmp_path / "planflow.sqlite3").exists()


def test_smtp_server_receives_a_message(smtp_server):
    msg = EmailMessage()
    msg["From"] = "planflow@example.test"
    msg["To"] = "truong.phong@example.test"
    msg["Subject"] = "Nhiệm vụ sắp đến hạn"
    msg.set_content("Báo cáo kết quả trước ngày 15/12.")
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client:
        client.send_message(msg)

    [received] = smtp_server.wait_for(1, timeout=5)
    assert received["Subject"] == "Nhiệm vụ sắp đến hạn"
    assert received["To"] == "truong.phong@example.test"
    assert "Báo cáo kết quả" in received.get_content()
    assert smtp_server.envelopes[0][1] == ["truong.phong@example.test"]


def test_smtp_wait_for_times_out_readably(smtp_server):
    with pytest.raises(AssertionError, match="expected 1 mail"):
        smtp_server.wait_for(1, timeout=0.2)


def _tiny_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def index():
        return (
            "<!doctype html><html lang='vi'><meta charset='utf-8'><title>planflow</title>"
            "<h1 id='greeting'></h1>"
            "<script>document.getElementById('greeting').textContent = "
            "'Xin chào ' + (1 + 1);</script>"
        )

    return app


def test_chromium_renders_a_page_from_a_live_server(live_server, page):
    base_url = live_server(_tiny_app())
    page.goto(base_url + "/")
    # The text is written by JavaScript, so this proves a real browser ran it.
    assert page.locator("#greeting").inner_text() == "Xin chào 2"
    assert page.title() == "planflow"


def test_a_killed_test_process_leaves_no_postgres_server_running(postgres_server):
    """The fixture's `stop` never runs in a pytest killed by a signal; the server's
    watcher stops it and removes its directory all the same."""
    starter = ("import sys; from pathlib import Path; from tests.support.postgres import PostgresServer; "
               "s = PostgresServer(Path(sys.argv[1])); s.start(); print(s.dir, s.port, flush=True); "
               "sys.stdin.read()")
    child = subprocess.Popen([sys.executable, "-c", starter, str(postgres_server.bindir)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).parents[2])
    directory, port = child.stdout.readline().split()
    assert _answers(int(port)), "the child's server should be up before the kill"
    child.send_signal(signal.SIGKILL)
    child.wait()
    deadline = time.monotonic() + 30
    while (_answers(int(port)) or Path(directory).exists()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _answers(int(port)), "the killed process's server is still running"
    assert not Path(directory).exists(), "the killed process's server directory is still there"


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0
