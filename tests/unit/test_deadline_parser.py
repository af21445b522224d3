"""engine.deadlines: every row of the deadline table in docs/domain.md, and OCR damage."""
from __future__ import annotations

from datetime import date

import pytest

from engine.deadlines import most_common_year, parse_deadline


def _schedule(text: str, plan_year: int = 2024) -> dict:
    return parse_deadline(text, plan_year).to_dict()


@pytest.mark.parametrize(
    "text, due",
    [
        ("Quý I năm 2024", ["2024-03-31"]),
        ("Quý II, III, IV năm 2024", ["2024-06-30", "2024-09-30", "2024-12-31"]),
        ("Trong tháng 9/2021", ["2021-09-30"]),
        ("tháng 5/2024", ["2024-05-31"]),
        ("tháng 2/2024", ["2024-02-29"]),
        ("Năm 2022", ["2022-12-31"]),
        ("Trước ngày 15/10/2024", ["2024-10-15"]),
        ("Quý 3/2025", ["2025-09-30"]),
    ],
)
def test_dated_phrases_are_due_once(text: str, due: list[str]) -> None:
    assert _schedule(text) == {"kind": "once", "due": due, "every": None, "until": None}


@pytest.mark.parametrize(
    "text, plan_year, until",
    [
        ("Thường xuyên", 2023, "2023-12-31"),
        ("Thường xuyên trong năm 2024", 2023, "2024-12-31"),
        ("Thường xuyên trong năm", 2025, "2025-12-31"),
    ],
)
def test_ongoing_runs_until_the_years_end(text: str, plan_year: int, until: str) -> None:
    assert _schedule(text, plan_year) == {"kind": "ongoing", "due": [], "every": None, "until": until}


@pytest.mark.parametrize(
    "text, every",
    [("Định kỳ hàng tháng", "P1M"), ("hằng năm", "P1Y"), ("Hàng năm", "P1Y"), ("Định kỳ hằng quý", "P3M")],
)
def test_periodic(text: str, every: str) -> None:
    schedule = _schedule(text)
    assert (schedule["kind"], schedule["every"], schedule["due"]) == ("periodic", every, [])


def test_periodic_within_the_year_stops_at_its_end() -> None:
    assert _schedule("Định kỳ hàng tháng trong năm.", 2024)["until"] == "2024-12-31"


def test_a_milestone_then_periodic_reports_with_a_frequency() -> None:
    schedule = _schedule("Quý I năm 2024, ban hành kế hoạch; định kỳ hằng quý báo cáo kết quả")
    assert schedule == {"kind": "periodic", "due": ["2024-03-31"], "every": "P3M", "until": None}


@pytest.mark.parametrize(
    "text",
    [
        "Quý I năm 2024, ban hành kế hoạch; định kỳ báo cáo",
        "Quý I năm 2024, ban hành kế hoạch; định kỳ báo cáo kết quả thực hiện theo quy định.",
        "trong tháng 5/2024; các nhiệm vụ còn lại thường xuyên trong năm 2024",
        "Quý I năm 2024, xây dựng kế hoạch; tổ chức kiểm tra đột xuất trong năm 2024",
    ],
)
def test_a_milestone_then_ongoing(text: str) -> None:
    schedule = _schedule(text)
    assert schedule["kind"] == "ongoing"
    assert len(schedule["due"]) == 1 and schedule["until"] == "2024-12-31"


@pytest.mark.parametrize(
    "text",
    [
        "Theo Kế hoạch số 140/KH-UBND ngày 14/10/2021 của UBND tỉnh",
        "Theo quy định của Chính phủ",
        "Khi có yêu cầu của cấp trên",
        "",
    ],
)
def test_unresolved_keeps_the_text(text: str) -> None:
    schedule = _schedule(text)
    assert schedule["kind"] == "unresolved" and schedule["due"] == [] and schedule["text"] == text


def test_document_references_are_no_deadlines() -> None:
    text = "Thường xuyên trong năm, theo Kế hoạch giai đoạn 2021 - 2025 tại Quyết định số 77/QĐ-UBND ngày 30/11/2021"
    assert _schedule(text, 2024) == {"kind": "ongoing", "due": [], "every": None, "until": "2024-12-31"}


