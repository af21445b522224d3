"""The real sample plans (../shared/plans), imported by the CLI and scored, as a new
office (an empty unit directory) and as the demo office (its stored directory): each
must reach at least 95% both ways (the score is printed in the test output)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.import_scoring import (
    MIN_SCORE, demo_office_database, expected_of, import_json, report, sample_plans, score,
)

SAMPLES = sample_plans((".txt", ".md", ".docx"))


@pytest.fixture(scope="module")
def demo_office(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_office_database(tmp_path_factory.mktemp("demo-office"))


@pytest.mark.parametrize("plan", SAMPLES)
def test_sample_plan_scores_for_a_new_office(plan: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    percent, details = score(expected_of(plan), import_json(plan), tmp_path)
    report(request, "import score (empty directory)", percent, details)
    assert percent >= MIN_SCORE, details


@pytest.mark.parametrize("plan", SAMPLES)
def test_sample_plan_scores_for_the_demo_office(plan: Path, demo_office: str, tmp_path: Path,
                                                request: pytest.FixtureRequest) -> None:
    percent, details = score(expected_of(plan), import_json(plan, demo_office), tmp_path)
    report(request, "import score (demo directory)", percent, details)
    assert percent >= MIN_SCORE, details
