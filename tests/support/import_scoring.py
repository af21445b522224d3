"""Run `planflow plan import` on a file and score it with ../shared/tools/score_import.py.

The sample plans and the scorer live beside the repository, in ../shared (CI always
has it); tests that need them skip, saying why, where it is absent.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
PLANS = SHARED / "plans"
SCORER = SHARED / "tools" / "score_import.py"
MIN_SCORE = 95.0
NO_SHARED = f"the sample plans are not here ({PLANS} is absent)"


def sample_plans() -> list:
    """One pytest param per sample plan (a .txt or .md beside its .expected.json)."""
    if not PLANS.is_dir() or not SCORER.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=NO_SHARED), id="no-samples")]
    plans = sorted(p for p in PLANS.iterdir() if p.suffix in (".txt", ".md") and expected_of(p).is_file())
    return [pytest.param(p, id=p.stem) for p in plans]


def expected_of(plan: Path) -> Path:
    return plan.with_name(f"{plan.stem}.expected.json")


def import_json(path: Path) -> str:
    """The CLI's stdout for `plan import PATH --dry-run --json` (run as a subprocess)."""
    command = [sys.executable, "-c", "from web.cli import main; main()", "plan", "import", str(path), "--dry-run", "--json"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, timeout=120)
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
