"""Run `planflow plan import` on a file and score it with ../shared/tools/score_import.py.

The sample plans and the scorer live beside the repository, in ../shared (CI always
has it); tests that need them skip, saying why, where it is absent.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
PLANS = SHARED / "plans"
SCORER = SHARED / "tools" / "score_import.py"
MIN_SCORE = 95.0
NO_SHARED = f"the sample plans are not here ({PLANS} is absent)"


def sample_plans(suffixes: tuple[str, ...] = (".txt", ".md")) -> list:
    """One pytest param per sample plan (a file of these types beside its .expected.json)."""
    if not PLANS.is_dir() or not SCORER.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=NO_SHARED), id="no-samples")]
    plans = sorted(p for p in PLANS.iterdir() if p.suffix in suffixes and expected_of(p).is_file())
    return [pytest.param(p, id=p.stem) for p in plans]


def demo_office_database(folder: Path) -> str:
    """A migrated database holding the demo office's unit directory (and people); its URL."""
    from adapters.demo.loader import load_directory
    from adapters.storage import Storage

    url = f"sqlite:///{folder / 'demo-office.sqlite3'}"
    storage = Storage(url)
    storage.upgrade()
    with storage.uow() as uow:
        load_directory(uow)
        uow.commit()
    storage.engine.dispose()
    return url


def expected_of(plan: Path) -> Path:
    return plan.with_name(f"{plan.stem}.expected.json")


def import_json(path: Path, database_url: str | None = None) -> str:
    """The CLI's stdout for `plan import PATH --dry-run --json` (run as a subprocess),
    against the unit directory of `database_url`; by default a new, empty database (an
    office with no units yet), never whatever database the developer has configured."""
    command = [sys.executable, "-c", "from web.cli import main; main()", "plan", "import", str(path), "--dry-run", "--json"]
    with tempfile.TemporaryDirectory(prefix="planflow-new-office-") as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'new.sqlite3'}"
        done = subprocess.run(command, cwd=REPO, capture_output=True, timeout=300,
                              env={**os.environ, "PLANFLOW_DATABASE_URL": url})
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return done.stdout.decode("utf-8")


def score(expected: Path, actual_json: str, workdir: Path) -> tuple[float, str]:
    """(percent, the scorer's report). The scorer reads the import from a file."""
    actual = workdir / f"{expected.stem}.actual.json"
    actual.write_text(actual_json, encoding="utf-8")
    done = subprocess.run([sys.executable, str(SCORER), str(expected), str(actual)], capture_output=True, text=True)
    match = re.search(r"score: ([\d.]+)%", done.stdout)
    assert match, done.stdout + done.stderr
    return float(match.group(1)), done.stdout


def report(request: pytest.FixtureRequest, name: str, value: float, details: str) -> None:
    """Show a score in the test output (with or without -s) and in the JUnit XML."""
    request.node.user_properties.append((name, value))
    line = f"{request.node.name}: {name} {value:.1f}%"
    print(details)  # shown with the failure, or with -s
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():  # shown without -s too
        print(f"\n{line}")
