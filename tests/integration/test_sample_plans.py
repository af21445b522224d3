"""The three real sample plans (../shared/plans), imported by the CLI and scored:
each must reach at least 95% (the score is printed in the test output)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.import_scoring import MIN_SCORE, expected_of, import_json, report, sample_plans, score


@pytest.mark.parametrize("plan", sample_plans())
def test_sample_plan_scores(plan: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    percent, details = score(expected_of(plan), import_json(plan), tmp_path)
    report(request, "import score", percent, details)
    assert percent >= MIN_SCORE, details