@pytest.mark.parametrize(
    "text, due",
    [
        ("Quy I nam 2024", ["2024-03-31"]),
        ("Quy Il nam 2024", ["2024-06-30"]),
        ("Quy 11 nam 2024", ["2024-06-30"]),
        ("Quy II, ITI, IV nidm 2024", ["2024-06-30", "2024-09-30", "2024-12-31"]),
        ("thang 9/2021", ["2021-09-30"]),
        ("Trong thang 9/2021.", ["2021-09-30"]),
    ],
)
def test_ocr_damaged_dates(text: str, due: list[str]) -> None:
    assert _schedule(text)["due"] == due


@pytest.mark.parametrize("text", ["Thuong xuyen", "Thuong xuyén.", "Thudng xuyén trong ndm 2024.", "Thudong xuyen"])
def test_ocr_damaged_ongoing(text: str) -> None:
    assert _schedule(text, 2024)["kind"] == "ongoing"
    assert _schedule(text, 2024)["until"] == "2024-12-31"


def test_ocr_damaged_periodic() -> None:
    assert _schedule("Hang nam.")["every"] == "P1Y"


def test_schedule_dates_are_dates() -> None:
    assert parse_deadline("Quý I năm 2024", 2024).due == (date(2024, 3, 31),)


def test_plan_year_is_the_year_deadlines_name_most() -> None:
    texts = ["Quý I năm 2024", "tháng 5/2024", "Theo Quyết định số 12/2023/QĐ-UBND ngày 1/2/2023", "Năm 2025"]
    assert most_common_year(texts) == 2024


# Phrases the deadline table does not list but plans of other offices use.
@pytest.mark.parametrize(
    "text, due",
    [
        ("Trước ngày 30/6/2025", ["2025-06-30"]),
        ("Trước 15/12/2025", ["2025-12-15"]),
        ("Tháng 6/2025", ["2025-06-30"]),
        ("Tháng 02/2025", ["2025-02-28"]),
        ("Quý III/2025", ["2025-09-30"]),
        ("6 tháng đầu năm 2025", ["2025-06-30"]),
        ("6 tháng cuối năm 2025", ["2025-12-31"]),
        ("30/6/2025", ["2025-06-30"]),
        ("30-9-2025", ["2025-09-30"]),
        ("Trước ngày 30-6-2025", ["2025-06-30"]),
        ("30.6.2025", ["2025-06-30"]),
        ("Trước ngày 30/6", ["2025-06-30"]),  # no year: the plan's
        ("Truoc ngay 30/6/2025", ["2025-06-30"]),  # OCR lost the diacritics
        ("Quy III/2025", ["2025-09-30"]),
        ("6 thang dau nam 2025 va truoc ngay 15/12/2025", ["2025-06-30", "2025-12-15"]),
    ],
)
def test_common_dated_phrases(text: str, due: list[str]) -> None:
    assert _schedule(text, 2025) == {"kind": "once", "due": due, "every": None, "until": None}


@pytest.mark.parametrize(
    "text, every",
    [("Hằng quý", "P3M"), ("Hằng tháng, trước ngày 20", "P1M"), ("Hang quy", "P3M"),
     ("Hằng quý, trước ngày 15 của tháng cuối quý", "P3M"), ("Hằng năm, trước ngày 15/12", "P1Y")],
)
def test_common_periodic_phrases(text: str, every: str) -> None:
    assert _schedule(text, 2025) == {"kind": "periodic", "due": [], "every": every, "until": None}


@pytest.mark.parametrize(
    "text", ["Năm 2025 - 2026", "Năm 2025-2026", "Giai đoạn 2025 - 2026", "Từ năm 2025 đến năm 2026", "2025 – 2026"]
)
def test_a_span_of_years_is_ongoing_until_the_last_years_end(text: str) -> None:
    # The task runs through both years: reported on every period until 2026 ends
    # (not a single milestone on 2026-12-31, which would hide it for two years).
    assert _schedule(text, 2025) == {"kind": "ongoing", "due": [], "every": None, "until": "2026-12-31"}


def test_a_milestone_then_a_span_of_years() -> None:
    schedule = _schedule("Quý I năm 2025, ban hành đề án; năm 2025 - 2026 triển khai", 2025)
    assert schedule == {"kind": "ongoing", "due": ["2025-03-31"], "every": None, "until": "2026-12-31"}


def test_a_period_named_as_a_reference_is_still_no_deadline() -> None:
    text = "Thường xuyên, theo Đề án giai đoạn 2021 - 2025 tại Quyết định số 12/QĐ-UBND ngày 12-3-2021"
    assert _schedule(text, 2025) == {"kind": "ongoing", "due": [], "every": None, "until": "2025-12-31"}
