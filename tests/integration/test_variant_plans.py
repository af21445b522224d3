"""The project's own plans of the genre's common variants (tests/fixtures/plans/variant_*),
imported by the CLI and scored like the samples: each must reach 95%.

They show what the three samples do not: Roman-numeral sections where only the tasks
section holds tasks, an appendix table (STT | Nội dung nhiệm vụ | Cơ quan chủ trì | ...)
with group rows and merged cells, a district's and a department's units, deadline
phrases outside the domain table, letterhead forms, and OCR damage.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.import_scoring import MIN_SCORE, SCORER, expected_of, import_json, report, score

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
VARIANTS = sorted(p for p in FIXTURES.glob("variant_*") if p.suffix in (".txt", ".md") and expected_of(p).is_file())
NO_SCORER = pytest.mark.skipif(not SCORER.is_file(), reason=f"the scorer is not here ({SCORER} is absent)")


@NO_SCORER
@pytest.mark.parametrize("plan", VARIANTS, ids=[p.stem for p in VARIANTS])
def test_variant_plan_scores(plan: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    percent, details = score(expected_of(plan), import_json(plan), tmp_path)
    report(request, "import score", percent, details)
    assert percent >= MIN_SCORE, details


def test_there_are_variant_plans() -> None:
    assert len(VARIANTS) >= 4
