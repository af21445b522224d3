"""planflow installs as a package: a wheel built from the project, installed into a
fresh virtualenv (no source tree on its path), migrates, loads the demo and serves it.

The shipped BPMN, templates, translations and migrations must travel as package data;
an editable install would hide a file that only the source tree has.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.net import free_port

REPO = Path(__file__).resolve().parents[2]


def run(*command: str | Path, cwd: Path, env: dict[str, str], timeout: int = 600) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with planflow installed from its wheel; its bin folder."""
    if not (REPO / "web" / "static" / "vendor").is_dir():
        pytest.skip("the JavaScript bundles are not in web/static/vendor: run scripts/setup.sh first")
    work = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLANFLOW_", "PYTHON", "VIRTUAL_ENV"))}
    run(sys.executable, "-m", "pip", "wheel", REPO, "--no-deps", "-q", "-w", work / "dist", cwd=work, env=env)
    [wheel] = (work / "dist").glob("planflow-*.whl")
    run(sys.executable, "-m", "venv", work / "venv", cwd=work, env=env)
    # The pinned versions of a set-up (constraints.txt), as an office would install them.
    run(work / "venv" / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check",
        "-c", REPO / "constraints.txt", wheel, cwd=work, env=env)
    return work / "venv" / "bin"


def test_a_wheel_in_a_fresh_virtualenv_loads_the_demo_and_serves_it(installed: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLANFLOW_", "PYTHON", "VIRTUAL_ENV"))}
    env["PLANFLOW_DATABASE_URL"] = f"sqlite:///{tmp_path / 'planflow.sqlite3'}"
    where = run(installed / "python", "-c", "import engine, processes; print(engine.__file__, processes.__file__)",
                cwd=tmp_path, env=env)
    assert str(REPO) not in where and "site-packages" in where  # the installed copy, not the source tree

    run(installed / "planflow", "db", "upgrade", cwd=tmp_path, env=env)
    loaded = run(installed / "planflow", "demo", "load", cwd=tmp_path, env=env)
    assert "planflow" in loaded  # the demo password line

    port = free_port()
    server = subprocess.Popen([str(installed / "planflow"), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        page = _get_when_up(f"http://127.0.0.1:{port}/auth/login", server)
        assert "Đăng nhập" in page  # the Vietnamese catalogue travelled with the wheel
        script = _get_when_up(f"http://127.0.0.1:{port}/static/vendor/bpmn-js/bpmn-modeler.production.min.js", server)
        assert len(script) > 100_000
    finally:
        server.terminate()
        server.wait(timeout=30)


def _get_when_up(url: str, server: subprocess.Popen, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.read().decode("utf-8", "replace")
        except OSError:
            if server.poll() is not None:
                raise AssertionError(f"planflow serve stopped:\n{server.stdout.read()}")
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
